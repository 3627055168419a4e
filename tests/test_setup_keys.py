"""Keys typed into the set-up form: only what changes is drawn, and what is drawn is right.

Caseworkers type the form fast. A character typed into a field whose size cannot change does
not lay out the screen, and the eligibility box is redrawn only when its text changes; these
tests hold that the screen still shows, after every key, what a full layout and a full redraw
would show.
"""

from __future__ import annotations

from textual.screen import Screen

from tests.test_question_keypress import Terminal
from tests.ui import new_app, press

# the dates and the rest (the municipality is given at start); the placement is too short to
# follow up (the box grows to say why) until the end date is corrected with Backspace (it
# shrinks again)
KEYS = ["n", *"2026-09-01", "tab", *"2026-09-05", "tab", "enter", "down", "down", "enter",
        "tab", *"16", "shift+tab", "shift+tab", "backspace", "backspace", *"10", "backspace",
        "1"]


async def test_the_setup_form_after_each_key_is_what_a_full_layout_and_redraw_show(engine):
    app = new_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        terminal = Terminal.of(app)
        checked = 0
        verdicts = set()
        for key in KEYS:
            await press(pilot, key)
            await pilot.pause()
            screen = app.screen
            if type(screen).__name__ != "SetupScreen":
                continue
            assert not screen._dirty_widgets and not screen._compositor._dirty_regions
            full = Terminal()   # every widget drawn afresh, no line from a cache
            for widget in screen.walk_children(with_self=True):
                widget.refresh()
            full.frame(screen._compositor.render_update(full=True))
            assert terminal.cells == full.cells, (key, terminal.text(80, 24),
                                                  full.text(80, 24))
            widgets = list(screen.walk_children(with_self=True))
            drawn = {id(w): (w.region, w.virtual_size.height) for w in widgets}
            screen.refresh(layout=True)
            for widget in widgets:
                widget.refresh(layout=True)
            await pilot.pause()
            assert {id(w): (w.region, w.virtual_size.height) for w in widgets} == drawn, key
            # as read: the box wraps its lines itself (with a hanging indent)
            verdicts.add(" ".join(str(screen.query_one("#eligibility").render()).split()))
            checked += 1
        assert checked == len(KEYS)
        assert app.screen.query_one("#start").value == "2026-09-01"
        assert app.screen.query_one("#end").value == "2026-09-11"
        shown_at_the_end = str(app.screen.query_one("#eligibility").render())
        assert "✔ Uppföljningen ska göras." in shown_at_the_end     # but for the unit
        assert any("minst 7 dagar" in verdict for verdict in verdicts)


async def test_a_date_typed_into_set_up_does_not_lay_out_the_screen(engine, monkeypatch):
    """Neither a character nor the eligibility box (its text stays until both dates are
    whole) asks for a layout: two full layouts per character before."""
    app = new_app(engine)
    layouts: list[str] = []
    real = Screen._refresh_layout

    def counted(self, *args, **kwargs):
        layouts.append(key)
        return real(self, *args, **kwargs)

    async with app.run_test(size=(80, 24)) as pilot:
        key = "n"
        await press(pilot, "n")
        await pilot.pause()
        assert app.screen.focused.id == "start"
        monkeypatch.setattr(Screen, "_refresh_layout", counted)
        for key in "2026-06-01":
            await press(pilot, key)
        box = str(app.screen.query_one("#eligibility").render())
        assert app.screen.query_one("#start").value == "2026-06-01"
        assert "ÅÅÅÅ-MM-DD" in box                  # the end date is still missing
        assert layouts == []


async def test_opening_a_screen_lays_out_nothing_twice_and_a_resize_still_does(engine,
                                                                                monkeypatch):
    """Opening set-up lays it out once, and not the home screen under it (Textual did both
    again, at the same size, and redrew the whole terminal); a real resize while a dialog is
    open still lays out the screen under it at the new size."""
    app = new_app(engine)
    layouts: list[str] = []
    real = Screen._refresh_layout

    def counted(self, *args, **kwargs):
        layouts.append(type(self).__name__)
        return real(self, *args, **kwargs)

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        monkeypatch.setattr(Screen, "_refresh_layout", counted)
        await press(pilot, "n")
        await pilot.pause()
        assert "HomeScreen" not in layouts
        assert layouts.count("SetupScreen") <= 4      # shown, then its lists added after
        await press(pilot, "f4")
        assert type(app.screen).__name__ == "UnitPicker"
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        await press(pilot, "escape")
        await pilot.pause()
        setup = app.screen
        assert type(setup).__name__ == "SetupScreen"
        assert setup.query_one("#eligibility").region.width <= 60
        assert setup.query_one("#start").region.right <= 60


async def test_a_wrapped_verdict_line_continues_under_its_text_not_under_its_bullet(engine):
    """At 80 columns the reason a too-short placement is not followed up takes two rows; the
    second starts where the reason's text starts, so the bullets stand out."""
    app = new_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "n", *"2026-11-01", "tab", *"2026-11-03", "tab", "enter", "down",
                    "down", "enter", "tab", *"16")
        await pilot.pause()
        rows = str(app.screen.query_one("#eligibility").render()).split("\n")
        first = next(n for n, row in enumerate(rows) if "• Placeringen varade" in row)
        text_starts = rows[first].index("Placeringen")
        follow = rows[first + 1]
        assert follow[:text_starts].strip() == "" and follow[text_starts] != " ", rows
        assert "minst 7 dagar" in " ".join(" ".join(rows[first:first + 2]).split())
