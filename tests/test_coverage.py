"""Coverage: set-up decisions counted anonymously, ended placements entered, both published
through the cell-key method; the set-up screen counts its decision."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from tests.ui import new_app, press, start_followup
from ubu_tui.cli import run
from ubu_tui.errors import InputRejected
from ubu_tui.instrument import default_instrument
from ubu_tui.results import ptable
from ubu_tui.results.aggregate import Context
from ubu_tui.results.coverage import coverage_tables
from ubu_tui.results.query import Selection
from ubu_tui.store import open_store
from ubu_tui.store.coverage import count_decision, outcomes_of, set_ended

INSTRUMENT = default_instrument()


def _cell(engine, table: str, where: str) -> tuple[int, int]:
    with engine.connect() as conn:
        n, key = conn.execute(text(f"SELECT SUM(n), SUM(ckey) FROM {table} WHERE {where}")).one()
    return int(n or 0), int(key or 0)


def test_coverage_is_started_over_ended_per_municipality_with_reasons():
    engine = open_store("sqlite://")
    for _ in range(12):
        count_decision(engine, "0180", ["due", "started"], date(2026, 5, 3))
    for _ in range(5):
        count_decision(engine, "0180", outcomes_of(False, ("too_short",)), date(2026, 5, 9))
    for _ in range(4):
        count_decision(engine, "0180", outcomes_of(False, ("too_late", "legal_basis")),
                       date(2026, 6, 1))
    count_decision(engine, "1280", ["due", "started"], date(2026, 5, 3))
    set_ended(engine, "0180", "2026-05", 15)
    set_ended(engine, "0180", "2026-06", 10)
    set_ended(engine, "0180", "2026-06", 9)             # corrected: replaces, not adds
    set_ended(engine, "1280", "2026-05", 2)             # under the threshold: no row
    ctx = Context.open(engine, INSTRUMENT, Selection("2026-04", "2026-06"))
    got = coverage_tables(ctx)
    assert got is not None
    table, reasons = got
    assert [r.key for r in table.rows] == ["0180"]
    row = table.rows[0]
    ended = _cell(engine, "ended_count", "municipality = '0180'")
    started = _cell(engine, "coverage_count", "municipality = '0180' AND outcome = 'started'")
    assert ended[0] == 24 and started[0] == 12
    assert row.n == ptable.count(*ended)
    assert row.share_high == pytest.approx(ptable.count(*started) / ptable.count(*ended))
    by_code = {r.key: r for r in reasons.rows}
    not_due = ptable.count(*_cell(engine, "coverage_count", "outcome = 'not_due'"))
    assert reasons.total.n == not_due
    short = _cell(engine, "coverage_count", "outcome = 'not_due:too_short'")
    assert short[0] == 5 and by_code["too_short"].n == ptable.count(*short)
    assert by_code["too_short"].share_high == pytest.approx(ptable.count(*short) / not_due)
    # nothing in the counts but a municipality, a month of a decision and an outcome
    with engine.connect() as conn:
        columns = [c[1] for c in conn.execute(text("PRAGMA table_info(coverage_count)"))]
    assert columns == ["municipality", "period", "outcome", "n", "ckey"]


def test_bad_coverage_input_is_refused_and_nothing_changes(tmp_path):
    engine = open_store("sqlite://")
    for bad in (("0180", "2026-13", 5), ("18", "2026-05", 5), ("0180", "2026-05", -1)):
        with pytest.raises(InputRejected):
            set_ended(engine, *bad)
    assert _cell(engine, "ended_count", "1 = 1") == (0, 0)
    url = f"sqlite:///{tmp_path / 'ubu.sqlite3'}"
    with pytest.raises(InputRejected, match="--month"):
        run(["--database-url", url, "coverage", "--ended", "4"])
    assert run(["--database-url", url, "--municipality", "0180", "coverage", "--month",
                "2026-05", "--ended", "40"]) == 0
    assert run(["--database-url", url, "coverage", "--from", "2026-05"]) == 0


async def test_setup_screen_counts_a_not_due_placement_with_its_reason(engine):
    app = new_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_followup(pilot, start="2026-11-01", end="2026-11-06")
        assert type(app.screen).__name__ == "SetupScreen"
        await press(pilot, "ctrl+n")
        assert type(app.screen).__name__ != "SetupScreen"
    with engine.connect() as conn:
        rows = dict(conn.execute(text("SELECT outcome, n FROM coverage_count")).all())
    assert rows == {"not_due": 1, "not_due:too_short": 1}


async def test_setup_screen_counts_a_started_follow_up(engine):
    app = new_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_followup(pilot)
        assert type(app.screen).__name__ == "FollowUpScreen"
    with engine.connect() as conn:
        rows = dict(conn.execute(text("SELECT outcome, n FROM coverage_count")).all())
    assert rows == {"due": 1, "started": 1}


@pytest.fixture(scope="module")
def shared_db():
    from tests.test_pg_attack import URL, Shared
    from ubu_tui.store.shared import create_roles, map_login

    if URL is None:
        pytest.skip("no PostgreSQL answered at UBU_TEST_PG_URL")
    db = Shared()
    try:
        create_roles(db.owner, db.prefix)
        map_login(db.owner, db.logins["cw1"], "0001", db.prefix)
        with db.owner.begin() as conn:
            conn.execute(text(f"CREATE ROLE {db.logins['analyst']} LOGIN IN ROLE "
                              f"{db.prefix}_analyst"))
        yield db
    finally:
        db.close()


def test_a_caseworker_counts_only_for_the_own_municipality_and_reads_no_count(shared_db):
    import psycopg

    from tests.test_pg_attack import run_as

    db = shared_db
    this = date.today().strftime("%Y-%m")   # a login enters this month's or last month's
    run_as(db, "cw1", "SELECT public.ubu_count_decision('0001', '2026-05', 'due', 7)",
           f"SELECT public.ubu_set_ended('0001', '{this}', 12, 9)")
    for who, sql in (("cw1", "SELECT public.ubu_count_decision('0002', '2026-05', 'due', 7)"),
                     ("cw1", f"SELECT public.ubu_set_ended('0002', '{this}', 1, 1)"),
                     ("cw1", "SELECT * FROM public.coverage_count"),
                     ("cw1", "INSERT INTO public.ended_count VALUES ('0001', '2026-06', 1, 1)"),
                     ("analyst", "SELECT * FROM public.ended_count")):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            run_as(db, who, sql)
    with db.owner.connect() as conn:
        assert conn.execute(text("SELECT municipality, n FROM coverage_count")).all() == [
            ("0001", 1)]
        assert conn.execute(text("SELECT municipality, n FROM ended_count")).all() == [
            ("0001", 12)]


@pytest.mark.parametrize(("basis", "end", "unaccompanied", "code"), [
    (4, date(2026, 6, 1), 0, "lss_not_yet"),        # SoL/LVU turning into LSS, not yet turned
    (1, date(2026, 5, 1), 2, "unaccompanied"),      # placed only for want of a guardian
    (1, date(2026, 5, 1), 9, "unaccomp_unknown"),   # not said
])
def test_each_not_due_reason_of_2026_2_is_counted_under_its_own_code(basis, end, unaccompanied,
                                                                     code):
    from ubu_tui.interview.eligibility import check

    verdict = check(date(2026, 1, 1), end, date(2026, 5, 15), basis, 16, unaccompanied)
    assert not verdict.due and verdict.codes == (code,)
    engine = open_store("sqlite://")
    count_decision(engine, "0180", outcomes_of(False, verdict.codes), date(2026, 5, 15))
    assert _cell(engine, "coverage_count", f"outcome = 'not_due:{code}'")[0] == 1


async def test_coverage_screen_enters_ended_placements_and_shows_coverage(engine):
    """From the home screen: a municipality enters a month's ended placements, a wrong month
    is refused with nothing stored, and the screen shows coverage and the not-due reasons,
    perturbed as in the reports."""
    from tests.ui import wait_until

    for _ in range(12):
        count_decision(engine, "0180", ["due", "started"], date(2026, 10, 3))
    for _ in range(6):
        count_decision(engine, "0180", outcomes_of(False, ("too_short",)), date(2026, 10, 9))
    app = new_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "t")
        screen = app.screen
        assert type(screen).__name__ == "CoverageScreen"
        # decisions but no ended placements yet: no coverage to show
        await wait_until(pilot, lambda: screen.shown is not None)
        assert not screen.shown[0].total.shown
        # the last whole month is filled in; the count is typed into the focused field
        await press(pilot, *"15", "enter")
        await wait_until(pilot, lambda: screen.shown[0].total.shown)
        assert _cell(engine, "ended_count", "municipality = '0180' AND period = '2026-10'"
                     )[0] == 15
        table, reasons = screen.shown
        ended = _cell(engine, "ended_count", "1 = 1")
        started = _cell(engine, "coverage_count", "outcome = 'started'")
        assert [r.key for r in table.rows] == ["0180"]
        assert table.total.n == ptable.count(*ended)
        assert table.total.share_high == pytest.approx(
            ptable.count(*started) / ptable.count(*ended))
        short = _cell(engine, "coverage_count", "outcome = 'not_due:too_short'")
        assert [(r.key, r.n) for r in reasons.rows] == [("too_short", ptable.count(*short))]
        # a month that does not exist: told where and what, nothing stored
        month = screen.query_one("#cov-month")
        month.value = "2026-13"
        await press(pilot, *"20", "ctrl+s")
        assert "2026-13" in str(screen.query_one("#cov-message").render())
        assert _cell(engine, "ended_count", "1 = 1")[0] == 15
        await press(pilot, "escape")
        assert type(app.screen).__name__ == "HomeScreen"
