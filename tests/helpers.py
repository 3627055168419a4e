"""Scripted answers shared by engine, store and UI tests."""

from __future__ import annotations

from ubu_tui.instrument.model import AnswerType, Item
from ubu_tui.interview import Consent, FollowUp, RespondentSession, Response


def first_answer(item: Item) -> Response:
    """A valid substantive answer for any item type."""
    if item.type is AnswerType.AGE:
        return Response(16)
    if item.type is AnswerType.UNIT:
        return Response(1003)
    if item.type is AnswerType.MULTI:
        return Response(2, ((item.options[0].code, 1), (item.options[1].code, 2)))
    if item.id == "y_violation":
        return Response(2)
    return Response(item.options[-1].code)


def answer_all(session: RespondentSession) -> None:
    if session.consent is None:
        session.set_consent(Consent.GIVEN)
    while True:
        if session.current is None:
            left = session.unanswered()
            if not left:
                return
            session.jump(left[0].id)      # items passed over by a jump ahead
        item = session.current
        session.answer(session.responses.get(item.id) or first_answer(item))


def complete_all(followup: FollowUp) -> FollowUp:
    for session in followup.sessions.values():
        if not session.closed:
            answer_all(session)
            session.complete()
    return followup
