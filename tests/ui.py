"""Driving the app with keys only, as a caseworker would."""

from __future__ import annotations

from textual.pilot import Pilot

from tests.conftest import TODAY
from ubu_tui.app import UbuApp, make_app
from ubu_tui.config import Settings
from ubu_tui.instrument.model import AnswerType


def new_app(engine, practice_engine=None, **settings) -> UbuApp:
    return make_app(Settings(**{"municipality": "0180", **settings}), engine=engine, today=TODAY,
                    practice_engine=practice_engine)


async def wait_until(pilot: Pilot, condition, deadline: float = 120.0) -> None:
    """Let the app run until `condition()` holds; the deadline only ends a hung test."""
    import time

    end = time.monotonic() + deadline
    while not condition():
        assert time.monotonic() < end, "the app never reached the expected state"
        await pilot.pause(0.02)


async def press(pilot: Pilot, *keys: str) -> None:
    """Keys at a steady pace: the Pilot waits for the app to go idle after each one."""
    await pilot.press(*keys)
    await pilot.pause()


async def type_keys(pilot: Pilot, *keys: str) -> None:
    """Keys as a practised caseworker types them: all sent at once, then wait until every one
    has landed. The app's type-ahead hands them on one at a time (tests/test_keys.py shows none
    is lost), so the outcome is the same as with `press`; what is saved is the Pilot's sleep of
    at least 60 ms per key and the timers that fire meanwhile, most of a driven follow-up's
    time. Tests that drive a whole follow-up only to reach or read a state type this way; the
    ones marked `paced` keep the steady pace end to end."""
    from tests.keys import burst

    await burst(pilot, pilot.app, list(keys))  # type: ignore[arg-type]


async def start_followup(pilot: Pilot, *, start="2026-06-01", end="2026-11-10", basis_downs=2,
                         age="16", unit="älv", paced: bool = False) -> None:
    """Home → set-up → follow-up overview. basis_downs=2 picks LVU."""
    steps = [["n"], [*start], ["tab", *end], ["tab", "enter", *["down"] * basis_downs, "enter"],
             ["tab", *age], ["f4"], [*unit], ["enter"], ["ctrl+s"]]
    if not paced:
        await type_keys(pilot, *(key for step in steps for key in step))
        return
    for step in steps:
        await press(pilot, *step)


def key_for(item, enter_confirms: bool = False) -> list[str]:
    """A plausible answer per item: 4 on scales, 1 on choices, prefilled items confirmed.

    One key per answer unless the app was started with `enter_confirms`.
    """
    if item.type is AnswerType.MULTI:
        return ["1", "2", "2", "enter"]       # method 1 as intended, method 2 not as intended
    if item.prefill:
        return ["enter"]                      # confirm what the set-up filled in
    # y_violation: no; cw_unit_type: SiS, the registry's type of the unit start_followup picks
    # (Älvgården), so that submission finds nothing to check against the registry
    digit = ("2" if item.id in ("y_violation", "cw_unit_type")
             else "4" if item.type is AnswerType.SCALE else "1")
    return [digit, "enter"] if enter_confirms else [digit]


async def answer_until_review(pilot: Pilot, app: UbuApp, stop_at: str | None = None, *,
                              paced: bool = False) -> None:
    """Answer the open items of the current question screen; stop at review or `stop_at`."""
    send = press if paced else type_keys
    for _ in range(60):
        screen = app.screen
        item = getattr(screen, "item", None)
        if type(screen).__name__ != "QuestionScreen" or item is None:
            return
        if item.id == stop_at:
            return
        await send(pilot, *key_for(item, app.settings.enter_confirms))


async def run_session(pilot: Pilot, app: UbuApp, key: str, consent: str = "1", *,
                      paced: bool = False, decline_reason: str = "1") -> None:
    """From the overview: open a session, give consent, answer all, close it at review.
    A decline ("2") is recorded with `decline_reason` where the form asks for one."""
    send = press if paced else type_keys
    await send(pilot, key)
    if key != "3":                     # the caseworker's own part has no consent step
        await send(pilot, consent, "enter")
        if type(app.screen).__name__ == "ChoiceDialog":     # why the respondent declined
            await send(pilot, decline_reason)
    if consent == "1":
        await answer_until_review(pilot, app, paced=paced)
        assert type(app.screen).__name__ == "ReviewScreen"
        await send(pilot, "k")
    assert type(app.screen).__name__ == "FollowUpScreen"
