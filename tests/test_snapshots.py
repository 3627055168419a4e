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
        await press(pilot, "3")

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
