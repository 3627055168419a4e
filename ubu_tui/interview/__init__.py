"""The interview engine: eligibility, respondent sessions and the follow-up. No UI here."""

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

__all__ = [
    "AnswerRejected", "BreakReason", "Consent", "Disposition", "Eligibility", "FollowUp",
    "FollowUpRecord", "LegalBasis", "Mode", "OutcomeKind", "RespondentSession", "Response",
    "Setup", "check",
]
