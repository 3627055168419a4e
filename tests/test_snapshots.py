"""Snapshots of the screens a caseworker reads aloud from, at 80×24 (and the narrow 60×20)."""

from __future__ import annotations

from tests.ui import answer_until_review, new_app, press, start_followup


def test_consent_screen(snap_compare, engine):
    async def before(pilot):
        await start_followup(pilot)
        await press(pilot, "2", "1")

    assert snap_compare(new_app(engine), run_before=before, terminal_size=(80, 24))


def test_question_screen(snap_compare, engine):
    async def before(pilot):
        await start_followup(pilot)
        await press(pilot, "1", "1", "enter")
        await answer_until_review(pilot, pilot.app, stop_at="y_school_help")

    assert snap_compare(new_app(engine), run_before=before, terminal_size=(80, 24))


def test_sensitive_item(snap_compare, engine):
    async def before(pilot):
        await start_followup(pilot)
        await press(pilot, "1", "1", "enter")
        await answer_until_review(pilot, pilot.app, stop_at="y_violation")

    assert snap_compare(new_app(engine), run_before=before, terminal_size=(80, 24))


def test_review_screen(snap_compare, engine):
    async def before(pilot):
        await start_followup(pilot)
        await press(pilot, "1", "1", "enter")
        await answer_until_review(pilot, pilot.app)

    assert snap_compare(new_app(engine), run_before=before, terminal_size=(80, 24))


def test_question_screen_narrow(snap_compare, engine):
    async def before(pilot):
        await start_followup(pilot)
        await press(pilot, "1", "1", "enter")

    assert snap_compare(new_app(engine), run_before=before, terminal_size=(60, 20))


def test_interpreter_view_swedish_and_somali(snap_compare, engine):
    async def before(pilot):
        await start_followup(pilot)
        await press(pilot, "2", "l", "l", "l", "1", "enter")

    assert snap_compare(new_app(engine), run_before=before, terminal_size=(100, 30))


def test_interpreter_view_arabic(snap_compare, engine):
    async def before(pilot):
        await start_followup(pilot)
        await press(pilot, "1", "l", "l", "l", "l", "1", "enter")

    assert snap_compare(new_app(engine), run_before=before, terminal_size=(100, 30))


def test_practice_question_with_the_respondents_line(snap_compare, engine):
    from tests.conftest import DEMO_UNITS
    from ubu_tui.store import open_store
    from ubu_tui.store.registry import import_units

    practice = open_store("sqlite://", practice=True)
    import_units(practice, DEMO_UNITS)

    async def before(pilot):
        await press(pilot, "o", "enter", "s", "1", "1", "enter")

    assert snap_compare(new_app(engine, practice_engine=practice), run_before=before,
                        terminal_size=(100, 30))


def test_results_screen(snap_compare, engine):
    from ubu_tui.instrument import default_instrument
    from ubu_tui.scripts.synth import generate, insert

    insert(engine, list(generate(default_instrument(), 80, list(range(1001, 1013)),
                                 ["2026-09"], seed=3)))

    async def before(pilot):
        await press(pilot, "e")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(new_app(engine), run_before=before, terminal_size=(100, 30))
