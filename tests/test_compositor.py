"""The screen's compositor draws only what changed, and leaves out what is covered: what the
terminal holds after each key is what Textual's own compositor draws for the whole screen."""

from __future__ import annotations

from textual._compositor import Compositor

from tests.test_question_keypress import Terminal
from tests.ui import key_for, new_app, press, start_followup
from ubu_tui.compositor import RowsCompositor


def textuals_own(screen) -> Terminal:
    """The whole screen as Textual's compositor renders it: every widget, every row, front to
    back, none skipped."""
    compositor = screen._compositor
    for widget in screen.walk_children(with_self=True):
        widget.refresh()                    # no line from a cache
    terminal = Terminal()
    chops = Compositor._render_chops(compositor, compositor.size.region, lambda y: True)
    for y, chop in enumerate(chops):
        x = 0
        for strip in chop.values():
            if strip is not None:
                terminal.put(x, y, strip)
                x += strip.cell_length
    return terminal


async def test_each_key_shows_what_textuals_compositor_shows_for_the_whole_screen(engine):
    app = new_app(engine, enter_confirms=True)
    async with app.run_test(size=(80, 24)) as pilot:
        terminal = Terminal.of(app)
        await start_followup(pilot)
        await press(pilot, "1", "1", "enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen._compositor, RowsCompositor)
        keys = 0
        while app.screen is screen and screen.item is not None:
            for key in key_for(screen.item, enter_confirms=True):
                await press(pilot, key)
                if app.screen is not screen:
                    break
                await pilot.pause()
                full = textuals_own(screen)
                assert terminal.cells == full.cells, (
                    screen.item.id if screen.item else None,
                    terminal.text(80, 24), full.text(80, 24))
                keys += 1
        assert keys >= 40
