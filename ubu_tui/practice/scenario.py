"""Scenarios: a scripted placement and respondents, with the correct coded answer per item.

A scenario is validated like an instrument, and more: its answer key is played through the
interview engine, so a key that routing would never reach, or an item it forgets, is rejected.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ubu_tui.errors import InstrumentError
from ubu_tui.i18n import _
from ubu_tui.instrument.loader import _find, _read_toml, instrument_by_version
from ubu_tui.instrument.model import NONRESPONSE, RESPONDENTS, AnswerType, Instrument
from ubu_tui.interview.eligibility import Eligibility, check
from ubu_tui.interview.followup import FollowUp, Setup
from ubu_tui.interview.session import (
    AnswerRejected,
    BreakReason,
    Consent,
    Mode,
    Response,
)
from ubu_tui.resources import data_dir

SCENARIO_KEYS = {"id", "title", "brief", "instrument", "placement", *RESPONDENTS}
PLACEMENT_KEYS = {"length_days", "ended_days_ago", "legal_basis", "age", "unit", "mode"}
SCRIPT_KEYS = {"consent", "consent_says", "decline_reason", "break_at", "break_reason",
               "break_says", "says"}


@dataclass(frozen=True)
class Line:
    says: str
    key: Response


@dataclass(frozen=True)
class Script:
    respondent: str
    consent: Consent
    consent_says: str
    lines: dict[str, Line]
    break_at: str | None = None
    break_reason: BreakReason | None = None
    break_says: str = ""
    decline_reason: int | None = None     # the key's reason when the script declines


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    brief: str
    instrument: Instrument
    length_days: int
    ended_days_ago: int
    legal_basis: int
    age: int
    unit: int
    mode: Mode
    scripts: dict[str, Script]
    file: str = ""

    def dates(self, today: date) -> tuple[date, date]:
        end = today - timedelta(days=self.ended_days_ago)
        return end - timedelta(days=self.length_days), end

    @property
    def eligibility_due(self) -> bool:
        """Due or not does not depend on the day: the dates are relative to it."""
        return self.eligibility(date(2026, 1, 1)).due

    def eligibility(self, today: date) -> Eligibility:
        start, end = self.dates(today)
        return check(start, end, today, self.legal_basis, self.age)

    def setup(self, today: date) -> Setup:
        verdict = self.eligibility(today)
        return Setup(municipality="0000", unit_id=self.unit, mode=self.mode,
                     legal_basis=self.legal_basis, age=self.age,
                     length_band=verdict.length_band, youth_form=verdict.youth_form)


def scenarios_dir() -> Path:
    return data_dir() / "scenarios"


def load_all() -> list[Scenario]:
    return [load_scenario(p) for p in sorted(scenarios_dir().glob("*.toml"))]


def _key(raw: Any, item_id: str, instrument: Instrument, fail: Any) -> Response:
    item = instrument.items[item_id]
    if isinstance(raw, str):
        if raw not in NONRESPONSE:
            raise fail(_("nyckeln {key} för {item} är varken en kod eller en av {known}")
                        .format(key=repr(raw), item=item_id, known=', '.join(NONRESPONSE)), item_id)
        return Response(NONRESPONSE[raw].code)
    if isinstance(raw, list):
        if item.type is not AnswerType.MULTI:
            raise fail(_("en listnyckel är bara för flerval, inte för {item}")
                        .format(item=item_id), item_id)
        pairs = tuple(sorted((int(m), int(a)) for m, a in raw))
        return Response(len(pairs), pairs)
    if not isinstance(raw, int):
        raise fail(_("nyckeln för {item} ska vara en kod, ett bortfallsnamn eller en lista")
                    .format(item=item_id), item_id)
    return Response(raw)


def load_scenario(path: Path | str) -> Scenario:
    path = Path(path)
    data, raw = _read_toml(path)
    file = str(path)

    def fail(rule: str, near: str | None = None) -> InstrumentError:
        return InstrumentError(rule, file=file, line=_find(raw, near) if near else None)

    unknown = set(data) - SCENARIO_KEYS
    if unknown:
        raise fail(_("okända nycklar {keys}")
                    .format(keys=', '.join(sorted(unknown))), sorted(unknown)[0])
    for key in ("id", "title", "brief", "instrument", "placement"):
        if not data.get(key):
            raise fail(_("'{key}' saknas").format(key=key))
    instrument_key = str(data["instrument"])
    if "@" not in instrument_key:
        raise fail(_("'instrument' ska vara id@version, till exempel ubu-vb@2026.1"), "instrument")
    try:
        instrument = instrument_by_version(*instrument_key.split("@", 1))
    except InstrumentError as err:
        raise fail(str(err), "instrument") from None
    place = data["placement"]
    if set(place) != PLACEMENT_KEYS:
        raise fail(_("[placement] behöver exakt {keys}")
                    .format(keys=', '.join(sorted(PLACEMENT_KEYS))), "[placement]")
    scripts: dict[str, Script] = {}
    for respondent in RESPONDENTS:
        if respondent not in data:
            continue
        spec = data[respondent]
        extra = set(spec) - SCRIPT_KEYS
        if extra:
            raise fail(_("[{respondent}] har okända nycklar {keys}")
                        .format(respondent=respondent, keys=', '.join(sorted(extra))),
                                f"[{respondent}")
        try:
            consent = Consent(spec.get("consent", "given"))
        except ValueError:
            raise fail(_("[{respondent}] samtycket {consent} är inte ett av {known}")
                        .format(respondent=respondent, consent=repr(spec.get('consent')),
                                known=', '.join(c.value for c in Consent)),
                                f"[{respondent}]") from None
        lines: dict[str, Line] = {}
        for item_id, line in (spec.get("says") or {}).items():
            if item_id not in instrument.items or instrument.items[item_id].respondent \
                    != respondent:
                raise fail(_("[{respondent}.says] nämner frågan {item}, som inte finns i "
                             "formuläret för {respondent} i {instrument}")
                            .format(respondent=respondent, item=repr(item_id),
                                    instrument=instrument.key), item_id)
            if not isinstance(line, dict) or set(line) != {"says", "key"}:
                raise fail(_("{item} behöver {{ says = \"…\", key = … }}")
                            .format(item=item_id), item_id)
            lines[item_id] = Line(str(line["says"]), _key(line["key"], item_id, instrument,
                                                          fail))
        declined_why = spec.get("decline_reason")
        if declined_why is not None and (isinstance(declined_why, bool)
                                         or not isinstance(declined_why, int)):
            raise fail(_("[{respondent}] decline_reason ska vara en skälkod (ett heltal)")
                        .format(respondent=respondent), "decline_reason")
        break_at = spec.get("break_at")
        reason = spec.get("break_reason")
        if break_at is not None and break_at not in instrument.items:
            raise fail(_("break_at nämner den okända frågan {item}")
                        .format(item=repr(break_at)), "break_at")
        if (break_at is None) != (reason is None):
            raise fail(_("break_at och break_reason anges tillsammans"), "break_at")
        try:
            why = BreakReason(int(reason)) if reason is not None else None
        except (TypeError, ValueError):
            raise fail(_("break_reason {reason} är inte ett av {known}")
                        .format(reason=repr(reason),
                                known=", ".join(str(r.value) for r in BreakReason)),
                       "break_reason") from None
        scripts[respondent] = Script(
            respondent, consent, str(spec.get("consent_says", "")), lines, break_at, why,
            str(spec.get("break_says", "")),
            declined_why)
    number: dict[str, int] = {}
    for key in sorted(PLACEMENT_KEYS):
        try:
            number[key] = int(place[key])
        except (TypeError, ValueError):
            raise fail(_("[placement] {key} ska vara ett heltal, inte {value}")
                        .format(key=key, value=repr(place[key])), key) from None
    try:
        mode = Mode(number["mode"])
    except ValueError:
        raise fail(_("[placement] mode {mode} är inte ett av {known}")
                    .format(mode=number["mode"], known=", ".join(str(m.value) for m in Mode)),
                   "mode") from None
    scenario = Scenario(
        id=str(data["id"]), title=str(data["title"]), brief=" ".join(str(data["brief"]).split()),
        instrument=instrument, length_days=number["length_days"],
        ended_days_ago=number["ended_days_ago"], legal_basis=number["legal_basis"],
        age=number["age"], unit=number["unit"], mode=mode, scripts=scripts, file=file)
    if scenario.eligibility_due:
        if not scripts:
            raise fail(_("en placering som är aktuell för uppföljning behöver ett manus för "
                         "minst en respondent"))
        for script in scripts.values():
            _play(scenario, script, fail)
        _consistent(scenario, fail)
    elif scripts:
        raise fail(_("placeringen är inte aktuell för uppföljning, så ingen respondent får ha "
                     "manus"))
    return scenario


def _play(scenario: Scenario, script: Script, fail: Any) -> None:
    """Play the key through the engine: every item it reaches must have a valid key."""
    followup = FollowUp.open(scenario.instrument, scenario.setup(date(2026, 1, 1)))
    session = followup.session(script.respondent)
    try:
        session.set_consent(script.consent, script.decline_reason)
    except AnswerRejected as err:
        raise fail(_("[{respondent}] samtycke: {reason}")
                    .format(respondent=script.respondent, reason=err),
                            f"[{script.respondent}]") from None
    while session.current is not None:
        item = session.current
        if item.id == script.break_at:
            return
        line = script.lines.get(item.id)
        if line is None:
            if item.id in session.responses:     # prefilled from the placement facts
                session.answer(session.responses[item.id])
                continue
            raise fail(_("[{respondent}] når {item} men har ingen replik för den")
                        .format(respondent=script.respondent, item=item.id),
                                f"[{script.respondent}")
        try:
            session.answer(line.key)
        except AnswerRejected as err:
            raise fail(_("nyckeln för {item}: {reason}")
                        .format(item=item.id, reason=err), item.id) from None
    if script.break_at is not None:
        raise fail(_("break_at {item} nås aldrig").format(item=script.break_at), "break_at")


def _consistent(scenario: Scenario, fail: Any) -> None:
    """The same words on the same scale are the same answer: a trainee cannot learn a key that
    scores "Ja." as 5 on one item and 4 on the next."""
    seen: dict[tuple[str, str], tuple[int, str]] = {}
    for script in scenario.scripts.values():
        form = scenario.instrument.forms[script.respondent]
        for item_id, line in script.lines.items():
            item = form.items[form.index_of(item_id)]
            if not item.scale or line.key.methods:
                continue
            said = " ".join(line.says.lower().split()).rstrip(".!")
            code, where = seen.setdefault((item.scale, said), (line.key.code, item_id))
            if code != line.key.code:
                raise fail(_("nyckeln för {item}: «{says}» är {code} här men {other} vid "
                             "{where} på samma skala")
                           .format(item=item_id, says=line.says, code=line.key.code,
                                   other=code, where=where), item_id)


def parse_text(text: str, name: str = "scenario.toml") -> Scenario:
    """For tests and fuzzing: load from text through the same checks."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_text(text, encoding="utf-8")
        return load_scenario(path)


__all__ = ["Line", "Scenario", "Script", "load_all", "load_scenario", "parse_text"]
