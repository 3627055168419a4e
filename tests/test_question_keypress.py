"""One keypress on the question screen: only what changes is drawn, and the save keeps up.

The durable save follows the next item onto the screen; these tests hold the promise that
goes with it: no answer is confirmed before the one before it is stored, and what the screen
shows is what a full layout pass would show.
"""

from __future__ import annotations

import gc

import pytest
from textual._compositor import ChopsUpdate, LayoutUpdate
from textual.geometry import Region
from textual.widgets import Static

from tests.keys import burst, plan
from tests.test_keys import SETUP
from tests.ui import key_for, new_app, press, start_followup
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


class Terminal:
    """What the terminal shows: every frame the app sends, applied cell by cell as a terminal
    would (a full frame, or only the changed spans of changed rows)."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], tuple[str, object]] = {}

    def put(self, x: int, y: int, strip, x1: int = 0, x2: int = 10_000) -> None:
        for segment in strip:
            if segment.control:
                continue
            style = segment.style.clear_meta_and_links() if segment.style else None
            for char in segment.text:     # the screens in these tests have no wide characters
                if x1 <= x < x2:
                    self.cells[x, y] = (char, style)
                x += 1

    def frame(self, update) -> None:
        if isinstance(update, LayoutUpdate):
            for y, line in enumerate(update.strips):
                x = 0
                for strip in line:
                    self.put(x, y, strip)
                    x += strip.cell_length
        elif isinstance(update, ChopsUpdate):
            for y, x1, x2 in update.spans:
                for end, (x, strip) in zip(update.chop_ends[y], update.chops[y].items(),
                                           strict=False):
                    if strip is not None and x <= x2 and end > x1:
                        self.put(x, y, strip, x1, x2 + 1)

    @classmethod
    def of(cls, app) -> Terminal:
        """A terminal that keeps every frame `app` sends (the headless driver writes nothing)."""
        terminal = cls()
        display = app._display

        def shown(screen, update, display=display, terminal=terminal):
            terminal.frame(update)
            display(screen, update)

        app._display = shown
        return terminal

    def text(self, width: int, height: int) -> list[str]:
        return ["".join(self.cells.get((x, y), ("?", None))[0] for x in range(width))
                for y in range(height)]


@pytest.mark.parametrize("enter_confirms", [False, True], ids=["one-key", "enter-confirms"])
async def test_what_the_terminal_shows_after_each_key_is_what_a_full_redraw_shows(
        engine, enter_confirms):
    """Only the rows a key changed are drawn (and of the options only the lines that changed):
    after every key of a whole part, in either answer mode, the terminal holds exactly what
    drawing the whole screen afresh gives, character and style."""
    # (one test per mode, so that the two whole parts are typed side by side)
    app = new_app(engine, enter_confirms=enter_confirms)
    async with app.run_test(size=(80, 24)) as pilot:
        terminal = Terminal.of(app)
        await start_followup(pilot)
        await press(pilot, "1", "1", "enter")
        await pilot.pause()
        screen = app.screen
        keys = 0
        while app.screen is screen and screen.item is not None:
            for key in key_for(screen.item, enter_confirms):
                await press(pilot, key)
                if app.screen is not screen:
                    break
                await pilot.pause()
                assert not screen._dirty_widgets and not screen._compositor._dirty_regions
                full = Terminal()   # every part drawn afresh, no line from a cache
                for widget in screen.walk_children(with_self=True):
                    widget.refresh()
                full.frame(screen._compositor.render_update(full=True))
                assert terminal.cells == full.cells, (
                    screen.item.id if screen.item else None,
                    terminal.text(80, 24), full.text(80, 24))
                keys += 1
        assert keys >= (40 if enter_confirms else 20)


async def test_the_garbage_collector_waits_while_a_key_is_served_and_only_then(engine):
    """A collection that falls due while a key is served runs after the screen it led to is
    drawn; it is put off for that key only, never left off (memory would grow)."""
    app = new_app(engine)
    paused: list[bool] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await start_followup(pilot)
        await press(pilot, "1", "1", "enter")
        screen = app.screen
        show = screen._show

        def showing() -> None:
            paused.append(not gc.isenabled())
            show()

        screen._show = showing
        while app.screen is screen and screen.item is not None and len(paused) < 10:
            await press(pilot, *key_for(screen.item))
            # the key has settled (its screen drawn, its answer stored) when nothing is held:
            # the Pilot's idle can come first on a loaded machine
            while app.keys_held():
                await pilot.pause()
            assert gc.isenabled()
    assert paused == [True] * 10
