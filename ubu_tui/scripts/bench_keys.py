"""Keys a caseworker presses: a whole follow-up and a paper form, typed into the real app.

    python -m ubu_tui.scripts.bench_keys

Drives the app headless (Textual's test driver) with the answers a caseworker would give: a
digit on scales and choices, Enter on what the set-up filled in, the method list on its own
keys. Counts the keys pressed on the question screens per answered item, and every key from
opening a part to closing it (consent and closing included).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date

from ubu_tui.instrument.model import AnswerType, Item

OPEN_KEYS = {"youth": "1", "guardian": "2", "caseworker": "3"}


@dataclass
class Count:
    answer_keys: int = 0      # keys on the question screens
    answered: int = 0         # items answered (routing skips not counted)
    part_keys: int = 0        # every key from opening the parts to closing them

    @property
    def per_item(self) -> float:
        return self.answer_keys / self.answered if self.answered else 0.0


def answer_keys(item: Item, enter_confirms: bool = False) -> list[str]:
    if item.type is AnswerType.MULTI:
        return ["1", "2", "2", "enter"]      # two methods, the second not as intended
    if item.prefill:
        return ["enter"]                     # confirm what the set-up filled in
    digit = "2" if item.sensitive else "4" if item.type is AnswerType.SCALE else "1"
    return [digit, "enter"] if enter_confirms else [digit]


async def type_parts(respondents: tuple[str, ...], *, paper: bool = False,
                     enter_confirms: bool = False) -> Count:
    from textual import events

    from ubu_tui.app import make_app
    from ubu_tui.config import Settings
    from ubu_tui.instrument import default_instrument
    from ubu_tui.interview import FollowUp, Mode, Setup
    from ubu_tui.resources import data_dir
    from ubu_tui.screens.followup import FollowUpScreen
    from ubu_tui.store import open_store
    from ubu_tui.store.registry import import_units

    engine = open_store("sqlite://")
    import_units(engine, data_dir() / "registry" / "demo-units.csv")
    instrument = default_instrument()
    mode = Mode.PAPER if paper else Mode.IN_PERSON
    followup = FollowUp.open(instrument, Setup("0180", 1003, mode, 2, 16, 3, True))
    app = make_app(Settings(municipality="0180", enter_confirms=enter_confirms), engine=engine,
                   instrument=instrument, today=date(2026, 11, 22))
    count = Count()
    async with app.run_test(size=(80, 24)) as pilot:
        async def send(*keys: str) -> None:
            for key in keys:
                char = {"enter": "\r"}.get(key, key if len(key) == 1 else None)
                app.post_message(events.Key(key, char))
            for _ in range(500):
                await pilot.pause()
                if not app.keys_held():
                    return
            raise RuntimeError("keys still held")

        await app.push_screen(FollowUpScreen(followup, "bench"))
        await pilot.pause()
        for respondent in respondents:
            await send(OPEN_KEYS[respondent])
            count.part_keys += 1
            if type(app.screen).__name__ == "ConsentScreen":
                await send("1", "enter")
                count.part_keys += 2
            while (item := getattr(app.screen, "item", None)) is not None:
                keys = answer_keys(item, enter_confirms)
                await send(*keys)
                if type(app.screen).__name__ == "NoticeDialog":
                    await send("enter")
                    count.answer_keys += 1
                    count.part_keys += 1
                count.answer_keys += len(keys)
                count.part_keys += len(keys)
                count.answered += 1
            await send("k")
            count.part_keys += 1
            if followup.session(respondent).disposition is None:
                raise RuntimeError(f"the {respondent} part did not close")
    engine.dispose()
    return count


def main() -> None:
    whole = asyncio.run(type_parts(("youth", "guardian", "caseworker")))
    old = asyncio.run(type_parts(("youth", "guardian", "caseworker"), enter_confirms=True))
    paper = asyncio.run(type_parts(("youth",), paper=True))
    print(f"whole follow-up, one key per answer: {whole.per_item:.2f} keys per answered item "
          f"({whole.answer_keys} keys / {whole.answered} items; {whole.part_keys} keys with "
          "opening, consent and closing)  (aim ≤ 1.1)")
    print(f"whole follow-up, --enter-confirms:   {old.per_item:.2f} keys per answered item "
          f"({old.answer_keys} keys / {old.answered} items; {old.part_keys} with opening, "
          "consent and closing)")
    print(f"paper youth form: {paper.part_keys} keys from opening the part to closing it, "
          f"{paper.answered} items  (aim ≤ 30 keys)")


if __name__ == "__main__":
    main()
