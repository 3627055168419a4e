"""Compare a practice interview with the scenario's answer key; say what differed and score it."""

from __future__ import annotations

from dataclasses import dataclass, field

from ubu_tui.i18n import N_
from ubu_tui.instrument.model import NONRESPONSE_BY_CODE
from ubu_tui.interview.followup import FollowUp
from ubu_tui.interview.session import Consent, Disposition, Response
from ubu_tui.practice.scenario import Scenario

KINDS = {
    "eligibility": N_("Bedömningen om uppföljningen ska göras"),
    "consent": N_("Samtyckessteget"),
    "different_code": N_("Annat svar än nyckeln"),
    "nonresponse_for_value": N_("Kod för uteblivet svar där ett svar gavs"),
    "value_for_nonresponse": N_("Svar registrerat där respondenten inte svarade"),
    "not_asked": N_("Frågan ställdes inte"),
    "break": N_("Avbrottet"),
}


@dataclass(frozen=True)
class Mistake:
    kind: str
    respondent: str | None
    item_id: str | None
    expected: str
    recorded: str
    want: Response | None = None         # the responses behind an item mistake, for display
    got: Response | None = None


@dataclass(frozen=True)
class Feedback:
    scenario: str
    checks: int
    mistakes: tuple[Mistake, ...]
    sensitive_ok: bool | None            # None when the scenario never reaches the item
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def score(self) -> int:
        return round(100 * (self.checks - len(self.mistakes)) / self.checks) if self.checks else 0


def describe(response: Response | None) -> str:
    if response is None:
        return "–"
    if response.code < 0:
        return NONRESPONSE_BY_CODE[response.code].key
    if response.methods:
        return ",".join(f"{m}:{a}" for m, a in response.methods)
    return str(response.code)


def assess(scenario: Scenario, followup: FollowUp | None, started: bool,
           seconds: dict[str, float] | None = None) -> Feedback:
    """`started`: whether the trainee judged the follow-up due and started it."""
    due = scenario.eligibility_due
    mistakes: list[Mistake] = []
    checks = 1
    if started != due:
        mistakes.append(Mistake("eligibility", None, None, "due" if due else "not due",
                                "due" if started else "not due"))
    sensitive_ok: bool | None = None
    if not due or followup is None:
        return Feedback(scenario.id, checks, tuple(mistakes), sensitive_ok, seconds or {})
    for respondent, script in scenario.scripts.items():
        session = followup.session(respondent)
        checks += 1
        recorded = session.consent
        if recorded is not script.consent or (
                recorded is Consent.DECLINED and script.decline_reason is not None
                and session.decline_reason != script.decline_reason):
            mistakes.append(Mistake("consent", respondent, None, script.consent.value,
                                    recorded.value if recorded else "–"))
        if script.consent is not Consent.GIVEN or recorded is not Consent.GIVEN:
            continue
        items = [i.id for i in session.form.items]
        stop = items.index(script.break_at) if script.break_at else len(items)
        for item_id in items[:stop]:
            line = script.lines.get(item_id)
            if line is None:
                continue
            checks += 1
            got = session.responses.get(item_id)
            want = line.key
            ok = got == want
            item = scenario.instrument.item(item_id)
            if item.sensitive:
                sensitive_ok = ok if sensitive_ok is None else sensitive_ok and ok
            if ok:
                continue
            if got is None:
                kind = "not_asked"
            elif want.code >= 0 > got.code:
                kind = "nonresponse_for_value"
            elif want.code < 0 <= got.code:
                kind = "value_for_nonresponse"
            else:
                kind = "different_code"
            mistakes.append(Mistake(kind, respondent, item_id, describe(want), describe(got),
                                    want, got))
        checks += 1
        broke = session.disposition is Disposition.BROKE_OFF
        if script.break_at is not None:
            if not broke or session.break_reason != int(script.break_reason or 0):
                status = session.disposition.value if session.disposition else "–"
                mistakes.append(Mistake("break", respondent, script.break_at,
                                        f"broke_off {int(script.break_reason or 0)}",
                                        f"{status} {session.break_reason or ''}".strip()))
        elif broke:
            mistakes.append(Mistake("break", respondent, None, "completed", "broke_off"))
    return Feedback(scenario.id, checks, tuple(mistakes), sensitive_ok, seconds or {})
