"""The interview engine: eligibility, respondent sessions and the follow-up. No UI here.

The names below load their module on first use: opening the store needs only eligibility's
follow-up window (store.glance), not the whole engine and the instrument loader behind it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ubu_tui.interview.eligibility import Eligibility, LegalBasis, check
    from ubu_tui.interview.followup import FollowUp, FollowUpRecord, Setup
    from ubu_tui.interview.session import (
        AnswerRejected,
        BreakReason,
        Consent,
        Disposition,
        Mode,
        OutcomeKind,
        RespondentSession,
        Response,
    )

_WHERE = {
    "Eligibility": "eligibility", "LegalBasis": "eligibility", "check": "eligibility",
    "FollowUp": "followup", "FollowUpRecord": "followup", "Setup": "followup",
    "AnswerRejected": "session", "BreakReason": "session", "Consent": "session",
    "Disposition": "session", "Mode": "session", "OutcomeKind": "session",
    "RespondentSession": "session", "Response": "session",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(name)  # the import protocol's, for a developer: no wording
    return getattr(import_module(f"{__name__}.{module}"), name)


__all__ = [
    "AnswerRejected", "BreakReason", "Consent", "Disposition", "Eligibility", "FollowUp",
    "FollowUpRecord", "LegalBasis", "Mode", "OutcomeKind", "RespondentSession", "Response",
    "Setup", "check",
]
