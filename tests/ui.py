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
    await pilot.press(*keys)
    await pilot.pause()


async def start_followup(pilot: Pilot, *, start="2026-06-01", end="2026-11-10", basis_downs=2,
                         age="16", unit="älv") -> None:
    """Home → set-up → follow-up overview. basis_downs=2 picks LVU."""
    await press(pilot, "n")
    await press(pilot, *start)
    await press(pilot, "tab", *end)
    await press(pilot, "tab", "enter", *["down"] * basis_downs, "enter")
    await press(pilot, "tab", *age)
    await press(pilot, "f4")
    await press(pilot, *unit)
    await press(pilot, "enter")
    await press(pilot, "ctrl+s")


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


async def answer_until_review(pilot: Pilot, app: UbuApp, stop_at: str | None = None) -> None:
    """Answer the open items of the current question screen; stop at review or `stop_at`."""
    for _ in range(60):
        screen = app.screen
        item = getattr(screen, "item", None)
        if type(screen).__name__ != "QuestionScreen" or item is None:
            return
        if item.id == stop_at:
            return
        await press(pilot, *key_for(item, app.settings.enter_confirms))


async def run_session(pilot: Pilot, app: UbuApp, key: str, consent: str = "1") -> None:
    """From the overview: open a session, give consent, answer all, close it at review."""
    await press(pilot, key)
    if key != "3":                     # the caseworker's own part has no consent step
        await press(pilot, consent, "enter")
    if consent == "1":
        await answer_until_review(pilot, app)
        assert type(app.screen).__name__ == "ReviewScreen"
        await press(pilot, "k")
    assert type(app.screen).__name__ == "FollowUpScreen"
