"""A follow-up: the set-up facts and the three respondent sessions, saved as coded state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ubu_tui.i18n import _
from ubu_tui.identifiers import new_record_id
from ubu_tui.instrument.model import RESPONDENTS, Instrument
from ubu_tui.interview.eligibility import AGE_OF_MAJORITY
from ubu_tui.interview.session import (
    AnswerRejected,
    Mode,
    RespondentSession,
    Response,
    SessionOutcome,
)


@dataclass(frozen=True)
class Setup:
    """What the set-up screen establishes. Coded values only: no dates, no names."""

    municipality: str        # four-digit municipality code
    unit_id: int             # provider unit in the registry
    mode: Mode
    legal_basis: int
    age: int                 # whole years at follow-up
    length_band: int         # code of cw_length
    youth_form: bool         # False outside ages 12–21
    unaccompanied: int = 0   # eligibility.Unaccompanied; drafts from before 2026.2 have none


@dataclass(frozen=True)
class FollowUpRecord:
    """What a submission stores: nothing else leaves the interview."""

    id: str
    instrument_id: str
    instrument_version: str
    municipality: str
    unit_id: int
    sessions: tuple[SessionOutcome, ...]


def new_id() -> str:
    return new_record_id()


class FollowUp:
    def __init__(self, instrument: Instrument, setup: Setup, *,
                 followup_id: str | None = None) -> None:
        self.id = followup_id or new_id()
        self.instrument = instrument
        self.setup = setup
        of_age = setup.age >= AGE_OF_MAJORITY
        self.sessions: dict[str, RespondentSession] = {
            r: RespondentSession(instrument.forms[r], mode=setup.mode, youth_of_age=of_age)
            for r in RESPONDENTS
        }

    @classmethod
    def open(cls, instrument: Instrument, setup: Setup) -> FollowUp:
        followup = cls(instrument, setup)
        if not setup.youth_form:
            followup.sessions["youth"].mark_not_eligible()
        prefills = {"unit": setup.unit_id, "age": setup.age, "legal_basis": setup.legal_basis,
                    "length_band": setup.length_band,
                    # cw_unaccompanied: 1 yes, 2 no
                    "unaccompanied": 1 if setup.unaccompanied else 2}
        caseworker = followup.sessions["caseworker"]
        for item in caseworker.form.items:
            if item.prefill and prefills.get(item.prefill):
                caseworker.prefill(item.id, Response(int(prefills[item.prefill])))
        return followup

    def session(self, respondent: str) -> RespondentSession:
        return self.sessions[respondent]

    def open_sessions(self) -> list[str]:
        return [r for r, s in self.sessions.items() if not s.closed]

    @property
    def ready(self) -> bool:
        return not self.open_sessions()

    def record(self) -> FollowUpRecord:
        left = self.open_sessions()
        if left:
            raise AnswerRejected(_("Fortfarande öppna: {sessions}.")
                                 .format(sessions=", ".join(left)))
        unit = self.sessions["caseworker"].responses.get("cw_unit")
        return FollowUpRecord(
            id=self.id, instrument_id=self.instrument.id,
            instrument_version=self.instrument.version, municipality=self.setup.municipality,
            unit_id=unit.code if unit else self.setup.unit_id,
            sessions=tuple(s.outcome() for s in self.sessions.values()),
        )

    def to_state(self) -> dict[str, Any]:
        s = self.setup
        return {
            "id": self.id, "instrument": [self.instrument.id, self.instrument.version],
            "setup": {"municipality": s.municipality, "unit_id": s.unit_id, "mode": int(s.mode),
                      "legal_basis": s.legal_basis, "age": s.age,
                      "length_band": s.length_band, "youth_form": s.youth_form,
                      "unaccompanied": s.unaccompanied},
            "sessions": {r: sess.to_state() for r, sess in self.sessions.items()},
        }

    @classmethod
    def from_state(cls, instrument: Instrument, state: dict[str, Any]) -> FollowUp:
        if list(state["instrument"]) != [instrument.id, instrument.version]:
            raise AnswerRejected(
                _("Utkastet påbörjades med {started}, inte {instrument}.").format(
                    started=f"{state['instrument'][0]}@{state['instrument'][1]}",
                    instrument=instrument.key))
        raw = state["setup"]
        setup = Setup(municipality=str(raw["municipality"]), unit_id=int(raw["unit_id"]),
                      mode=Mode(raw["mode"]), legal_basis=int(raw["legal_basis"]),
                      age=int(raw["age"]), length_band=int(raw["length_band"]),
                      youth_form=bool(raw["youth_form"]),
                      unaccompanied=int(raw.get("unaccompanied", 0)))
        followup = cls(instrument, setup, followup_id=str(state["id"]))
        for respondent, sess_state in state["sessions"].items():
            followup.sessions[respondent].load_state(sess_state)
        return followup
