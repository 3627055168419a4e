"""A whole follow-up, headless, run by the Python of an installed ubu-tui (the wheel test).

Run as a plain script from outside the checkout, so only the installed package is importable:
`python headless_followup.py DATABASE_URL LANGUAGE`. The youth declines, the guardian is not
reachable, the caseworker answers every item; then the follow-up is submitted. Prints
`submitted`, the interface languages found and one English catalogue entry; an assertion
that fails exits 1 with the screen it stopped on.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import date

from textual.pilot import Pilot

from ubu_tui.app import make_app
from ubu_tui.config import Settings
from ubu_tui.instrument.model import AnswerType
from ubu_tui.store import open_store


def screen_name(app) -> str:
    return type(app.screen).__name__


async def press(pilot: Pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await pilot.pause()


async def follow_up(url: str, language: str) -> None:
    engine = open_store(url)
    app = make_app(Settings(municipality="0180", language=language), engine=engine,
                   today=date(2026, 11, 22))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await press(pilot, "n")
        await press(pilot, *"2026-06-01")
        await press(pilot, "tab", *"2026-11-10")
        await press(pilot, "tab", "enter", "down", "down", "enter")   # LVU
        await press(pilot, "tab", *"16")
        await press(pilot, "f4", *"älv", "enter", "ctrl+s")
        assert screen_name(app) == "FollowUpScreen", screen_name(app)
        await press(pilot, "1", "2", "enter")           # the young person declines
        if screen_name(app) == "ChoiceDialog":           # why (2026.2 asks for a coded reason)
            await press(pilot, "1")
        await press(pilot, "2", "3", "enter")           # the guardian is not reachable
        await press(pilot, "3", "1", "enter")           # the caseworker's own items
        for _ in range(80):
            item = getattr(app.screen, "item", None)
            if screen_name(app) != "QuestionScreen" or item is None:
                break
            if item.type is AnswerType.MULTI:
                keys = ["1", "enter"]
            elif item.prefill:
                keys = ["enter"]
            else:
                keys = ["1", "enter"]
            await press(pilot, *keys)
        assert screen_name(app) == "ReviewScreen", screen_name(app)
        await press(pilot, "k", "s")
        if getattr(app.screen, "mismatch", None):       # unit type not the registry's: correct it
            await press(pilot, "r")
            if screen_name(app) != "SubmitScreen":
                await press(pilot, "s")
        await press(pilot, "ctrl+s")
        assert screen_name(app) == "HomeScreen", screen_name(app)
    print("submitted")
    # the interface catalogue that the wheel compiled, read from the installed package
    from ubu_tui.i18n import catalog, interface_languages, locales_dir

    print("languages:", " ".join(interface_languages()), "from", locales_dir())
    print("en:", catalog("en", "ubu").gettext("Ny uppföljning"))


if __name__ == "__main__":
    asyncio.run(follow_up(sys.argv[1], sys.argv[2]))
