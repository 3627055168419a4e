"""The same store and interview against a real PostgreSQL server (skipped, with the reason,
where none answers; CI runs them on a machine that has one)."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from tests.conftest import DEMO_UNITS, pg_url
from tests.helpers import complete_all
from tests.ui import new_app, press, run_session, start_followup
from ubu_tui.interview import FollowUp
from ubu_tui.store import open_store
from ubu_tui.store.drafts import list_drafts, load_draft, save_draft
from ubu_tui.store.registry import import_units
from ubu_tui.store.submissions import submit
from ubu_tui.store.transfer import export_jsonl, import_jsonl

URL = pg_url()
pytestmark = pytest.mark.skipif(URL is None, reason="no PostgreSQL answered at UBU_TEST_PG_URL "
                                "(default postgresql+psycopg://postgres@127.0.0.1:5432/test)")


@pytest.fixture
def pg_engine():
    """A fresh database per test, dropped afterwards."""
    assert URL is not None
    name = f"ubu_t_{secrets.token_hex(4)}"
    admin = create_engine(URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    engine = open_store(URL.rsplit("/", 1)[0] + f"/{name}")
    import_units(engine, DEMO_UNITS)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
        admin.dispose()


def test_drafts_submission_and_transfer_on_postgres(pg_engine, instrument, setup, tmp_path):
    followup = FollowUp.open(instrument, setup)
    save_draft(pg_engine, followup, "Blå ek 1")
    again, _ = load_draft(pg_engine, followup.id)
    assert again.to_state() == followup.to_state()
    submit(pg_engine, complete_all(again))
    assert list_drafts(pg_engine) == []
    with pytest.raises(DBAPIError, match="cannot be changed"):   # the database refuses
        with pg_engine.begin() as conn:
            conn.execute(text("UPDATE answer_record SET code = 1"))
    path = tmp_path / "records.jsonl"
    assert export_jsonl(pg_engine, path) == 1
    assert import_jsonl(pg_engine, path).already_present == 1


async def test_follow_up_through_the_ui_on_postgres(pg_engine):
    app = new_app(pg_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_followup(pilot)
        await run_session(pilot, app, "1", consent="2")
        await run_session(pilot, app, "2", consent="3")
        await run_session(pilot, app, "3")
        await press(pilot, "s", "ctrl+s")
        assert type(app.screen).__name__ == "HomeScreen"
    with pg_engine.connect() as conn:
        rows = {r: d for r, d in conn.execute(text("SELECT respondent, disposition "
                                                       "FROM session_record"))}
        cw = conn.execute(text("SELECT code FROM answer_record WHERE item_id = 'cw_unit'"))
        assert rows == {"youth": "declined", "guardian": "not_reachable",
                        "caseworker": "completed"}
        assert cw.scalar() == 1003
