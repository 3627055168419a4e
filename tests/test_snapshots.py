"""Snapshots of the screens a caseworker reads aloud from, at 80×24 (and the narrow 60×20)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.ui import answer_until_review, new_app, press, start_followup


def test_consent_screen(snap_compare, engine):
    async def before(pilot):
        await start_followup(pilot)
        await press(pilot, "2", "1")

    assert snap_compare(new_app(engine), run_before=before, terminal_size=(80, 24))


def test_setup_screen_with_a_list_open(snap_compare, engine):
    """Set-up half filled in, the legal-basis list open: the form's grid, a drop-down whose
    list is built after the screen is drawn, and the footer rebuilt only when its keys change
    must draw exactly what Textual's own widgets drew."""
    async def before(pilot):
        await press(pilot, "n", *"2026-06-01", "tab", *"2026-11-10", "tab", "enter", "down")

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


def test_practice_question_with_the_respondents_line(snap_compare, engine, practice_engine):
    async def before(pilot):
        await press(pilot, "o", "enter", "s", "1", "1", "enter")

    assert snap_compare(new_app(engine, practice_engine=practice_engine), run_before=before,
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


@pytest.mark.parametrize("language", ["sv", "en"])
def test_caseworker_part(snap_compare, engine, language):
    """The caseworker's own questions: no read-aloud frame, the age pre-filled from set-up."""
    async def before(pilot):
        await start_followup(pilot)
        await press(pilot, "3", "1", "1")

    assert snap_compare(new_app(engine, language=language), run_before=before,
                        terminal_size=(80, 24))


@pytest.mark.parametrize("language", ["sv", "en"])
def test_draft_list(snap_compare, engine, instrument, setup, language):
    """Drafts told apart by unit, when begun and each part's state, with no personal data."""
    from ubu_tui.interview import Consent, FollowUp, Response
    from ubu_tui.store.drafts import save_draft

    first = FollowUp.open(instrument, setup)
    youth = first.session("youth")
    youth.set_consent(Consent.GIVEN)
    youth.answer(Response(4))
    first.session("guardian").set_consent(Consent.NOT_REACHABLE)
    save_draft(engine, first, "Blå ek 17")
    save_draft(engine, FollowUp.open(instrument, replace(setup, unit_id=1001)), "Grön lind 4")

    async def before(pilot):
        await press(pilot, "r")

    assert snap_compare(new_app(engine, language=language), run_before=before,
                        terminal_size=(80, 24))


def test_paper_entry(snap_compare, engine):
    """A paper form: the paper's own number, no read-aloud frame, blank is one key (s)."""
    async def before(pilot):
        await start_followup(pilot)
        await press(pilot, "1", "m", "m", "m", "1", "enter", "4", "4")

    assert snap_compare(new_app(engine), run_before=before, terminal_size=(80, 24))
