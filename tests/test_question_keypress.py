"""One keypress on the question screen: only what changes is drawn, and the save keeps up.

The durable save follows the next item onto the screen; these tests hold the promise that
goes with it: no answer is confirmed before the one before it is stored, and what the screen
shows is what a full layout pass would show.
"""

from __future__ import annotations

from textual.geometry import Region
from textual.widgets import Static

from tests.keys import burst, plan
from tests.test_keys import SETUP
from tests.ui import new_app, press, start_followup
from ubu_tui.interview.session import RespondentSession
from ubu_tui.store import drafts


async def test_no_answer_is_confirmed_before_the_one_before_it_is_stored(engine, monkeypatch):
    app = new_app(engine, municipality="")
    keys, expected = plan(app.instrument.forms["youth"])
    events: list[tuple[str, int]] = []
    answer, save = RespondentSession.answer, drafts.save_draft

    def answering(session, response):
        events.append(("answer", len(session.responses)))
        return answer(session, response)

    def saving(engine, followup, label, scenario=None):
        save(engine, followup, label, scenario)
        events.append(("saved", len(followup.session("youth").responses)))

    monkeypatch.setattr(RespondentSession, "answer", answering)
    monkeypatch.setattr(drafts, "save_draft", saving)
    async with app.run_test(size=(80, 24)) as pilot:
        # the whole part typed faster than the app can draw it
        await burst(pilot, app, [*SETUP, "1", "1", "enter", *keys])
        youth = app.screen.followup.session("youth")
        assert youth.responses == expected
        answers = [n for what, n in events if what == "answer"]
        assert len(answers) == len(expected)
        for before, after in zip(events, events[1:], strict=False):
            assert not (before[0] == after[0] == "answer"), events   # a save between any two
        stored, _ = drafts.load_draft(engine, app.screen.followup.id)
        assert stored.session("youth").responses == expected


async def test_the_saved_line_names_the_answer_only_once_it_is_stored(engine):
    app = new_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_followup(pilot)
        await press(pilot, "1", "1", "enter")
        first = app.screen.item
        await press(pilot, "4")
        note = str(app.screen.query_one("#q-saved", Static).render())
        assert note.startswith(f"Sparat: {first.id} = 4")
        stored, _ = drafts.load_draft(engine, app.screen.followup.id)
        assert first.id in stored.session("youth").responses


async def test_every_item_is_laid_out_as_a_full_layout_pass_would_lay_it_out(engine):
    """Parts are redrawn without a layout pass when their height stays: check each item."""
    app = new_app(engine, enter_confirms=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_followup(pilot)
        await press(pilot, "1", "1", "enter")
        screen = app.screen
        seen = 0
        while type(app.screen).__name__ == "QuestionScreen" and screen.item is not None:
            parts = list(screen.query("QuestionView Static"))
            drawn = {p.id: (p.region, p.display) for p in parts}
            screen.refresh(layout=True)
            for part in parts:
                part.refresh(layout=True)
            await pilot.pause()
            assert {p.id: (p.region, p.display) for p in parts} == drawn, screen.item.id
            digit = "2" if screen.item.id == "y_violation" else "1"
            await press(pilot, digit, "enter")
            seen += 1
        assert seen >= 20


async def test_the_options_stay_put_from_item_to_item_and_no_empty_instruction_bar(engine):
    """The parts keep their rows from item to item: the caseworker's eyes find the options in
    the same place, and an item without an instruction shows no instruction bar."""
    app = new_app(engine, enter_confirms=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_followup(pilot)
        await press(pilot, "1", "1", "enter")
        screen = app.screen
        tops: list[int] = []
        blank_checked = 0
        while type(app.screen).__name__ == "QuestionScreen" and screen.item is not None:
            options = screen.query_one("#q-options", Static)
            tops.append(options.region.y)
            instruction = screen.query_one("#q-instruction", Static)
            if not screen.item.instruction and not screen.item.sensitive:
                width, height = instruction.outer_size
                lines = instruction.render_lines(Region(0, 0, width, height))
                assert all(not strip.text.strip() for strip in lines), screen.item.id
                blank_checked += 1
            digit = "2" if screen.item.id == "y_violation" else "1"
            await press(pilot, digit, "enter")
        assert blank_checked >= 10
        most = max(set(tops), key=tops.count)
        assert tops.count(most) >= len(tops) - 2, tops   # only the long sensitive item moves
