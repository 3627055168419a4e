"""Whole follow-ups driven through the UI with the Pilot, asserting the stored coded record."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.ui import answer_until_review, new_app, press, run_session, start_followup, wait_until


def stored(engine, sql: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def answers(engine, respondent: str) -> dict[str, tuple[str, int]]:
    return {item: (outcome, code) for item, outcome, code in stored(
        engine, "SELECT item_id, outcome, code FROM answer_record "
                f"WHERE respondent = '{respondent}'")}


def dispositions(engine) -> dict[str, str]:
    return dict(stored(engine, "SELECT respondent, disposition FROM session_record"))


async def submit_now(pilot, app) -> None:
    await press(pilot, "s")
    assert type(app.screen).__name__ == "SubmitScreen"
    await press(pilot, "ctrl+s")
    assert type(app.screen).__name__ == "HomeScreen"


async def test_all_three_sessions_completed_and_submitted(engine):
    app = new_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        # the one whole follow-up driven at the Pilot's steady pace, key by key; the others
        # type as fast as the type-ahead takes keys (tests/ui.py, type_keys)
        await start_followup(pilot, paced=True)
        assert type(app.screen).__name__ == "FollowUpScreen"
        for key in ("1", "2", "3"):
            await run_session(pilot, app, key, paced=True)
        await submit_now(pilot, app)
    assert dispositions(engine) == {"youth": "completed", "guardian": "completed",
                                    "caseworker": "completed"}
    youth = answers(engine, "youth")
    assert youth["y_safe"] == ("value", 4)
    assert youth["y_school_attend"] == ("value", 1) and youth["y_school_help"] == ("value", 4)
    assert youth["y_violation"] == ("value", 2)
    cw = answers(engine, "caseworker")
    assert cw["cw_unit"] == ("value", 1003) and cw["cw_age"] == ("value", 16)
    assert cw["cw_legal_basis"] == ("value", 2)
    assert cw["cw_methods"] == ("value", 2)
    assert stored(engine, "SELECT method, applied FROM method_record ORDER BY method") == [
        (1, 1), (2, 2)]
    assert stored(engine, "SELECT municipality, unit_id FROM submission") == [("0180", 1003)]
    assert stored(engine, "SELECT count(*) FROM draft") == [(0,)]


async def test_youth_declines_and_guardian_not_reachable(engine):
    app = new_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_followup(pilot)
        await run_session(pilot, app, "1", consent="2", decline_reason="3")
        await run_session(pilot, app, "2", consent="3")
        await run_session(pilot, app, "3")
        await submit_now(pilot, app)
    assert dispositions(engine) == {"youth": "declined", "guardian": "not_reachable",
                                    "caseworker": "completed"}
    # why the young person declined: the instrument's code, and only on the declined part
    assert sorted(stored(engine, "SELECT respondent, decline_reason FROM session_record")) == [
        ("caseworker", None), ("guardian", None), ("youth", 3)]
    assert {o for o, _ in answers(engine, "youth").values()} == {"not_reached"}
    assert {o for o, _ in answers(engine, "guardian").values()} == {"not_reached"}


async def test_break_off_keep_as_draft_resume_then_close_as_broken_off(engine):
    app = new_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_followup(pilot)
        await press(pilot, "1", "1", "enter")
        await answer_until_review(pilot, app, stop_at="y_support")
        await press(pilot, "a")
        assert type(app.screen).__name__ == "ChoiceDialog"
        await press(pilot, "0")                       # keep as draft
        assert type(app.screen).__name__ == "FollowUpScreen"
        await press(pilot, "escape")
        assert type(app.screen).__name__ == "HomeScreen"

    app = new_app(engine)                             # another day, a new start of the app
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "r")
        assert type(app.screen).__name__ == "ResumeScreen"
        await press(pilot, "enter")
        assert type(app.screen).__name__ == "FollowUpScreen"
        await press(pilot, "1")
        assert app.screen.item.id == "y_support"      # resumes where it stopped
        await press(pilot, "a", "2")                  # the phone line dropped
        assert type(app.screen).__name__ == "FollowUpScreen"
        await run_session(pilot, app, "2")
        await run_session(pilot, app, "3")
        await submit_now(pilot, app)
    assert dispositions(engine)["youth"] == "broke_off"
    assert stored(engine, "SELECT break_reason FROM session_record "
                          "WHERE respondent='youth'") == [(2,)]
    youth = answers(engine, "youth")
    assert youth["y_influence"] == ("value", 4)
    assert youth["y_support"] == ("not_reached", -9)
    assert youth["y_overall_care"] == ("not_reached", -9)


async def test_sensitive_item_yes_shows_the_procedure_and_records_only_the_answer(engine):
    app = new_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_followup(pilot)
        await press(pilot, "1", "1", "enter")
        await answer_until_review(pilot, app, stop_at="y_violation")
        assert "KÄNSLIG" in app.screen.query_one("#q-wording").border_title
        await press(pilot, "1")                       # one key: saved, then the notice
        assert type(app.screen).__name__ == "NoticeDialog"
        notice = app.screen.text
        assert "personakten" in notice and "ordinarie rutin" in notice
        assert "inget mer" in notice.lower()
        await press(pilot, "enter")
        assert app.screen.item.id == "y_after"        # no follow-up field of any kind
        await answer_until_review(pilot, app)
        await press(pilot, "k")
        await run_session(pilot, app, "2")
        await run_session(pilot, app, "3")
        await submit_now(pilot, app)
    assert answers(engine, "youth")["y_violation"] == ("value", 1)
    assert stored(engine, "SELECT count(*) FROM answer_record WHERE respondent='youth'") == [(25,)]


async def test_review_then_change_an_answer(engine):
    app = new_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_followup(pilot)
        await press(pilot, "1", "1", "enter")
        await answer_until_review(pilot, app)
        assert type(app.screen).__name__ == "ReviewScreen"
        menu = app.screen.query_one("#review-list")
        menu.highlighted = 1                          # y_safe
        await press(pilot, "enter")
        assert app.screen.item.id == "y_safe"
        await press(pilot, "2")
        assert app.screen.item.id == "y_staff_care"
        await press(pilot, "j")
        await press(pilot, "k")
        await run_session(pilot, app, "2")
        await run_session(pilot, app, "3")
        await submit_now(pilot, app)
    assert answers(engine, "youth")["y_safe"] == ("value", 2)


async def test_nonresponse_keys_and_back(engine):
    app = new_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_followup(pilot)
        await press(pilot, "1", "1", "enter")
        await press(pilot, "v")                       # y_understood_why: don't know
        await press(pilot, "e")                       # y_safe has no "not applicable"
        assert "finns inte" in str(app.screen.query_one("#q-message").render())
        await press(pilot, "s")                       # refused
        await press(pilot, "left")
        assert app.screen.item.id == "y_safe"
        followup = app.screen.followup
    youth = followup.session("youth")
    assert youth.responses["y_understood_why"].code == -2
    assert youth.responses["y_safe"].code == -1


async def test_privacy_key_blanks_every_screen(engine):
    app = new_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_followup(pilot)
        await press(pilot, "1", "1", "enter")
        await press(pilot, "f2")
        assert type(app.screen).__name__ == "PrivacyScreen"
        assert "Visste du" not in "".join(str(w.render()) for w in app.screen.query("Static"))
        await press(pilot, "4", "enter")              # keys do not reach the interview
        await press(pilot, "f2")
        assert type(app.screen).__name__ == "QuestionScreen"
        assert app.screen.item.id == "y_understood_why"


async def test_guardian_objection_depends_on_the_youth_being_18(engine):
    app = new_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_followup(pilot, age="16")
        await press(pilot, "2", "4", "enter")
        assert type(app.screen).__name__ == "ConsentScreen"   # refused under 18
    app = new_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_followup(pilot, age="18")
        await press(pilot, "2", "4", "enter")
        assert type(app.screen).__name__ == "FollowUpScreen"
        assert app.screen.followup.session("guardian").disposition.value == "youth_objects"


async def test_setup_says_plainly_why_a_follow_up_is_not_due(engine):
    app = new_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_followup(pilot, start="2026-11-01", end="2026-11-06")
        assert type(app.screen).__name__ == "SetupScreen"
        verdict = str(app.screen.query_one("#eligibility").render())
        assert "minst 7 dagar" in " ".join(verdict.split())   # as read, whatever its rows


async def test_question_screen_is_readable_at_60x20_and_survives_40x12(engine):
    app = new_app(engine)
    async with app.run_test(size=(60, 20)) as pilot:
        await start_followup(pilot)
        await press(pilot, "1", "1", "enter")
        wording = app.screen.query_one("#q-wording")
        assert wording.region.height >= 3 and wording.region.width <= 60
        await pilot.resize_terminal(40, 12)
        await pilot.pause()
        await press(pilot, "4")
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert app.screen.item.id == "y_safe"


async def test_home_menu_works_with_arrows_and_enter(engine):
    from ubu_tui.store import open_store

    app = new_app(engine, practice_engine=open_store("sqlite://", practice=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "enter")
        assert type(app.screen).__name__ == "SetupScreen"
        await press(pilot, "escape")
        await press(pilot, "down", "enter")
        assert type(app.screen).__name__ == "ResumeScreen"
        await press(pilot, "escape", "down", "enter")
        assert type(app.screen).__name__ == "ResultsScreen"
        await press(pilot, "escape", "down", "enter")
        assert type(app.screen).__name__ == "CoverageScreen"
        await press(pilot, "escape", "down", "enter")
        assert type(app.screen).__name__ == "PracticeScreen"
        await press(pilot, "escape")
        assert type(app.screen).__name__ == "HomeScreen" and not app.settings.practice
        await press(pilot, "down", "enter")
        assert type(app.screen).__name__ == "SettingsScreen"
        await press(pilot, "down", "down", "enter")
        assert app.theme == "ubu-high-contrast"


async def test_app_opens_its_own_store_after_the_first_frame(tmp_path):
    from ubu_tui.app import make_app
    from ubu_tui.config import Settings

    app = make_app(Settings(database_url=f"sqlite:///{tmp_path / 'own.sqlite3'}"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.store_ready)
        await pilot.pause()
        assert "Utkast: 0" in str(app.screen.query_one("#home-status").render())
        await press(pilot, "n")
        assert type(app.screen).__name__ == "SetupScreen"


async def test_corrupt_database_ends_the_app_with_a_message_and_exit_2(tmp_path):
    from ubu_tui.app import make_app
    from ubu_tui.config import Settings

    path = tmp_path / "broken.sqlite3"
    path.write_bytes(b"garbage" * 500)
    app = make_app(Settings(database_url=f"sqlite:///{path}"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.return_code is not None)
    assert app.return_code == 2
    assert path.read_bytes() == b"garbage" * 500


@pytest.fixture
def store_gate(monkeypatch):
    """The app's own store stays closed until the test opens the gate."""
    import threading

    import ubu_tui.store

    gate = threading.Event()
    real = ubu_tui.store.open_store

    def gated(*args, **kwargs):
        assert gate.wait(60), "the test never opened the gate"
        return real(*args, **kwargs)

    monkeypatch.setattr(ubu_tui.store, "open_store", gated)
    yield gate
    gate.set()


async def test_n_pressed_at_start_shows_set_up_before_the_store_is_open(tmp_path, store_gate):
    """Set-up is served at once; the dates can be typed; picking a unit waits for the store,
    and neither it nor a key typed after it is lost."""
    from ubu_tui.app import make_app
    from ubu_tui.config import Settings

    app = make_app(Settings(database_url=f"sqlite:///{tmp_path / 'own.sqlite3'}"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")                      # at once, before the store is open
        await wait_until(pilot, lambda: type(app.screen).__name__ == "SetupScreen")
        await press(pilot, "0", "1", "8", "0")
        assert app.screen.query_one("#municipality").value == "0180"
        assert not app.store_ready
        await press(pilot, "f4", "x")               # the unit picker needs the store
        assert type(app.screen).__name__ == "SetupScreen"
        store_gate.set()
        await wait_until(pilot, lambda: type(app.screen).__name__ == "UnitPicker"
                         and not app.keys_held())
        await pilot.pause()
        assert app.screen.query_one("Input").value == "x"   # typed after F4: not lost
        await press(pilot, "escape")
        assert "Enhetsregistret är tomt" in " ".join(
            str(n.message) for n in app._notifications)


async def test_a_key_for_a_screen_that_needs_the_store_waits_for_it(tmp_path, store_gate):
    from ubu_tui.app import make_app
    from ubu_tui.config import Settings

    app = make_app(Settings(database_url=f"sqlite:///{tmp_path / 'own.sqlite3'}"))
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "r")                     # at once, before the store is open
        assert type(app.screen).__name__ == "HomeScreen"
        assert "Öppnar databasen" in str(app.screen.query_one("#home-status").render())
        store_gate.set()
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ResumeScreen")
        await pilot.pause()


async def test_mouse_works_but_is_never_needed(engine):
    app = new_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_followup(pilot)
        await press(pilot, "1", "1", "enter")
        options = app.screen.query_one("#q-options")
        await pilot.click(options, offset=(4, 3))     # the line "4  Mest ja": chosen and saved
        await pilot.pause()
        assert app.screen.item.id == "y_safe"
        await pilot.click(options, offset=(4, 6))     # "s  Har inte svarat"
        await pilot.pause()
        assert app.screen.item.id == "y_staff_care"
        followup = app.screen.followup
    assert followup.session("youth").responses["y_understood_why"].code == 4
    assert followup.session("youth").responses["y_safe"].code == -1


async def test_with_enter_confirms_a_click_chooses_and_a_second_click_confirms(engine):
    app = new_app(engine, enter_confirms=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_followup(pilot)
        await press(pilot, "1", "1", "enter")
        options = app.screen.query_one("#q-options")
        await pilot.click(options, offset=(4, 3))
        await pilot.pause()
        assert app.screen.pending.code == 4 and app.screen.item.id == "y_understood_why"
        await pilot.click(options, offset=(4, 3))     # again: confirm
        await pilot.pause()
        assert app.screen.item.id == "y_safe"


@pytest.mark.parametrize(("key", "stored"), [("r", 2), ("k", 1)])
async def test_unit_type_against_the_registry_is_corrected_or_kept(engine, key, stored):
    """The caseworker says HVB for Älvgården, which the registry holds as a SiS home: the
    submit screen says so and submits only after the caseworker corrects (r) or keeps (k)."""
    app = new_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_followup(pilot)                    # Älvgården, 1003: SiS (2)
        await run_session(pilot, app, "1", consent="2")
        await run_session(pilot, app, "2", consent="2")
        await press(pilot, "3")
        await answer_until_review(pilot, app, stop_at="cw_unit_type")
        await press(pilot, "1")                        # HVB
        await answer_until_review(pilot, app)
        await press(pilot, "k")
        await press(pilot, "s")
        screen = app.screen
        assert type(screen).__name__ == "SubmitScreen" and screen.mismatch == (1, 2)
        assert "registret" in str(screen.query_one("#unit-check").render())
        await press(pilot, "ctrl+s")                   # refused until r or k
        assert app.screen is screen and stored_count(engine) == 0
        await press(pilot, key)
        await submit_now(pilot, app)
    assert answers(engine, "caseworker")["cw_unit_type"] == ("value", stored)


def stored_count(engine) -> int:
    return stored(engine, "SELECT count(*) FROM submission")[0][0]


async def test_settings_pressed_at_start_waits_for_the_store(tmp_path, store_gate):
    """`i` within the first second used to end the app: settings names the open database."""
    from ubu_tui.app import make_app
    from ubu_tui.config import Settings

    app = make_app(Settings(database_url=f"sqlite:///{tmp_path / 'own.sqlite3'}"))
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "i")
        assert type(app.screen).__name__ == "HomeScreen"
        store_gate.set()
        await wait_until(pilot, lambda: type(app.screen).__name__ == "SettingsScreen")
        await pilot.pause()
        assert "own.sqlite3" in " ".join(str(s.render()) for s in app.screen.query("Static"))


async def test_practice_start_opens_practice_but_not_over_a_screen_opened_meanwhile(
        tmp_path, store_gate):
    from ubu_tui.app import make_app
    from ubu_tui.config import Settings

    def practice_app():
        return make_app(Settings(practice=True,
                                 practice_url=f"sqlite:///{tmp_path / 'practice.sqlite3'}"))

    store_gate.set()
    app = practice_app()
    async with app.run_test(size=(80, 24)) as pilot:       # `ubu --practice`
        await wait_until(pilot, lambda: type(app.screen).__name__ == "PracticeScreen")
        await pilot.pause()
    store_gate.clear()
    app = practice_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "f2")                    # the privacy screen, before the store opens
        assert type(app.screen).__name__ == "PrivacyScreen"
        store_gate.set()
        await wait_until(pilot, lambda: app.store_ready)
        await pilot.pause()
        assert type(app.screen).__name__ == "PrivacyScreen"
