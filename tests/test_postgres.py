"""The same store and interview against a real PostgreSQL server (skipped, with the reason,
where none answers; CI runs them on a machine that has one)."""

from __future__ import annotations

import gc
import secrets

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from tests.conftest import DEMO_UNITS, pg_url
from tests.helpers import complete_all, fresh_pg_database
from tests.ui import new_app, press, run_session, start_followup
from ubu_tui.errors import StoreError
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
    admin = create_engine(URL, isolation_level="AUTOCOMMIT")
    name = fresh_pg_database(admin)
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


# --- the shared database ----------------------------------------------------------------------

def _pg_url_of(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_standard_report_is_the_same_on_postgres_and_sqlite(pg_engine, engine):
    from ubu_tui.instrument import default_instrument
    from ubu_tui.results.query import Selection
    from ubu_tui.results.render import rows_of
    from ubu_tui.results.report import standard_report
    from ubu_tui.scripts.synth import generate, insert

    instrument = default_instrument()
    records = list(generate(instrument, 150, list(range(1001, 1013)), ["2026-04", "2026-05"]))
    insert(pg_engine, records)
    insert(engine, records)
    sel = Selection("2026-04", "2026-06")
    on_pg = rows_of(standard_report(pg_engine, instrument, sel))
    on_sqlite = rows_of(standard_report(engine, instrument, sel))
    assert len(on_pg) == len(on_sqlite) > 100
    for a, b in zip(on_pg, on_sqlite, strict=True):   # AVG is exact on PG, a float on SQLite
        assert a == pytest.approx(b, abs=2e-3)


def test_caseworker_role_submits_but_cannot_read_records(pg_engine, instrument, setup):
    from ubu_tui.store.shared import create_roles

    create_roles(pg_engine, prefix="ubu")
    followup = complete_all(FollowUp.open(instrument, setup))
    with pg_engine.connect() as conn:
        conn.execute(text("SET ROLE ubu_caseworker"))
        save_draft_as(conn, followup)
        conn.execute(text("RESET ROLE"))
    # submission as the caseworker role, through the real submit function
    cw = create_engine(_pg_url_of(pg_engine), connect_args={"options": "-c role=ubu_caseworker"})
    submit(cw, followup)
    for table in ("submission", "answer_record", "session_record", "method_record"):
        with pytest.raises(DBAPIError, match="permission denied"):
            with cw.connect() as conn:
                conn.execute(text(f"SELECT * FROM {table}")).all()
    with pytest.raises(DBAPIError, match="permission denied"):
        with cw.begin() as conn:
            conn.execute(text("DELETE FROM answer_record"))
    analyst = create_engine(_pg_url_of(pg_engine), connect_args={"options": "-c role=ubu_analyst"})
    with pytest.raises(DBAPIError, match="permission denied"):
        with analyst.begin() as conn:
            conn.execute(text("INSERT INTO submission (id, municipality, unit_id, "
                              "instrument_id, instrument_version, period) VALUES "
                              "('x', '0180', 1001, 'a', 'b', '2026-01')"))
    # the submitted one is in this month, published once next month is over (schema 0168);
    # one follow-up of a published quarter, from the owner (released at once), instead
    from ubu_tui.scripts.synth import generate, insert

    insert(pg_engine, list(generate(instrument, 1, [1001], ["2026-02"], seed=3)))
    with analyst.connect() as conn:   # aggregates only, suppressed: one follow-up shows nothing
        rows = conn.execute(text("SELECT * FROM ubu_item_figures('2026-01', '2026-03', "
                                 "'unit', 3)")).all()
        indices = conn.execute(text("SELECT * FROM ubu_index_figures('2026-01', "
                                    "'2026-03', 'none', 3)")).all()
    # one follow-up: nothing at all, as with none (a total without figures told one or two
    # from none: schema 0169)
    assert rows == [] and indices == []
    cw.dispose()
    analyst.dispose()


def save_draft_as(conn, followup) -> None:
    """A draft written under the caseworker role (the table is theirs in full)."""
    conn.execute(text("INSERT INTO draft (id, label, created_at, updated_at, state) VALUES "
                      "(:i, 'Blå ek 1', now(), now(), '{}')"), {"i": followup.id})
    conn.execute(text("DELETE FROM draft WHERE id = :i"), {"i": followup.id})


def test_figure_functions_publish_exactly_what_the_results_layer_publishes(pg_engine):
    """Figure by figure: the tables built from the SECURITY DEFINER functions (as a restricted
    role sees them) equal the results layer's own, for breakdowns, thresholds and a filter."""
    import random

    from ubu_tui.instrument import default_instrument
    from ubu_tui.results.aggregate import (
        Context,
        disposition_tables,
        index_tables,
        item_tables,
    )
    from ubu_tui.results.disclosure import Threshold
    from ubu_tui.results.query import Selection
    from ubu_tui.results.shares import decline_tables, respondent_index_tables
    from ubu_tui.scripts.synth import generate, insert

    instrument = default_instrument()
    rng = random.Random(5)
    units = list(range(1001, 1013))
    records = list(generate(instrument, 90, units, ["2026-06"], seed=11))
    for rec in records:              # make small units common, so that every rule is exercised
        if rng.random() < 0.3:
            rec.unit_id = rng.choice(units[-4:])
    insert(pg_engine, records)
    cases = [(None, 3, ()), ("unit", 3, ()), ("unit", 5, ()), ("unit_type", 3, ()),
             ("sex", 3, ()), ("age_band", 4, ()), ("unit", 3, (("unit_type", (2,)),))]
    seen = 0
    for by, threshold, filters in cases:
        sel = Selection("2026-06", "2026-06", filters)
        direct = Context.open(pg_engine, instrument, sel, Threshold(threshold), functions=False)
        through = Context.open(pg_engine, instrument, sel, Threshold(threshold), functions=True)
        # (the index parts per respondent too: each part's mean in its own stream, 0170)
        for build in (item_tables, index_tables, disposition_tables, respondent_index_tables):
            mine, theirs = build(direct, by), build(through, by)
            assert [t.id for t in mine] == [t.id for t in theirs]
            for a, b in zip(mine, theirs, strict=True):
                assert [r.key for r in a.rows] == [r.key for r in b.rows], (by, a.id)
                for x, y in zip((*a.rows, a.total), (*b.rows, b.total), strict=True):
                    assert (x.hidden, x.n, x.asked, x.distribution, x.nonresponse) == (
                        y.hidden, y.n, y.asked, y.distribution, y.nonresponse), (by, a.id)
                    assert x.mean == y.mean
                    assert x.share_high == y.share_high
                    seen += 1
        assert decline_tables(direct) == decline_tables(through), (by, filters)
    assert seen > 1000


def test_the_figure_functions_read_the_kept_counts_over_years_and_registry_groups(pg_engine):
    """The functions read the kept counts where the results layer does (schema 0161): index
    figures over a whole year and the months around it, by the record's answers, by unit,
    municipality and the registry's groups, unfiltered and within unit types or units; the
    report's items per group; dispositions per unit. Figure by figure the same as the results
    layer's own, over eighteen months."""
    from ubu_tui.instrument import default_instrument
    from ubu_tui.results.aggregate import (
        Context,
        disposition_tables,
        index_tables,
        item_tables,
    )
    from ubu_tui.results.disclosure import Threshold
    from ubu_tui.results.query import Selection
    from ubu_tui.scripts.synth import generate, insert, months_until

    instrument = default_instrument()
    insert(pg_engine, list(generate(instrument, 240, list(range(1001, 1013)),
                                    months_until("2026-12", 18), seed=7, municipalities=2)))
    seen = 0
    for period in (("2026-01", "2026-12"), ("2025-10", "2025-12")):
        for by, filters in [(None, ()), ("unit", ()), ("municipality", ()), ("sex", ()),
                            ("unit_type", ()), ("operating_form", ()),
                            ("sex", (("unit_type", (2,)),)), (None, (("unit", (1002,)),)),
                            ("unit_type", (("operating_form", (1,)),))]:
            sel = Selection(*period, filters)
            direct = Context.open(pg_engine, instrument, sel, Threshold(3), functions=False)
            through = Context.open(pg_engine, instrument, sel, Threshold(3), functions=True)
            builds = [index_tables, disposition_tables,
                      lambda ctx, by: item_tables(ctx, by, ["y_violation", "cw_end"])]
            for build in builds:
                mine, theirs = build(direct, by), build(through, by)
                assert [t.id for t in mine] == [t.id for t in theirs]
                for a, b in zip(mine, theirs, strict=True):
                    assert [r.key for r in a.rows] == [r.key for r in b.rows], (by, a.id)
                    for x, y in zip((*a.rows, a.total), (*b.rows, b.total), strict=True):
                        assert (x.hidden, x.n, x.asked, x.distribution) == (
                            y.hidden, y.n, y.asked, y.distribution), (period, by, a.id)
                        assert x.mean == y.mean
                        assert x.share_high == y.share_high
                        seen += 1
    assert seen > 500


def test_the_figure_functions_ptable_arrays_find_what_the_table_holds(pg_engine):
    """The figure functions read ptable once per call into two arrays and look each figure up
    by a binary search of them (schema 0163); the deviation found is the one the table's
    subquery finds: at every band's edges, around them, at random key positions (a key taken
    modulo the key space, so -SPACE < position < SPACE), for every class a lookup asks for;
    also in a table with a gap, a class starting late, one missing, one ending early and rows
    no lookup reaches."""
    import random

    from ubu_tui.results.pg_functions import PTABLE_DECLARE, PTABLE_SETUP, _deviation
    from ubu_tui.results.ptable import KEY_SPACE, LAST_CLASS

    arrays, table = _deviation("q.c", "q.at", True), _deviation("q.c", "q.at", False)
    rng = random.Random(3)
    with pg_engine.connect() as conn:
        conn.execute(text(f"""
            CREATE FUNCTION pg_temp.ubu_lookups_differ(p_c integer[], p_at bigint[])
            RETURNS bigint LANGUAGE plpgsql AS $f$
            DECLARE{PTABLE_DECLARE}
            BEGIN{PTABLE_SETUP}
                RETURN (SELECT count(*) FROM unnest(p_c, p_at) AS q(c, at)
                        WHERE {arrays} IS DISTINCT FROM {table});
            END $f$"""))

        def differing() -> tuple[int, int]:
            edges = {e for row in conn.execute(text("SELECT lo, hi FROM ptable")) for e in row}
            at = {0, 1, -1, KEY_SPACE - 1, 1 - KEY_SPACE}
            at |= {p for e in edges for p in (e - 1, e, e + 1, -e, 1 - e)
                   if -KEY_SPACE < p < KEY_SPACE}
            at |= {rng.randrange(1 - KEY_SPACE, KEY_SPACE) for _ in range(500)}
            cases = [(c, p) for c in range(-1, LAST_CLASS + 1) for p in sorted(at)]
            found = conn.execute(text("SELECT pg_temp.ubu_lookups_differ(:c, :at)"),
                                 {"c": [c for c, _p in cases], "at": [p for _c, p in cases]})
            return int(found.scalar_one()), len(cases)

        bad, seen = differing()
        assert bad == 0 and seen > 3000
        conn.execute(text("DELETE FROM ptable WHERE n_class = 3 AND lo = 0"))
        conn.execute(text("UPDATE ptable SET hi = hi - 1000 WHERE n_class = 7 AND lo = 0"))
        conn.execute(text("DELETE FROM ptable WHERE n_class = 5"))
        conn.execute(text("UPDATE ptable SET hi = 3000000000 WHERE n_class = 0"))
        conn.execute(text(f"INSERT INTO ptable VALUES (6, {KEY_SPACE}, {2 * KEY_SPACE}, 9)"))
        conn.execute(text(f"INSERT INTO ptable VALUES ({LAST_CLASS + 1}, 0, {KEY_SPACE}, 7)"))
        bad, seen = differing()
        assert bad == 0 and seen > 3000
        conn.rollback()


def same_figures(rows: list[tuple], expected: list[tuple], tolerance: float = 0.0011) -> bool:
    """Row by row equal; a mean may differ in its third decimal only, where the two paths add
    the same per-record scores in another order (a float sum's last bit), never more."""
    if len(rows) != len(expected):
        return False
    for got, want in zip(rows, expected, strict=True):
        for a, b in zip(got, want, strict=True):
            if isinstance(a, float) and isinstance(b, float):
                if abs(a - b) > tolerance:
                    return False
            elif a != b:
                return False
    return True


def test_restricted_roles_get_the_report_through_the_functions(pg_engine, tmp_path):
    """The analyst and the caseworker run the standard report and the results tables: the
    same figures as the owner, read through the functions only."""

    from datetime import date

    from ubu_tui.instrument import default_instrument
    from ubu_tui.results.aggregate import Context, index_tables
    from ubu_tui.results.coverage import open_month_note
    from ubu_tui.results.query import Selection
    from ubu_tui.results.render import rows_of
    from ubu_tui.results.report import standard_report
    from ubu_tui.scripts.synth import generate, insert
    from ubu_tui.store.coverage import count_decision, outcomes_of, set_ended
    from ubu_tui.store.shared import create_roles

    instrument = default_instrument()
    insert(pg_engine, list(generate(instrument, 120, list(range(1001, 1013)), ["2026-04"])))
    for municipality, started, short in (("0180", 14, 5), ("1280", 6, 2), ("0114", 1, 0)):
        for _ in range(started):
            count_decision(pg_engine, municipality, ["due", "started"], date(2026, 4, 2))
        for _ in range(short):
            count_decision(pg_engine, municipality, outcomes_of(False, ("too_short",)),
                           date(2026, 4, 9))
        set_ended(pg_engine, municipality, "2026-04", started + 4)
    count_decision(pg_engine, "0180", outcomes_of(False, ("too_late",)), date(2026, 4, 9))
    create_roles(pg_engine, prefix="ubu")
    sel = Selection("2026-04", "2026-04")
    mine = standard_report(pg_engine, instrument, sel)
    assert mine.methods and mine.methods.rows and mine.respondents and mine.coverage
    # every part of the owner's report, methods, indices per respondent and coverage included
    owner = rows_of(mine)
    assert len(owner) > 100
    # the owner reads the counts: every month at once, nothing to tell
    assert open_month_note(Context.open(pg_engine, instrument, sel),
                           today=date(2026, 4, 30)) is None
    for role in ("ubu_analyst", "ubu_caseworker"):
        engine = create_engine(_pg_url_of(pg_engine), connect_args={"options": f"-c role={role}"})
        try:
            theirs = standard_report(engine, instrument, sel)
            assert same_figures(rows_of(theirs), owner) and theirs.followups == mine.followups
            assert theirs.coverage == mine.coverage and theirs.methods == mine.methods
            ctx = Context.open(engine, instrument, Selection("2026-04", "2026-04",
                                                             (("unit_type", (1,)),)))
            assert ctx.functions and index_tables(ctx, "sex")
            # April's coverage is published once May is over too: told until then
            assert open_month_note(ctx, today=date(2026, 6, 1)) is None
            assert "månaden efter den" in str(open_month_note(ctx, today=date(2026, 5, 31)))
            assert open_month_note(ctx, today=date(2026, 4, 30))
        finally:
            engine.dispose()


def test_push_cut_off_halfway_and_resumed_stores_each_record_once(pg_engine, tmp_path):
    from ubu_tui.instrument import default_instrument
    from ubu_tui.scripts.synth import generate, insert
    from ubu_tui.store.shared import push

    local = open_store(f"sqlite:///{tmp_path / 'office.sqlite3'}")
    import_units(local, DEMO_UNITS)
    records = list(generate(default_instrument(), 120, list(range(1001, 1013)), ["2026-07"]))
    insert(local, records)
    admin = create_engine(URL, isolation_level="AUTOCOMMIT")
    database = pg_engine.url.database

    def cut_connection(sent: int, _already: int) -> None:
        if sent == 40:              # after two batches: kill every connection of the target
            with admin.connect() as conn:
                conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE datname = :d AND pid <> pg_backend_pid()"),
                             {"d": database})
            pg_engine.dispose()       # the pool's connections are dead now

    with pytest.raises(StoreError, match="Kör samma överföring igen"):
        # the kill happens after batch 2; batch 3 then meets a dead connection
        push(local, _break_after(pg_engine), batch=20, on_batch=cut_connection)
    report = push(local, pg_engine, batch=20)
    assert report.sent + report.already == 120 and report.already >= 40
    with pg_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*), count(DISTINCT id) FROM submission")
                            ).one() == (120, 120)
        assert conn.execute(text("SELECT count(*) FROM answer_record")).scalar() == sum(
            len(r.answers) for r in records)
    assert push(local, pg_engine).sent == 0
    admin.dispose()


def test_push_of_a_bad_record_in_a_later_batch_stores_nothing(pg_engine, tmp_path,
                                                                monkeypatch):
    """The first batch goes to the server while the rest are still being checked: a fault
    found among them must take that batch back too."""
    from ubu_tui.errors import InputRejected
    from ubu_tui.instrument import default_instrument
    from ubu_tui.scripts.synth import generate, insert
    from ubu_tui.store import shared

    local = open_store(f"sqlite:///{tmp_path / 'office.sqlite3'}")
    import_units(local, DEMO_UNITS)
    insert(local, list(generate(default_instrument(), 60, list(range(1001, 1013)),
                                ["2026-07"])))
    last = max(r.id for r in local_ids(local))
    real_check = shared._check_record

    def check(raw, units):   # the last record (third batch) turns out bad
        if raw["id"] == last:
            raise InputRejected("y_safe har koden 77")
        return real_check(raw, units)

    monkeypatch.setattr(shared, "_check_record", check)
    with pytest.raises(InputRejected, match="koden 77"):
        shared.push(local, pg_engine, batch=20)
    assert gc.isenabled()     # a push pauses the cycle collector: on again after a failure
    with pg_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM submission")).scalar() == 0
    monkeypatch.setattr(shared, "_check_record", real_check)
    assert shared.push(local, pg_engine, batch=20).sent == 60


def local_ids(engine):
    from sqlmodel import Session, select

    from ubu_tui.store.models import Submission

    with Session(engine) as session:
        return list(session.exec(select(Submission)).all())


def _break_after(engine):
    """The same database without pre-ping, so that a killed connection is found by the push."""
    return create_engine(_pg_url_of(engine), pool_pre_ping=False, pool_size=1, max_overflow=0)


def test_a_municipality_withdraws_its_own_records_only(pg_engine, instrument, setup):
    from dataclasses import replace

    from ubu_tui.store.shared import withdraw

    for municipality in ("0180", "0180", "1480"):
        submit(pg_engine, complete_all(FollowUp.open(instrument, replace(
            setup, municipality=municipality))))
    assert withdraw(pg_engine, "0180") == 2
    with pg_engine.connect() as conn:
        assert conn.execute(text("SELECT municipality FROM submission")).scalars().all() == [
            "1480"]
        assert conn.execute(text("SELECT count(DISTINCT submission_id) FROM answer_record")
                            ).scalar() == 1
        kept = conn.execute(text("SELECT sum(n) FROM item_count")).scalar()
        raw = conn.execute(text("SELECT count(*) FROM answer_record WHERE outcome IN "
                                "('value', 'nonresponse')")).scalar()
        assert kept == raw > 50          # the database's own counts followed the withdrawal


async def test_lost_connection_mid_interview_is_told_and_nothing_confirmed_is_lost(pg_engine):
    """The server drops every connection and refuses new ones for a while: the caseworker is
    told, keeps interviewing, and the next save after it returns carries every answer."""
    database = pg_engine.url.database
    admin = create_engine(URL, isolation_level="AUTOCOMMIT")

    def server(accepting: bool) -> None:
        with admin.connect() as conn:
            conn.execute(text(f"ALTER DATABASE {database} ALLOW_CONNECTIONS {accepting}"))
            if not accepting:
                conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE datname = :d"), {"d": database})

    app = new_app(pg_engine)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await start_followup(pilot)
            await press(pilot, "1", "1", "enter")          # youth, consent
            await press(pilot, "5")                          # first item saved
            server(False)
            await press(pilot, "4")                          # this save fails
            messages = [n.message for n in app._notifications]
            assert any("Kunde inte spara" in m and "connection" in m for m in messages)
            session = app.screen.session
            assert len(session.responses) == 2               # kept in memory
            server(True)
            await press(pilot, "3")                          # this save carries all three
            label = app.screen.label
        again, _ = load_draft(pg_engine, list_drafts(pg_engine)[0].id)
        assert len(again.session("youth").responses) == 3 and label
    finally:
        server(True)
        admin.dispose()


def test_counts_kept_per_statement_stay_exact_through_push_import_and_withdraw(
        pg_engine, engine, tmp_path):
    """The statement triggers (schema 0012) against a recount from the records."""
    from ubu_tui.instrument import default_instrument
    from ubu_tui.scripts.synth import generate, insert
    from ubu_tui.store.shared import push, withdraw

    recount = {
        "item_count": ("SELECT period, item_id, code, n FROM item_count WHERE n > 0",
                       "SELECT s.period, a.item_id, a.code, COUNT(*) FROM answer_record a "
                       "JOIN submission s ON s.id = a.submission_id WHERE a.outcome IN "
                       "('value', 'nonresponse') GROUP BY 1, 2, 3"),
        "index_count": ("SELECT period, unit_id, index_id, n, round(total::numeric, 6), high "
                        "FROM index_count WHERE n > 0",
                        "SELECT s.period, s.unit_id, x.index_id, COUNT(*), "
                        "round(SUM(x.total * 1.0 / x.n)::numeric, 6), "
                        "COUNT(*) FILTER (WHERE x.total >= 4 * x.n) FROM index_score x "
                        "JOIN submission s ON s.id = x.submission_id WHERE x.n > 0 "
                        "GROUP BY 1, 2, 3"),
        "disposition_count": ("SELECT period, respondent, disposition, n "
                              "FROM disposition_count WHERE n > 0",
                              "SELECT s.period, r.respondent, r.disposition, COUNT(*) "
                              "FROM session_record r JOIN submission s "
                              "ON s.id = r.submission_id GROUP BY 1, 2, 3"),
    }

    def exact() -> int:
        with pg_engine.connect() as conn:
            for kept_sql, raw_sql in recount.values():
                assert set(conn.execute(text(kept_sql)).all()) == set(
                    conn.execute(text(raw_sql)).all())
            return int(conn.execute(text("SELECT COUNT(*) FROM submission")).scalar() or 0)

    records = list(generate(default_instrument(), 120, list(range(1001, 1013)),
                            ["2026-04", "2026-05"], municipalities=3))
    insert(engine, records[:80])
    assert push(engine, pg_engine, batch=30).sent == 80
    assert exact() == 80
    path = tmp_path / "more.jsonl"
    insert(engine, records[80:])
    export_jsonl(engine, path)
    assert import_jsonl(pg_engine, path).added == 40
    assert exact() == 120
    gone = withdraw(pg_engine, "0002")
    assert gone > 0 and exact() == 120 - gone


# --- #19: the shared database pools national versions only ----------------------------------

def _local_and_national(store, monkeypatch, national: int = 6, local: int = 4) -> list:
    """Synthetic records in `store`: `national` of 2026.2 and `local` of 2026.2+0180."""
    import ubu_tui.scripts.synth as synth
    from ubu_tui.instrument import default_instrument

    scores = synth._scores
    monkeypatch.setattr(synth, "_scores",            # a local version is not shipped here
                        lambda rec: {} if "+" in rec.version else scores(rec))
    records = list(synth.generate(default_instrument(), national + local,
                                  list(range(1001, 1005)), ["2026-06"], seed=19))
    for rec in records[national:]:
        rec.version = "2026.2+0180"
    synth.insert(store, records)
    return records


@pytest.mark.usefixtures("english")
def test_push_refuses_local_versions_and_sends_the_national_ones_when_told(
        pg_engine, tmp_path, monkeypatch):
    from ubu_tui.errors import InputRejected
    from ubu_tui.store.shared import push

    office = open_store(f"sqlite:///{tmp_path / 'office.sqlite3'}")
    import_units(office, DEMO_UNITS)
    _local_and_national(office, monkeypatch)

    def stored() -> list[tuple]:
        with pg_engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(
                "SELECT instrument_version, count(*) FROM submission GROUP BY 1"))]

    with pytest.raises(InputRejected, match=r"4 records are of a local version "
                                            r"\(ubu-vb@2026.2\+0180: 4\).*--skip-local"):
        push(office, pg_engine)
    assert stored() == []                            # nothing was sent
    report = push(office, pg_engine, skip_local=True)
    assert (report.sent, report.kept_local) == (6, 4)
    assert stored() == [("2026.2", 6)]
    # and through the database's own door: a local version is refused by name
    with pytest.raises(DBAPIError, match="is a local version"):
        with pg_engine.begin() as conn:
            conn.execute(text("SELECT public.ubu_submit_records(CAST(:p AS jsonb))"), {"p": (
                '[{"format": "ubu-record/1", "id": "%s", "instrument": "ubu-vb", '
                '"version": "2026.2+0180", "municipality": "0180", "unit": 1003, '
                '"period": "2026-06", "sessions": []}]' % secrets.token_hex(16))})


def test_the_figure_functions_leave_a_local_versions_records_out(pg_engine, monkeypatch):
    """Even records the owner wrote around ubu_submit_records never reach a figure."""
    from ubu_tui.results.query import Selection, disposition_figures, figures

    sel = Selection("2026-01", "2026-12")

    def published() -> tuple[list, list, list]:
        return (sorted(figures(pg_engine, "ubu_item_figures", sel, "unit", 3, ["y_safe"]),
                       key=str),
                sorted(figures(pg_engine, "ubu_index_figures", sel, None, 3, None), key=str),
                sorted(disposition_figures(pg_engine, sel, None, 3), key=str))

    records = _local_and_national(pg_engine, monkeypatch, national=8, local=0)
    national_only = published()
    assert national_only[0]                          # there is something to compare
    monkeypatch.undo()
    _local_and_national(pg_engine, monkeypatch, national=0, local=7)
    # counted from the records now, from the kept counts before: the same floats to the last
    # bit, or the mean would tell a login that a local version is stored (schema 0162)
    assert published() == national_only
    assert len(records) == 8


def test_a_decline_reason_and_phone_with_interpreter_on_postgres(pg_engine, instrument, setup,
                                                                 tmp_path):
    from ubu_tui.interview import Consent, Mode, Setup

    followup = FollowUp.open(instrument, Setup(**{**setup.__dict__,
                                                  "mode": Mode.PHONE_INTERPRETER}))
    followup.session("guardian").set_consent(Consent.DECLINED, 2)
    submit(pg_engine, complete_all(followup))
    with pg_engine.connect() as conn:
        assert sorted(tuple(r) for r in conn.execute(text(
            "SELECT respondent, COALESCE(decline_reason, 0), mode FROM session_record"))) == [
            ("caseworker", 0, 5), ("guardian", 2, 5), ("youth", 0, 5)]
    path = tmp_path / "records.jsonl"
    assert export_jsonl(pg_engine, path) == 1
    assert '"decline_reason": 2' in path.read_text()
    assert import_jsonl(pg_engine, path).already_present == 1


@pytest.mark.usefixtures("english")
def test_a_local_version_is_not_submitted_on_postgres_and_its_draft_stays(
        pg_engine, setup, tmp_path):
    from tests.test_versions import local_version
    from ubu_tui.errors import InputRejected
    from ubu_tui.instrument.loader import load_instrument

    followup = complete_all(FollowUp.open(load_instrument(local_version(tmp_path)), setup))
    save_draft(pg_engine, followup, "Blå ek 2")
    with pytest.raises(InputRejected, match=r"ubu-vb@2026.2\+0180: 1.*draft is kept"):
        submit(pg_engine, followup)
    assert len(list_drafts(pg_engine)) == 1
    with pg_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM submission")).scalar() == 0
