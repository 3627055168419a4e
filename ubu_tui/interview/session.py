"""One respondent's interview: consent, answers, position, break-off and completion.

Pure Python. Every state change goes through a method here so that the rules (allowed codes,
routing, consent) hold whatever the screens do, and so that the state can be saved after each one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Any

from ubu_tui.errors import UbuError
from ubu_tui.i18n import N_, _
from ubu_tui.instrument.model import (
    APPLIED,
    NONRESPONSE_BY_CODE,
    NOT_REACHED_CODE,
    SKIPPED_CODE,
    AnswerType,
    Form,
    Item,
)

# defined apart (see modes), still importable from here
from ubu_tui.interview.modes import MODE_LABELS as MODE_LABELS
from ubu_tui.interview.modes import Mode as Mode


class AnswerRejected(UbuError):
    """An answer or a step the instrument does not allow here."""


class Consent(StrEnum):
    GIVEN = "given"
    SELF_COMPLETED = "self_completed"   # a paper form the respondent filled in alone
    DECLINED = "declined"
    NOT_REACHABLE = "not_reachable"
    YOUTH_OBJECTS = "youth_objects"   # guardian only, and only when the young person is 18+


class Disposition(StrEnum):
    COMPLETED = "completed"
    DECLINED = "declined"
    NOT_REACHABLE = "not_reachable"
    YOUTH_OBJECTS = "youth_objects"
    BROKE_OFF = "broke_off"
    NOT_ELIGIBLE = "not_eligible"     # the youth form is not asked outside ages 12–21


DISPOSITION_LABELS: dict[Disposition, str] = {
    Disposition.COMPLETED: N_("Genomförd"),
    Disposition.DECLINED: N_("Avböjde"),
    Disposition.NOT_REACHABLE: N_("Gick inte att nå"),
    Disposition.YOUTH_OBJECTS: N_("Ungdomen (18+) motsatte sig"),
    Disposition.BROKE_OFF: N_("Avbruten"),
    Disposition.NOT_ELIGIBLE: N_("Ej aktuell (ålder)"),
}


class BreakReason(IntEnum):
    LEFT = 1
    LINE_DROPPED = 2
    UNWELL = 3
    NO_TIME = 4
    OTHER = 5


BREAK_LABELS: dict[BreakReason, str] = {
    BreakReason.LEFT: N_("Respondenten ville inte fortsätta eller gick"),
    BreakReason.LINE_DROPPED: N_("Samtalet bröts och gick inte att återuppta"),
    BreakReason.UNWELL: N_("Respondenten mådde dåligt eller blev orolig"),
    BreakReason.NO_TIME: N_("Tiden räckte inte"),
    BreakReason.OTHER: N_("Annat skäl"),
}


class OutcomeKind(StrEnum):
    VALUE = "value"
    NONRESPONSE = "nonresponse"
    SKIPPED = "skipped"
    NOT_REACHED = "not_reached"


@dataclass(frozen=True)
class Response:
    """A coded answer: a value (>= 0) or a non-response code (< 0).

    For a multiple-choice item the value is the number of methods chosen, and `methods` holds
    (method code, applied-as-intended code) pairs.
    """

    code: int
    methods: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class ItemOutcome:
    item_id: str
    kind: OutcomeKind
    code: int
    methods: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class SessionOutcome:
    respondent: str
    disposition: Disposition
    break_reason: int | None
    mode: int
    language: str
    items: tuple[ItemOutcome, ...]
    adhoc: tuple[str, ...] = ()      # items interpreted ad hoc: no current translation
    decline_reason: int | None = None  # Form.decline_reasons code, only when declined


class RespondentSession:
    def __init__(self, form: Form, *, mode: Mode = Mode.IN_PERSON, language: str = "sv",
                 youth_of_age: bool = False) -> None:
        self.form = form
        self.mode = mode
        self.language = language
        self.youth_of_age = youth_of_age
        self.adhoc: set[str] = set()      # asked in `language` without a translation
        self.consent: Consent | None = None
        self.responses: dict[str, Response] = {}
        self.position = 0
        self.disposition: Disposition | None = None
        self.break_reason: int | None = None
        self.decline_reason: int | None = None

    # --- state -------------------------------------------------------------------------
    @property
    def respondent(self) -> str:
        return self.form.respondent

    @property
    def closed(self) -> bool:
        return self.disposition is not None

    @property
    def answering(self) -> bool:
        """Consent given, or a paper form filled in alone: the items are to be entered."""
        return self.consent in (Consent.GIVEN, Consent.SELF_COMPLETED)

    @property
    def started(self) -> bool:
        return self.consent is not None or self.closed

    @property
    def current(self) -> Item | None:
        """The item being asked, or None when every item has been passed (review)."""
        if not self.answering or self.closed:
            return None
        return self.form.items[self.position] if self.position < len(self.form.items) else None

    def visibility(self, item: Item) -> bool | None:
        """True shown, False skipped by routing, None undecided (the condition is unanswered)."""
        for cond in item.show_if:
            answer = self.responses.get(cond.item)
            if answer is None or self.visibility(self.form.items[self.form.index_of(cond.item)]) \
                    is not True:
                return None
            if answer.code not in cond.values:
                return False
        return True

    def visible_items(self) -> list[Item]:
        return [i for i in self.form.items if self.visibility(i) is True]

    def unanswered(self) -> list[Item]:
        return [i for i in self.form.items
                if self.visibility(i) is not False and i.id not in self.responses]

    def progress(self) -> tuple[int, int]:
        """(answered, to be asked) among the items routing shows."""
        shown = [i for i in self.form.items if self.visibility(i) is not False]
        return sum(1 for i in shown if i.id in self.responses), len(shown)

    # --- steps -------------------------------------------------------------------------
    def set_consent(self, consent: Consent, reason: int | None = None) -> None:
        """Record the consent step. A decline carries its coded reason when the form has a
        list of reasons (from 2026.2), and nothing else ever carries one."""
        self._require_open()
        if self.respondent == "caseworker" and consent is not Consent.GIVEN:
            raise AnswerRejected(_("Handläggarens egna frågor kan inte avböjas."))
        if consent is Consent.DECLINED and self.form.decline_reasons:
            if reason is None or self.form.decline_reason(reason) is None:
                raise AnswerRejected(_("Ett avböjande behöver sitt skäl, ett av {codes}.").format(
                    codes=", ".join(str(r.code) for r in self.form.decline_reasons)))
        elif reason is not None:
            raise AnswerRejected(_("Bara ett avböjande har ett skäl, och bara där formuläret "
                                   "listar skäl."))
        if consent is Consent.SELF_COMPLETED and self.mode is not Mode.PAPER:
            raise AnswerRejected(_("Bara ett pappersformulär fylls i av den svarande själv."))
        if consent is Consent.YOUTH_OBJECTS:
            if self.respondent != "guardian":
                raise AnswerRejected(_("Den unge kan bara stoppa förälderns intervju."))
            if not self.youth_of_age:
                raise AnswerRejected(_(
                    "Den unge är under 18 år: invändningen hindrar inte att föräldern "
                    "tillfrågas."))
        self.consent = consent
        self.decline_reason = reason
        if not self.answering:
            self.disposition = Disposition(consent.value)
        else:
            self.position = self._first_open_position()

    def answer(self, response: Response) -> None:
        """Record the answer to the current item and move to the next item routing shows."""
        item = self.current
        if item is None:
            raise AnswerRejected(_("Det finns ingen fråga att besvara här."))
        self.check(item, response)
        self.responses[item.id] = response
        self.position = self._next_position(self.position)

    def check(self, item: Item, response: Response) -> None:
        code = response.code
        if code < 0:
            if not item.allows_code(code):
                label = NONRESPONSE_BY_CODE[code].key if code in NONRESPONSE_BY_CODE else code
                raise AnswerRejected(_("{item} tillåter inte bortfallskoden {label}.")
                                     .format(item=item.id, label=label))
            if response.methods:
                raise AnswerRejected(_("{item}: ett bortfall har inga metoder.")
                                     .format(item=item.id))
            return
        if item.type is AnswerType.MULTI:
            codes = [m for m, _ in response.methods]
            if len(set(codes)) != len(codes) or code != len(codes):
                raise AnswerRejected(_("{item}: metoderna ska vara olika och räknade.")
                                     .format(item=item.id))
            for method, applied in response.methods:
                if item.option(method) is None or applied not in APPLIED:
                    raise AnswerRejected(_("{item}: okänd metod {method} eller kod {applied}.")
                                         .format(item=item.id, method=method, applied=applied))
            return
        if response.methods:
            raise AnswerRejected(_("{item} har inga metoder.").format(item=item.id))
        if item.type is AnswerType.UNIT:
            if code <= 0:
                raise AnswerRejected(_("{item}: välj en enhet ur registret.").format(item=item.id))
            return
        if not item.allows_code(code):
            raise AnswerRejected(_("{item} har inget svarsalternativ {code}.")
                                 .format(item=item.id, code=code))

    def prefill(self, item_id: str, response: Response) -> None:
        item = self.form.items[self.form.index_of(item_id)]
        self.check(item, response)
        self.responses[item_id] = response

    def back(self) -> None:
        self._require_open()
        for pos in range(self.position - 1, -1, -1):
            if self.visibility(self.form.items[pos]) is True:
                self.position = pos
                return

    def jump(self, item_id: str) -> None:
        """Go to any item routing shows, to ask it or change its answer."""
        self._require_open()
        if not self.answering:
            raise AnswerRejected(_("Samtycket kommer före frågorna."))
        pos = self.form.index_of(item_id)
        if self.visibility(self.form.items[pos]) is False:
            raise AnswerRejected(_("{item} hoppas över med de svar som getts.")
                                 .format(item=item_id))
        self.position = pos

    def to_review(self) -> None:
        self.position = len(self.form.items)

    def complete(self) -> None:
        self._require_open()
        if not self.answering:
            raise AnswerRejected(_("Samtycke har inte getts."))
        left = self.unanswered()
        if left:
            raise AnswerRejected(_("Inte besvarade än: {items}.")
                                 .format(items=", ".join(i.id for i in left)))
        self.disposition = Disposition.COMPLETED

    def break_off(self, reason: BreakReason) -> None:
        """Close the session; items not answered are recorded as not reached."""
        self._require_open()
        self.disposition = Disposition.BROKE_OFF
        self.break_reason = int(reason)

    def mark_not_eligible(self) -> None:
        self.disposition = Disposition.NOT_ELIGIBLE

    def reopen(self) -> None:
        """Undo a close that has not been submitted (a mistaken decline or break-off)."""
        if self.disposition is Disposition.NOT_ELIGIBLE:
            raise AnswerRejected(_("Ungdomsformuläret gäller inte vid den här åldern."))
        self.disposition = None
        self.break_reason = None
        if not self.answering:
            self.consent = None
            self.decline_reason = None

    def _require_open(self) -> None:
        if self.closed:
            raise AnswerRejected(_("Intervjun med {respondent} är avslutad.")
                                 .format(respondent=self.respondent))

    def _next_position(self, pos: int) -> int:
        for nxt in range(pos + 1, len(self.form.items)):
            if self.visibility(self.form.items[nxt]) is not False:
                return nxt
        return len(self.form.items)

    def _first_open_position(self) -> int:
        for pos, item in enumerate(self.form.items):
            if self.visibility(item) is not False and item.id not in self.responses:
                return pos
        return len(self.form.items)

    # --- the record --------------------------------------------------------------------
    def outcomes(self) -> tuple[ItemOutcome, ...]:
        """Exactly one outcome per item of the form."""
        result: list[ItemOutcome] = []
        for item in self.form.items:
            vis = self.visibility(item) if self.answering else None
            answer = self.responses.get(item.id)
            if vis is False:
                result.append(ItemOutcome(item.id, OutcomeKind.SKIPPED, SKIPPED_CODE))
            elif vis is None or answer is None:
                result.append(ItemOutcome(item.id, OutcomeKind.NOT_REACHED, NOT_REACHED_CODE))
            elif answer.code < 0:
                result.append(ItemOutcome(item.id, OutcomeKind.NONRESPONSE, answer.code))
            else:
                result.append(ItemOutcome(item.id, OutcomeKind.VALUE, answer.code,
                                          answer.methods))
        return tuple(result)

    def outcome(self) -> SessionOutcome:
        if self.disposition is None:
            raise AnswerRejected(_("Intervjun med {respondent} är fortfarande öppen.")
                                 .format(respondent=self.respondent))
        return SessionOutcome(self.respondent, self.disposition, self.break_reason,
                              int(self.mode), self.language, self.outcomes(),
                              tuple(sorted(self.adhoc & set(self.responses))),
                              self.decline_reason)

    def note_wording(self, item_id: str, translated: bool) -> None:
        """Record how the item was put in the interview language: read from a translation,
        or interpreted ad hoc because none was current. Swedish needs no note."""
        if self.language == "sv" or translated:
            self.adhoc.discard(item_id)
        else:
            self.adhoc.add(item_id)

    def to_state(self) -> dict[str, Any]:
        return {
            "mode": int(self.mode), "language": self.language,
            "consent": self.consent.value if self.consent else None,
            "responses": {k: [v.code, [list(m) for m in v.methods]]
                          for k, v in self.responses.items()},
            "position": self.position,
            "disposition": self.disposition.value if self.disposition else None,
            "break_reason": self.break_reason,
            "adhoc": sorted(self.adhoc),
            "decline_reason": self.decline_reason,
        }

    def load_state(self, state: dict[str, Any]) -> None:
        self.mode = Mode(state["mode"])
        self.language = str(state["language"])
        self.consent = Consent(state["consent"]) if state["consent"] else None
        self.responses = {}
        for item_id, (code, methods) in state["responses"].items():
            if item_id not in {i.id for i in self.form.items}:
                raise AnswerRejected(_("Utkastet nämner frågan {item}, som inte finns i det här "
                                       "formuläret.").format(item=item_id))
            self.responses[item_id] = Response(int(code), tuple((int(a), int(b))
                                                                for a, b in methods))
        self.position = max(0, min(int(state["position"]), len(self.form.items)))
        self.disposition = Disposition(state["disposition"]) if state["disposition"] else None
        self.break_reason = state["break_reason"]
        self.adhoc = {str(i) for i in state.get("adhoc", [])}
        reason = state.get("decline_reason")       # drafts saved before 2026.2 have none
        self.decline_reason = int(reason) if reason is not None else None
