"""The shared database attacked by its own logins: a caseworker login of municipality 0001, one
of 0002, and an analyst login, each connected as itself (trust auth, as on the dev machines and
in CI). Every attack must be refused, and the record set (records and counts) must be exactly
what it was before, compared by a checksum the owner takes.

Skipped, with the reason, where no PostgreSQL answers.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, make_url, text

from tests.conftest import DEMO_UNITS, pg_url
from tests.helpers import fresh_pg_database
from ubu_tui.errors import StoreError
from ubu_tui.instrument import default_instrument
from ubu_tui.store import open_store
from ubu_tui.store.registry import import_units

URL = pg_url()
pytestmark = pytest.mark.skipif(URL is None, reason="no PostgreSQL answered at UBU_TEST_PG_URL "
                                "(default postgresql+psycopg://postgres@127.0.0.1:5432/test)")

UNITS = list(range(1001, 1013))
PERIOD = "2026-05"
FIGURES = ("ubu_item_figures", "ubu_index_figures", "ubu_decline_figures")
COUNTED = ("submission", "session_record", "answer_record", "method_record", "index_score",
           "item_count", "index_count", "disposition_count", "ubu_login")


class Shared:
    """One database with records of two municipalities, the roles and three logins."""

    def __init__(self) -> None:
        assert URL is not None
        tag = secrets.token_hex(3)
        self.prefix = f"ubu_x{tag}"       # roles are cluster-wide: ours alone
        self.logins = {"cw1": f"{self.prefix}_k0001", "cw2": f"{self.prefix}_k0002",
                       "analyst": f"{self.prefix}_an", "admin": f"{self.prefix}_ad"}
        self.admin = create_engine(URL, isolation_level="AUTOCOMMIT")
        self.name = fresh_pg_database(self.admin)
        self.url = make_url(URL).set(database=self.name)
        self.owner = open_store(self.url.render_as_string(hide_password=False))

    def conninfo(self, who: str) -> str:
        login = self.logins.get(who, who)
        return self.url.set(drivername="postgresql", username=login).render_as_string(
            hide_password=False)

    def close(self) -> None:
        self.owner.dispose()
        with self.admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)"))
            for login in self.logins.values():
                conn.execute(text(f"DROP ROLE IF EXISTS {login}"))
            for role in ("caseworker", "analyst", "admin"):
                conn.execute(text(f"DROP ROLE IF EXISTS {self.prefix}_{role}"))
        self.admin.dispose()


@pytest.fixture(scope="module")
def shared() -> Iterator[Shared]:
    from ubu_tui.scripts.synth import generate, insert
    from ubu_tui.store.shared import create_roles, map_login

    db = Shared()
    try:
        import_units(db.owner, DEMO_UNITS)
        insert(db.owner, list(generate(default_instrument(), 80, UNITS, [PERIOD],
                                       municipalities=2)))
        create_roles(db.owner, db.prefix)
        map_login(db.owner, db.logins["cw1"], "0001", db.prefix)
        map_login(db.owner, db.logins["cw2"], "0002", db.prefix)
        with db.owner.begin() as conn:
            conn.execute(text(f"CREATE ROLE {db.logins['analyst']} LOGIN IN ROLE "
                              f"{db.prefix}_analyst"))
            conn.execute(text(f"CREATE ROLE {db.logins['admin']} LOGIN IN ROLE "
                              f"{db.prefix}_admin"))
        yield db
    finally:
        db.close()


def checksum(db: Shared) -> str:
    """Everything stored, as the owner sees it, in one digest."""
    parts = []
    with db.owner.connect() as conn:
        for table in COUNTED:
            parts.append(conn.execute(text(
                f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
                f"FROM public.{table} t")).scalar())
    return ",".join(parts)


def run_as(db: Shared, who: str, *statements: str, params: Any = None,
           autocommit: bool = False) -> list[Any]:
    """Run statements as a login in one transaction (or each in its own); return the last
    one's rows."""
    import psycopg

    with psycopg.connect(db.conninfo(who), autocommit=autocommit) as conn:
        rows: list[Any] = []
        for sql in statements:
            cur = conn.execute(sql, params if "%" in sql else None)  # type: ignore[arg-type]
            rows = cur.fetchall() if cur.description else []
        conn.commit()
        return rows


def refused(db: Shared, who: str, *statements: str, params: Any = None,
            match: str = "permission denied") -> str:
    """The statements must fail with `match` in the message, and nothing stored changes."""
    import psycopg

    before = checksum(db)
    with pytest.raises(psycopg.Error) as caught:
        run_as(db, who, *statements, params=params)
    assert match in str(caught.value), str(caught.value)
    assert checksum(db) == before
    return str(caught.value)


def figures(db: Shared, who: str, function: str = "ubu_item_figures",
            by: str = "municipality") -> list[Any]:
    return run_as(db, who, f"SELECT * FROM public.{function}('2026-04', '2026-06', "
                           f"'{by}', 3) ORDER BY 1, 2")


def a_record(db: Shared, municipality: str = "0001") -> dict[str, Any]:
    """A complete, valid record (taken from the store's own export format)."""
    from ubu_tui.store.engine import session_for
    from ubu_tui.store.pg_records import export_records

    with session_for(db.owner) as session:
        record = dict(next(r for r in export_records(session, municipality)))
    record["id"] = secrets.token_hex(16)
    return record


CASEWORKERS = ("cw1", "cw2")
EVERYONE = ("cw1", "cw2", "analyst")
RECORD_TABLES = ("submission", "session_record", "answer_record", "method_record",
                 "index_score")


# --- shadowing the tables the definer functions read --------------------------------------

@pytest.mark.parametrize("who", EVERYONE)
def test_no_temp_table_or_view_can_be_made(shared, who):
    refused(shared, who, "CREATE TEMP TABLE submission (id text, municipality text, "
                         "unit_id int, period text)")
    refused(shared, who, "CREATE TEMP VIEW submission WITH (security_invoker = true) AS "
                         "SELECT * FROM public.unit")


@pytest.mark.parametrize("who", EVERYONE)
def test_no_object_can_be_made_in_a_schema(shared, who):
    refused(shared, who, "CREATE TABLE public.submission2 (id text)")
    refused(shared, who, "CREATE FUNCTION public.sum(bigint) RETURNS bigint LANGUAGE sql "
                         "AS 'SELECT 1::bigint'")
    refused(shared, who, "CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, "
                         "FUNCTION = pg_catalog.texteq)")
    refused(shared, who, "CREATE SCHEMA evil")
    refused(shared, who, "CREATE OR REPLACE FUNCTION public.ubu_item_figures(text, text, text, "
                         "integer) RETURNS integer LANGUAGE sql AS 'SELECT 1'",
            match="permission denied")


def test_shadowing_fails_even_where_temp_and_create_were_granted_back(shared):
    """Defence in depth: were TEMP and CREATE handed out again by mistake, the functions'
    fixed search_path still reads the real tables only."""
    cw = shared.logins["cw1"]
    baseline = figures(shared, "cw1")
    with shared.owner.begin() as conn:
        conn.execute(text(f"GRANT TEMPORARY ON DATABASE {shared.name} TO {cw}"))
        conn.execute(text(f"GRANT CREATE ON DATABASE {shared.name} TO {cw}"))
        conn.execute(text(f"GRANT CREATE ON SCHEMA public TO {cw}"))
    try:
        before = checksum(shared)
        # the login may export its own records: a real id to repeat
        sid = run_as(shared, "cw1", "SELECT e->>'id' FROM public.ubu_export('0001') e "
                                    "LIMIT 1")[0][0]
        shadowed = run_as(
            shared, "cw1",
            # the issue's attack: one real record three times, in a table of our own
            "CREATE TEMP TABLE submission AS SELECT %(sid)s::varchar AS id, "
            "'0001'::varchar AS municipality, 1001 AS unit_id, '2026-05'::varchar AS period "
            "FROM generate_series(1, 3)",
            "CREATE TEMP VIEW answer_record AS SELECT 1 AS x",
            "CREATE SCHEMA evil",
            "CREATE FUNCTION evil.coalesce(bigint, integer) RETURNS bigint LANGUAGE sql "
            "AS 'SELECT 99::bigint'",
            "CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, "
            "FUNCTION = pg_catalog.textne)",
            "CREATE FUNCTION public.coalesce_(int) RETURNS int LANGUAGE sql AS 'SELECT 1'",
            "SET search_path = pg_temp, evil, public",
            "SELECT * FROM public.ubu_item_figures('2026-04', '2026-06', 'municipality', 3) "
            "ORDER BY 1, 2", params={"sid": sid}, autocommit=True)
        assert shadowed == baseline
        assert checksum(shared) == before
    finally:
        with shared.owner.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS evil CASCADE"))
            conn.execute(text("DROP FUNCTION IF EXISTS public.coalesce_(int)"))
            conn.execute(text(f"REVOKE TEMPORARY, CREATE ON DATABASE {shared.name} FROM {cw}"))
            conn.execute(text(f"REVOKE CREATE ON SCHEMA public FROM {cw}"))


def test_every_definer_function_is_written_safely(shared):
    """Read back from the catalogue: a fixed search_path with pg_temp last, public. tables."""
    import re

    with shared.owner.connect() as conn:
        rows = conn.execute(text(
            "SELECT p.proname, p.proconfig, p.prosrc FROM pg_proc p "
            "JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = 'public' AND p.prosecdef")).all()
    assert {"ubu_item_figures", "ubu_index_figures", "ubu_submit_records",
            "ubu_withdraw", "ubu_export"} <= {r.proname for r in rows}
    tables = "|".join(COUNTED + ("unit", "draft"))
    for name, config, source in rows:
        # (the submit function also turns JIT off and sorts in memory, the figure functions
        # turn JIT off and plan every call for its arguments, the counters' trigger functions
        # hash instead of sorting or looping: settings that change no result)
        assert config[0] == "search_path=pg_catalog, public, pg_temp", name
        assert set(config[1:]) <= {"jit=off", "work_mem=32MB",
                                   "plan_cache_mode=force_custom_plan", "enable_sort=off",
                                   "enable_nestloop=off", "enable_seqscan=off"}, name
        bare = re.findall(rf"(?:FROM|JOIN|INTO|UPDATE)\s+({tables})\b", source)
        assert not bare, f"{name} names {bare} without public."


# --- the record tables ---------------------------------------------------------------------

@pytest.mark.parametrize("who", EVERYONE)
@pytest.mark.parametrize("table", RECORD_TABLES)
def test_record_tables_are_out_of_reach(shared, who, table):
    refused(shared, who, f"SELECT * FROM public.{table}")
    refused(shared, who, f"SELECT count(id) FROM public.{table}")
    refused(shared, who, f"UPDATE public.{table} SET id = id")
    refused(shared, who, f"DELETE FROM public.{table}")
    refused(shared, who, f"TRUNCATE public.{table}")
    refused(shared, who, f"COPY public.{table} TO STDOUT")


@pytest.mark.parametrize("who", EVERYONE)
def test_no_child_row_can_be_added_to_a_submitted_record(shared, who):
    sid = a_record(shared)  # any id: the point is the row, not the parent
    for sql in (
        "INSERT INTO public.answer_record (submission_id, respondent, item_id, outcome, code) "
        "SELECT id, 'youth', 'y_cared', 'value', 4 FROM public.submission LIMIT 1",
        "INSERT INTO public.answer_record (submission_id, respondent, item_id, outcome, code) "
        f"VALUES ('{sid['id']}', 'youth', 'y_cared', 'value', 4)",
        "INSERT INTO public.session_record (submission_id, respondent, disposition, mode, "
        f"language, adhoc) VALUES ('{sid['id']}', 'youth', 'completed', 1, 'sv', '')",
        "INSERT INTO public.index_score (submission_id, index_id, n, total) "
        f"VALUES ('{sid['id']}', 'x', 1, 5)",
        "INSERT INTO public.submission (id, municipality, unit_id, instrument_id, "
        "instrument_version, period) VALUES (md5('x'), '0001', 1001, 'ubu-vb', '2026.1', "
        "'2026-05')",
    ):
        refused(shared, who, sql)
    refused(shared, who, "COPY public.answer_record FROM STDIN")


def test_the_owner_granting_insert_by_mistake_still_adds_no_row(shared):
    """The statement trigger refuses rows from any role but the owner, whatever the grants."""
    cw = shared.logins["cw1"]
    with shared.owner.begin() as conn:
        conn.execute(text(f"GRANT SELECT, INSERT ON public.answer_record, public.submission "
                          f"TO {cw}"))
    try:
        refused(shared, "cw1",
                "INSERT INTO public.answer_record (submission_id, respondent, item_id, "
                "outcome, code) SELECT id, 'youth', 'y_cared', 'value', 4 "
                "FROM public.submission LIMIT 1",
                match="written only through ubu_submit_records")
    finally:
        with shared.owner.begin() as conn:
            conn.execute(text(f"REVOKE ALL ON public.answer_record, public.submission "
                              f"FROM {cw}"))


def test_submit_reads_no_temporary_table_but_its_own(shared):
    """ubu_submit_records reads a batch's answers through a temporary table it makes
    (schema 0164). Were TEMP granted back by mistake, a table of that name made beforehand,
    holding answers the checks would refuse, stops the submission instead of being read;
    and a submission leaves no table behind for the caller to read."""
    cw = shared.logins["cw1"]
    record = a_record(shared)
    with shared.owner.begin() as conn:
        conn.execute(text(f"GRANT TEMPORARY ON DATABASE {shared.name} TO {cw}"))
    try:
        refused(shared, "cw1",
                "CREATE TEMP TABLE ubu_submit_items (ord bigint, sord bigint, id text, "
                "resp text, iv text, item text, v text, outcome text, code text)",
                "INSERT INTO ubu_submit_items VALUES (1, 1, %(id)s, 'youth', 'x', "
                "'name_of_child', '[\"value\", 3]', 'value', '3')",
                "SELECT public.ubu_submit_records(%(p)s::jsonb)",
                params={"id": record["id"], "p": json.dumps([record])},
                match="already exists")
        assert run_as(shared, "cw1", "SELECT public.ubu_submit_records(%s::jsonb)",
                      "SELECT pg_catalog.to_regclass('pg_temp.ubu_submit_items') IS NULL",
                      params=[json.dumps([record])]) == [(True,)]
    finally:
        with shared.owner.begin() as conn:
            conn.execute(text(f"REVOKE TEMPORARY ON DATABASE {shared.name} FROM {cw}"))


def test_a_record_submitted_again_adds_nothing_to_the_stored_one(shared):
    record = a_record(shared)
    assert run_as(shared, "cw1", "SELECT public.ubu_submit_records(%s::jsonb)",
                  params=[json.dumps([record])]) == [(1,)]
    before = checksum(shared)
    again = json.loads(json.dumps(record))
    again["period"] = "2026-04"
    for part in again["sessions"]:     # other outcomes, each one valid for its item
        part["items"] = {k: ["not_reached", -9] for k in part["items"]}
        part["methods"] = {}
    assert run_as(shared, "cw1", "SELECT public.ubu_submit_records(%s::jsonb)",
                  params=[json.dumps([again])]) == [(0,)]
    assert checksum(shared) == before


@pytest.mark.parametrize("who", EVERYONE)
def test_counts_and_the_login_map_are_not_readable(shared, who):
    for table in ("item_count", "index_count", "disposition_count", "ubu_login"):
        refused(shared, who, f"SELECT * FROM public.{table}")


# What each login may read at all; anything else in the schema (records, every kept count,
# cube and release table, present or added by a later migration) must stay out of its reach.
READABLE = {"cw1": {"alembic_version", "store_meta", "unit", "draft"},
            "cw2": {"alembic_version", "store_meta", "unit", "draft"},
            "analyst": {"alembic_version", "store_meta", "unit"},
            "admin": {"alembic_version", "store_meta", "unit", "unit_change"}}


@pytest.mark.parametrize("who", sorted(READABLE))
def test_no_login_reads_any_table_or_column_beyond_the_few_it_needs(shared, who):
    """Checked over the whole schema, not table by table: a count table a later migration
    adds (disposition_unit_count, index_cube_year …) is refused unless granted on purpose."""
    everything = {r[0] for r in run_as(shared, who, LISTED)}
    readable = {r[0] for r in run_as(
        shared, who, LISTED + " AND has_any_column_privilege(c.oid, 'SELECT')")}
    assert {"submission", "index_cube", "disposition_unit_count"} <= everything
    assert readable == READABLE[who]
    refused(shared, who, "SELECT * FROM public.disposition_unit_count")  # as the catalogue says


LISTED = ("SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
          "ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN "
          "('r', 'v', 'm', 'p', 'f')")


@pytest.mark.parametrize("who", EVERYONE)
def test_server_files_and_other_roles_are_out_of_reach(shared, who):
    refused(shared, who, "SELECT pg_read_file('/etc/passwd')")
    refused(shared, who, "SELECT pg_ls_dir('.')")
    refused(shared, who, "COPY (SELECT 1) TO '/tmp/ubu_attack'",
            match="pg_write_server_files")
    refused(shared, who, "COPY public.unit FROM '/etc/passwd'", match="pg_read_server_files")
    refused(shared, who, "SET ROLE postgres", match="permission denied")
    refused(shared, who, "SELECT public.ubu_caller_is_owner()")


# --- municipalities ------------------------------------------------------------------------

def _draft(municipality: str) -> tuple[str, str]:
    return secrets.token_hex(16), municipality


def test_a_caseworker_reads_and_changes_only_its_own_municipalitys_drafts(shared):
    own, other = _draft("0001"), _draft("0002")
    insert = ("INSERT INTO public.draft (id, label, created_at, updated_at, state, "
              "municipality) VALUES (%s, 'Blå ek 1', now(), now(), '{}', %s)")
    run_as(shared, "cw1", insert, params=own)
    run_as(shared, "cw2", insert, params=other)
    assert run_as(shared, "cw1", "SELECT id FROM public.draft") == [(own[0],)]
    assert run_as(shared, "cw2", "SELECT id FROM public.draft") == [(other[0],)]
    assert run_as(shared, "cw1", "SELECT count(*) FROM public.draft") == [(1,)]
    # another municipality's: invisible to change or delete, and none can be made for it
    run_as(shared, "cw1", "UPDATE public.draft SET label = 'x' WHERE id = %s",
           params=[other[0]])
    run_as(shared, "cw1", "DELETE FROM public.draft WHERE id = %s", params=[other[0]])
    assert run_as(shared, "cw2", "SELECT label FROM public.draft") == [("Blå ek 1",)]
    refused(shared, "cw1", insert, params=_draft("0002"), match="row-level security")
    refused(shared, "cw1", "UPDATE public.draft SET municipality = '0002' WHERE id = %s",
            params=[own[0]], match="row-level security")
    # the analyst has no drafts at all
    refused(shared, "analyst", "SELECT * FROM public.draft")
    run_as(shared, "cw1", "DELETE FROM public.draft")
    run_as(shared, "cw2", "DELETE FROM public.draft")


def test_a_municipality_login_exports_and_withdraws_only_its_own(shared):
    mine = run_as(shared, "cw1", "SELECT e FROM public.ubu_export('0001') e")
    assert mine and {r[0]["municipality"] for r in mine} == {"0001"}
    refused(shared, "cw1", "SELECT * FROM public.ubu_export('0002')",
            match="exports the records of municipality 0001 only")
    refused(shared, "cw1", "SELECT * FROM public.ubu_export(NULL)",
            match="exports the records of municipality 0001 only")
    refused(shared, "cw1", "SELECT public.ubu_withdraw('0002')",
            match="withdraws the records of municipality 0001 only")
    refused(shared, "analyst", "SELECT public.ubu_withdraw('0002')")
    refused(shared, "analyst", "SELECT * FROM public.ubu_export('0002')")
    record = a_record(shared, "0002")
    refused(shared, "cw1", "SELECT public.ubu_submit_records(%s::jsonb)",
            params=[json.dumps([record])], match="submits for municipality 0001 only")
    refused(shared, "analyst", "SELECT public.ubu_submit_records(%s::jsonb)",
            params=[json.dumps([record])])


def test_an_unmapped_caseworker_login_acts_for_no_municipality(shared):
    stray = f"{shared.prefix}_stray"
    with shared.owner.begin() as conn:
        conn.execute(text(f"CREATE ROLE {stray} LOGIN IN ROLE {shared.prefix}_caseworker"))
    shared.logins["stray"] = stray
    refused(shared, "stray", "SELECT public.ubu_submit_records(%s::jsonb)",
            params=[json.dumps([a_record(shared)])], match="acts for no municipality")
    refused(shared, "stray", "SELECT * FROM public.ubu_export(NULL)",
            match="acts for no municipality")
    assert run_as(shared, "stray", "SELECT count(*) FROM public.draft") == [(0,)]


# --- padding -------------------------------------------------------------------------------

def test_padding_with_rollback_gets_no_figures(shared):
    fake = [a_record(shared) for _ in range(20)]
    refused(shared, "cw1",
            "SELECT public.ubu_submit_records(%(p)s::jsonb)",
            "SELECT * FROM public.ubu_item_figures('2026-04', '2026-06', 'municipality', 3)",
            params={"p": json.dumps(fake)}, match="transaction that has written")
    # undone by a savepoint first: the transaction has still written
    refused(shared, "cw1",
            "SAVEPOINT a",
            "SELECT public.ubu_submit_records(%(p)s::jsonb)",
            "ROLLBACK TO SAVEPOINT a",
            "SELECT * FROM public.ubu_index_figures('2026-04', '2026-06', 'unit', 3)",
            params={"p": json.dumps(fake)}, match="transaction that has written")
    # a draft written first counts as a write as well
    refused(shared, "cw1",
            "INSERT INTO public.draft (id, label, created_at, updated_at, state, "
            "municipality) VALUES (md5('pad'), 'x', now(), now(), '{}', '0001')",
            "SELECT * FROM public.ubu_item_figures('2026-04', '2026-06', 'none', 3)",
            match="transaction that has written")


def _padding(db: Shared, count: int) -> list[str]:
    """`count` made-up records for municipality 0001, committed by its caseworker login."""
    fake = [a_record(db) for _ in range(count)]
    assert run_as(db, "cw1", "SELECT public.ubu_submit_records(%s::jsonb)",
                  params=[json.dumps(fake)]) == [(count,)]
    return [r["id"] for r in fake]


def _turn_the_month(db: Shared) -> None:
    """What the first of next month does: everything received so far was received 'last
    month'. (The owner lifts the write-once trigger for it: nothing else can move a record.)"""
    with db.owner.begin() as conn:
        conn.execute(text("ALTER TABLE public.submission DISABLE TRIGGER submission_write_once"))
        conn.execute(text("UPDATE public.submission SET received_month = '2000-01' "
                          "WHERE received_month >= to_char(now(), 'YYYY-MM')"))
        conn.execute(text("ALTER TABLE public.submission ENABLE TRIGGER submission_write_once"))


def test_committed_padding_changes_no_figure_until_the_next_release(shared):
    """The averaging attack: commit made-up records, read the figures, again and again. A
    login's records count only from the next release (each month, or the owner's), so padding
    buys one fresh draw of the noise a month; and every padded record stays stored, with the
    login that sent it and the month it came in."""
    from ubu_tui.store.shared import release

    release(shared.owner, now=True)            # what other tests sent counts from here
    baseline = figures(shared, "analyst")
    for _ in range(3):
        padded = _padding(shared, 10)
        assert figures(shared, "analyst") == baseline
        assert figures(shared, "cw1") == baseline
        assert figures(shared, "cw1", "ubu_index_figures") == figures(
            shared, "analyst", "ubu_index_figures")
    with shared.owner.connect() as conn:
        stored = conn.execute(text(
            "SELECT submitted_by, received_month = to_char(now(), 'YYYY-MM'), received_seq > 0 "
            "FROM public.submission WHERE id = ANY(:ids)"), {"ids": padded}).all()
    assert stored == [(shared.logins["cw1"], True, True)] * 10
    # the owner's release, then the month's: each time the padding counts, once
    assert release(shared.owner) == 30
    assert release(shared.owner, now=True) == 0
    released = figures(shared, "analyst")
    assert released != baseline
    _padding(shared, 10)
    assert figures(shared, "analyst") == released
    _turn_the_month(shared)
    assert figures(shared, "analyst") != released


def test_an_index_mean_does_not_tell_that_a_month_holds_unreleased_records(shared):
    """A month holding a record not yet released is counted from the released records, the
    other months from the kept counts (schema 0161). The two sum the same index scores in
    another order; a mean that kept the last bits of either sum would let a login comparing
    the raw floats of one view, call after call, see that some record came in since the last
    release: the very thing the release cut hides. Every published figure must be the same,
    bit for bit, whichever way its cells were counted."""
    from ubu_tui.store.shared import release

    release(shared.owner, now=True)
    views = ("none", "municipality", "unit", "unit_type")
    before = {by: figures(shared, "analyst", "ubu_index_figures", by) for by in views}
    assert any(row[5] is not None for rows in before.values() for row in rows)
    _padding(shared, 5)          # the study month now holds unreleased records
    for by in views:
        assert figures(shared, "analyst", "ubu_index_figures", by) == before[by], by


def test_padding_the_coverage_counts_draws_no_fresh_noise(shared):
    """The same averaging attack on coverage: a caseworker login adds set-up decisions, naming
    a month already published, and reads the coverage figures after each. Its decisions go into
    the month received, which is published only once it is over; a made-up outcome is refused."""
    from datetime import date

    from ubu_tui.store.coverage import count_decision, set_ended

    for municipality, started in (("0001", 9), ("0002", 6)):
        for day in range(1, started + 1):
            count_decision(shared.owner, municipality, ["due", "started"], date(2026, 5, day))
        set_ended(shared.owner, municipality, PERIOD, started + 3)

    def coverage(period_from: str = PERIOD, period_to: str = PERIOD) -> list[Any]:
        return run_as(shared, "analyst", "SELECT * FROM public.ubu_coverage_figures("
                      f"'{period_from}', '{period_to}', 3) ORDER BY 1, 2")

    set_ended(shared.owner, "0001", "2000-02", 30)     # a shown month for the padding below
    published, before = coverage(), coverage("2000-01", "2000-03")
    assert any(row[:2] == ("0001", "started") for row in published)
    assert not any(row[:2] == ("0001", "started") for row in before)
    this = date.today().strftime("%Y-%m")
    for _ in range(4):
        run_as(shared, "cw1", f"SELECT public.ubu_count_decision('0001', '{PERIOD}', "
                              "'started', 123456789)")
        assert coverage() == published
        # the month the padding lands in is not published at all yet
        refused(shared, "analyst", "SELECT * FROM public.ubu_coverage_figures("
                f"'{this}', '{this}', 3)", match="published once the month after it is over")
    refused(shared, "cw1", "SELECT public.ubu_count_decision('0001', '2026-05', 'made up', 1)",
            match="unknown coverage outcome")
    with shared.owner.begin() as conn:
        landed = conn.execute(text(
            "SELECT period, n FROM public.coverage_count WHERE municipality = '0001' "
            "AND outcome = 'started' ORDER BY period")).all()
        assert landed[0] == (PERIOD, 9) and landed[-1][1] == 4
        # the first of next month: the padding is published, once
        conn.execute(text("UPDATE public.coverage_count SET period = '2000-02' "
                          "WHERE period >= to_char(now(), 'YYYY-MM')"))
    assert coverage() == published
    assert coverage("2000-01", "2000-03") != before


def test_ended_placements_are_entered_only_for_months_not_yet_published(shared):
    """ubu_set_ended took any month, any number and the caller's key. A caseworker login
    entered 0 ended placements for months long past, each row with a fresh key, and read the
    national total over a range starting at each month: a fresh draw of the noise per range,
    averaged to the other municipalities' exact total; and it could rewrite its own count of a
    published month, stepping the total through the threshold. A login now enters a number
    from 0 to the most a month can hold, for this month or the last one, which are published
    once the month after them is over; the server draws its key."""
    from datetime import date, timedelta

    from ubu_tui.store.coverage import set_ended

    set_ended(shared.owner, "0002", "2001-03", 2)     # the hidden cell the login is after

    def coverage(period_from: str = "2001-01", period_to: str = "2001-03") -> list[Any]:
        return run_as(shared, "analyst", "SELECT * FROM public.ubu_coverage_figures("
                      f"'{period_from}', '{period_to}', 3) ORDER BY 1, 2")

    def ended_rows() -> list[Any]:
        with shared.owner.connect() as conn:
            return conn.execute(text("SELECT * FROM public.ended_count ORDER BY 1, 2")).all()

    published, rows = coverage(), ended_rows()
    for month in ("2001-01", "2001-02", "2001-03", PERIOD):
        refused(shared, "cw1", f"SELECT public.ubu_set_ended('0001', '{month}', 0, 7)",
                match="this month or the last one only")
    this = date.today().strftime("%Y-%m")
    last = (date.today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    for bad in (-5, 100_001, "NULL"):
        refused(shared, "cw1", f"SELECT public.ubu_set_ended('0001', '{this}', {bad}, 7)",
                match="a number from 0 to")
    refused(shared, "cw1", "SELECT public.ubu_set_ended('0001', '2026-13', 1, 7)",
            match="a month written YYYY-MM")
    assert ended_rows() == rows and coverage() == published
    # what the app does: this month's and last month's figures, corrected at will
    for month in (this, last, this):
        run_as(shared, "cw1", f"SELECT public.ubu_set_ended('0001', '{month}', 4, 12345)")
    with shared.owner.connect() as conn:
        keys = conn.execute(text("SELECT ckey FROM public.ended_count WHERE municipality = "
                                 "'0001' AND period IN (:a, :b)"), {"a": this, "b": last}
                            ).scalars().all()
    assert len(keys) == 2 and 12345 not in keys
    assert coverage() == published
    for month in (this, last):
        refused(shared, "analyst", "SELECT * FROM public.ubu_coverage_figures("
                f"'{month}', '{month}', 3)", match="published once the month after it is over")


def test_a_hidden_coverage_total_looks_like_no_coverage(shared):
    """A month whose ended placements are one or two came back as a total row without a
    figure, a month with none as no row at all: "none" against "one or two" (or a few) for
    all municipalities together. A hidden total has no row (schema 0169)."""
    from ubu_tui.store.coverage import set_ended

    set_ended(shared.owner, "0002", "2003-05", 2)

    def coverage(month: str) -> list[Any]:
        return run_as(shared, "analyst", "SELECT * FROM public.ubu_coverage_figures("
                      f"'{month}', '{month}', 3)")

    assert coverage("2003-05") == coverage("2003-08") == []


@pytest.mark.parametrize("call", [
    *(f"{function}('2026-04', '2026-06', 'none', 3, NULL, 'unit', %s)" for function in FIGURES),
    "ubu_disposition_figures('2026-04', '2026-06', 'none', 3, 'unit', %s)",
    "ubu_method_figures('2026-04', '2026-06', 3, 'cw_methods', 'unit', %s)"])
def test_a_filter_takes_one_value(shared, call):
    """With a list of values a filter made a new cell of every subset of the units, each with
    its own draw of the noise: a unit hidden under the threshold was the mean of (subset with
    it) - (subset without it) over the subsets of the shown units (63 subsets of 6 shown
    units put each hidden unit of 1 or 2 answers within 0.13 of its true count). One value a
    filter is all the app asks for."""
    refused(shared, "analyst", f"SELECT * FROM public.{call}", params=[[1001, 1002]],
            match="a filter takes one value")
    refused(shared, "cw1", f"SELECT * FROM public.{call}", params=[[[1001], [1002]]],
            match="a filter takes one value")
    assert run_as(shared, "analyst", f"SELECT * FROM public.{call}", params=[[1001]]) \
        is not None


@pytest.mark.parametrize("call", [
    *(f"{function}('2026-04', '2026-06', 'unit', 3)" for function in FIGURES),
    "ubu_disposition_figures('2026-04', '2026-06', 'unit', 3) WHERE disposition <> '__asked__'",
    "ubu_method_figures('2026-04', '2026-06', 3, 'cw_methods')"])
def test_a_published_zero_looks_like_no_row(shared, call):
    """A code row (an answer code, a disposition, a method applied) exists only where the code
    had a record, so a row published as 0 said "one or two" where a missing row says "none":
    that some youth at a unit gave a certain answer, or that a unit had someone aged 12 (541
    such rows on the test data, each a cell of 1 to 4). The perturbation's 0 is there to hide
    exactly that; a part published as 0 has no row, as a part without records."""
    counts = [n for (n,) in run_as(shared, "analyst", f"SELECT n FROM public.{call}")]
    assert counts and 0 not in counts


# --- the threshold a login names ---------------------------------------------------------------

def _shown(db: Shared, function: str, threshold: int) -> dict[tuple[str, str], int]:
    """Published count of every shown group (summary rows: the code or disposition is NULL);
    by unit, or by municipality for the declines (too few a unit on the test data)."""
    by = "municipality" if function == "ubu_decline_figures" else "unit"
    rows = run_as(db, "analyst", f"SELECT * FROM public.{function}('2026-04', '2026-06', "
                                 f"'{by}', {threshold})")
    return {(row[0], row[1]): row[3] for row in rows if row[2] is None and row[3] is not None}


@pytest.mark.parametrize("function", [*FIGURES, "ubu_disposition_figures"])
def test_a_raised_threshold_does_not_tell_a_groups_true_count(shared, function):
    """Every login names the threshold. Were a group hidden at a raised threshold by its true
    count, asking at 4, 5, 6, ... would find the first threshold at which a group vanishes
    while its published count still reaches it: that threshold is the true count plus one.
    What a raised threshold hides must follow from what is published at the standard one:
    a group is shown at t exactly when every published count of its group in the call is t
    or more, and with the same figures."""
    standard = _shown(shared, function, 3)
    assert any(g != "__total__" for _item, g in standard)
    for t in range(4, max(standard.values()) + 2):
        gone = {g for (_item, g), n in standard.items() if n < t and g != "__total__"}
        expected = {(item, g): n for (item, g), n in standard.items()
                    if n >= t and g not in gone}
        assert _shown(shared, function, t) == expected, t


@pytest.mark.parametrize("who", [*EVERYONE, "admin"])
def test_no_login_makes_a_release(shared, who):
    refused(shared, who, "SELECT public.ubu_release(true)")
    refused(shared, who, "SELECT public.ubu_release_cut()")
    refused(shared, who, "SELECT * FROM public.ubu_release")
    refused(shared, who, "SELECT nextval('public.ubu_receipt')")
    refused(shared, who, "SELECT last_value FROM public.ubu_receipt")


# --- the admin role --------------------------------------------------------------------------

def test_an_admin_login_holds_no_caseworker_right(shared):
    """ubu_admin must be a member of the caseworker and analyst roles to grant them (PostgreSQL
    15); it does not inherit their rights, and taking them with SET ROLE gives nothing, as an
    admin login acts for no municipality."""
    record = a_record(shared)
    refused(shared, "admin", "SELECT * FROM public.draft")
    refused(shared, "admin", "SELECT public.ubu_submit_records(%s::jsonb)",
            params=[json.dumps([record])])
    refused(shared, "admin", "SELECT * FROM public.ubu_export('0001')")
    refused(shared, "admin", f"SET ROLE {shared.prefix}_caseworker",
            "SELECT public.ubu_submit_records(%s::jsonb)", params=[json.dumps([record])],
            match="acts for no municipality")
    assert run_as(shared, "admin", f"SET ROLE {shared.prefix}_caseworker",
                  "SELECT count(*) FROM public.draft") == [(0,)]
    refused(shared, "admin", "INSERT INTO public.ubu_login VALUES ('x', '0001')")
    # what it grants, it grants to a login that acts for no municipality either
    run_as(shared, "admin", f"GRANT {shared.prefix}_caseworker TO {shared.logins['analyst']}")
    try:
        refused(shared, "analyst", "SELECT public.ubu_submit_records(%s::jsonb)",
                params=[json.dumps([record])], match="acts for no municipality")
    finally:
        run_as(shared, "admin",
               f"REVOKE {shared.prefix}_caseworker FROM {shared.logins['analyst']}")
    assert figures(shared, "admin") == figures(shared, "analyst")


def _registry(db: Shared) -> list[Any]:
    with db.owner.connect() as conn:
        return conn.execute(text("SELECT * FROM public.unit ORDER BY id")).all()


def _held(db: Shared, who: str = "admin") -> list[Any]:
    """The held registry changes, as a login (or the owner) reads them."""
    sql = ("SELECT unit_id, action, unit_type, operating_form, orientation, "
           "month = to_char(now(), 'YYYY-MM'), changed_by FROM public.unit_change "
           "WHERE applied IS NULL ORDER BY unit_id")
    if who == "owner":
        with db.owner.connect() as conn:
            return conn.execute(text(sql)).all()
    return run_as(db, who, sql)


def _restore(db: Shared, registry: list[Any]) -> None:
    """The owner puts the registry back as it was, and forgets the registry's changes (its
    own edits act at once)."""
    with db.owner.begin() as conn:
        conn.execute(text("DELETE FROM public.unit_change"))
        conn.execute(text("DELETE FROM public.unit WHERE NOT (id = ANY(:ids))"),
                     {"ids": [row.id for row in registry]})
        for row in registry:
            values = row._asdict()
            conn.execute(text(
                "INSERT INTO public.unit (id, name, owner, org_number, sole_trader, unit_type, "
                "permit_ref, operating_form, orientation, active) VALUES (:id, :name, :owner, "
                ":org_number, :sole_trader, :unit_type, :permit_ref, :operating_form, "
                ":orientation, :active) "
                "ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, owner = EXCLUDED.owner, "
                "org_number = EXCLUDED.org_number, permit_ref = EXCLUDED.permit_ref, "
                "unit_type = EXCLUDED.unit_type, operating_form = EXCLUDED.operating_form, "
                "orientation = EXCLUDED.orientation, active = EXCLUDED.active "
                "WHERE unit IS DISTINCT FROM EXCLUDED"),
                values)
    assert _registry(db) == registry


def _by_type(db: Shared, who: str = "admin", by: str = "unit_type",
             function: str = "ubu_item_figures") -> list[Any]:
    items = "ARRAY['y_respected']" if function == "ubu_item_figures" else "NULL"
    return run_as(db, who, f"SELECT * FROM public.{function}('2026-04', '2026-06', '{by}', 3, "
                           f"{items}) ORDER BY 1, 2, 3")


def test_an_admin_login_cannot_regroup_the_units_for_fresh_noise(shared):
    """ubu_admin edits the unit registry and reads the figures. Grouped by unit type (or
    operating form, orientation), a group is whatever units the registry puts in it: were an
    edit in force at once, the admin would put a hidden unit and a set of shown units in one
    type, read the type's count, move the hidden unit out, read again, and repeat with another
    set. Each set is a new cell with its own draw of the noise; the mean difference is the
    hidden unit's count (24 sets put a unit of 1 answer at 1.33, 63 filter subsets at 1.13).
    As with padding, a change of the registry reaches the figures at the next release
    (schema 0167, store/pg_registry.py)."""
    registry = _registry(shared)
    before = {by: _by_type(shared, by=by) for by in ("unit_type", "operating_form",
                                                     "orientation")}
    index_before = _by_type(shared, function="ubu_index_figures")
    try:
        run_as(shared, "admin", "UPDATE public.unit SET unit_type = 4 WHERE id = 1001")
        run_as(shared, "admin", "UPDATE public.unit SET operating_form = 1, orientation = 7 "
                                "WHERE id = 1002")
        for by, rows in before.items():
            assert _by_type(shared, by=by) == rows, by
        assert _by_type(shared, function="ubu_index_figures") == index_before
        assert _registry(shared) == registry
    finally:
        _restore(shared, registry)


def test_an_admins_change_of_grouping_is_held_and_readable(shared):
    """What the admin asked is written down, with the month and the login, and readable by
    the admin (not by other logins); a later change of the same unit replaces it, and asking
    the grouping in force withdraws it."""
    registry = _registry(shared)
    admin = shared.logins["admin"]
    try:
        assert run_as(shared, "admin", "UPDATE public.unit SET unit_type = 4 WHERE id = 1001 "
                                       "RETURNING unit_type") == [(1,)]
        assert _held(shared) == [(1001, "update", 4, 2, 1, True, admin)]
        run_as(shared, "admin", "UPDATE public.unit SET unit_type = 3 WHERE id = 1001")
        run_as(shared, "admin", "UPDATE public.unit SET orientation = 5 WHERE id = 1002")
        assert _held(shared) == [(1001, "update", 3, 2, 1, True, admin),
                                 (1002, "update", 1, 2, 5, True, admin)]
        run_as(shared, "admin", "UPDATE public.unit SET orientation = 3 WHERE id = 1002")
        assert _held(shared) == [(1001, "update", 3, 2, 1, True, admin)]
        # in psql the admin sees "UPDATE 1" and the old value: told why, as a notice
        import psycopg

        notices: list[str] = []
        with psycopg.connect(shared.conninfo("admin"), autocommit=True) as conn:
            conn.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
            conn.execute("UPDATE public.unit SET unit_type = 4 WHERE id = 1003")
            conn.execute("UPDATE public.unit SET name = name WHERE id = 1003")   # no notice
            conn.execute("DELETE FROM public.unit WHERE id = 1004")
        assert notices == [
            "unit 1003: the change of grouping waits for the next release (see unit_change)",
            "unit 1004: the deletion waits for the next release (see unit_change)"]
        run_as(shared, "admin", "UPDATE public.unit SET unit_type = unit_type WHERE id = 1003")
        for who in EVERYONE:
            refused(shared, who, "SELECT * FROM public.unit_change")
        # nobody writes a held change but the trigger, nor applies one but the owner
        for who in (*EVERYONE, "admin"):
            refused(shared, who, "INSERT INTO public.unit_change (unit_id, action, month, "
                                 "changed_by) VALUES (1003, 'delete', '2000-01', 'x')")
            refused(shared, who, "SELECT public.ubu_apply_unit_changes(true)")
        refused(shared, "admin", "SELECT public.ubu_hold_unit_change(1003, 'delete', NULL)",
                match="by the trigger on unit only")
        refused(shared, "admin", "UPDATE public.unit SET id = 1099 WHERE id = 1003",
                match="changed by the owner of the database only")
        # the trigger stays: only the owner (or a superuser) can switch it off
        refused(shared, "admin", "ALTER TABLE public.unit DISABLE TRIGGER unit_hold_grouping",
                match="must be owner")
        refused(shared, "admin", "SET session_replication_role = replica",
                "UPDATE public.unit SET unit_type = 4 WHERE id = 1003")
        assert _registry(shared) == registry
    finally:
        _restore(shared, registry)


def test_an_admins_delete_is_held_whether_or_not_the_unit_has_records(shared):
    """A deleted unit's records fall to "not registered": held like a regrouping, for every
    unit (holding only those with records would tell which units have any). A unit added
    under the id of one that left the registry brings its records back: held too."""
    registry = _registry(shared)
    before = _by_type(shared)
    try:
        run_as(shared, "admin", "INSERT INTO public.unit (id, name, owner, sole_trader, "
                                "unit_type, active) VALUES (1098, 'Ny', 'Ägare', false, 1, true)")
        assert [r.id for r in _registry(shared)][-1] == 1098           # at once
        assert run_as(shared, "admin", "DELETE FROM public.unit WHERE id IN (1001, 1098) "
                                       "RETURNING id") == []
        assert [r.id for r in _registry(shared)][-1] == 1098
        assert [row[:2] for row in _held(shared)] == [(1001, "delete"), (1098, "delete")]
        assert _by_type(shared) == before
        assert _by_type(shared, by="unit") == _by_type(shared, "analyst", by="unit")
        # the owner's release: gone, and 1001's records are no longer of type 1
        from ubu_tui.store.shared import make_release

        assert make_release(shared.owner, now=True).registry_changes == 2
        assert {r.id for r in _registry(shared)} == {r.id for r in registry} - {1001}
        assert _by_type(shared) != before
        run_as(shared, "admin", "INSERT INTO public.unit (id, name, owner, sole_trader, "
                                "unit_type, active) VALUES (1001, 'Åter', 'Ägare', false, 4, "
                                "true)")
        assert 1001 not in {r.id for r in _registry(shared)}
        assert [row[:3] for row in _held(shared)] == [(1001, "insert", 4)]
        assert make_release(shared.owner, now=True).registry_changes == 1
        assert [(r.name, r.unit_type) for r in _registry(shared) if r.id == 1001] \
            == [("Åter", 4)]
        # an id the owner deleted is held the same way when a login adds it again
        with shared.owner.begin() as conn:
            conn.execute(text("DELETE FROM public.unit WHERE id = 1002"))
        run_as(shared, "admin", "INSERT INTO public.unit (id, name, owner, sole_trader, "
                                "unit_type, active) VALUES (1002, 'Åter', 'Ägare', false, 4, "
                                "true)")
        assert 1002 not in {r.id for r in _registry(shared)}
        assert [row[:3] for row in _held(shared)] == [(1002, "insert", 4)]
    finally:
        _restore(shared, registry)


def test_a_new_unit_and_a_new_name_act_at_once(shared):
    registry = _registry(shared)
    before = _by_type(shared)
    try:
        run_as(shared, "admin", "INSERT INTO public.unit (id, name, owner, sole_trader, "
                                "unit_type, active) VALUES (1097, 'Ny', 'Ägare', false, 2, true)")
        run_as(shared, "admin", "UPDATE public.unit SET name = 'Nytt namn', active = false "
                                "WHERE id = 1002")
        rows = {r.id: r for r in _registry(shared)}
        assert rows[1097].unit_type == 2
        assert (rows[1002].name, rows[1002].active) == ("Nytt namn", False)
        assert _held(shared) == []
        assert _by_type(shared) == before
    finally:
        _restore(shared, registry)


def test_the_owners_own_edits_act_at_once(shared):
    """The owner reads every record anyway: its edits act at once, and withdraw a change
    the admin asked for the same unit."""
    registry = _registry(shared)
    before = _by_type(shared)
    try:
        run_as(shared, "admin", "UPDATE public.unit SET unit_type = 3 WHERE id = 1001")
        with shared.owner.begin() as conn:
            conn.execute(text("UPDATE public.unit SET unit_type = 4 WHERE id = 1001"))
        assert [r.unit_type for r in _registry(shared) if r.id == 1001] == [4]
        assert _held(shared, "owner") == []
        assert _by_type(shared) != before
    finally:
        _restore(shared, registry)
    assert _by_type(shared) == before


def test_held_changes_of_an_earlier_month_apply_at_the_first_record_of_a_later_one(shared):
    """No figure function writes: the month's change of the registry is made by the first
    record that comes in after the month turned (or by the owner's release)."""
    from ubu_tui.store.shared import release

    registry = _registry(shared)
    try:
        release(shared.owner, now=True)
        before = _by_type(shared)
        run_as(shared, "admin", "UPDATE public.unit SET unit_type = 4 WHERE id = 1001")
        _padding(shared, 1)                          # this month's change waits
        assert _by_type(shared) == before
        assert [row[:2] for row in _held(shared)] == [(1001, "update")]
        with shared.owner.begin() as conn:           # as if it was asked last month
            conn.execute(text("UPDATE public.unit_change SET month = '2000-01' "
                              "WHERE applied IS NULL"))
        assert _by_type(shared) == before            # a figure call applies nothing
        with shared.owner.begin() as conn:           # one that cannot be applied any more
            conn.execute(text("INSERT INTO public.unit_change (unit_id, action, month, "
                              "changed_by) VALUES (1002, 'update', '2000-01', 'x')"))
        _padding(shared, 1)                          # the caseworker's record goes in anyway
        assert _held(shared) == []
        assert [r.unit_type for r in _registry(shared) if r.id == 1001] == [4]
        assert _by_type(shared) != before
        applied = run_as(shared, "admin", "SELECT unit_id, applied = to_char(now(), "
                                          "'YYYY-MM'), outcome FROM public.unit_change "
                                          "WHERE applied IS NOT NULL ORDER BY seq DESC LIMIT 2")
        assert applied[1] == (1001, True, "applied")
        assert applied[0][:2] == (1002, True) and applied[0][2].startswith(
            "not applied: null value in column \"unit_type\""), applied
        assert [r.unit_type for r in _registry(shared) if r.id == 1002] == [1]
    finally:
        _restore(shared, registry)


def test_the_admin_is_told_what_is_held_and_the_owner_what_its_release_applied(shared,
                                                                             tmp_path):
    """Through the command: an admin's registry import says how many changes of grouping
    wait for the next release (names act at once); importing the file in force again
    withdraws them; the owner's `db release` says how many it applied."""
    from tests.helpers import ubu_here

    registry = _registry(shared)
    lines = DEMO_UNITS.read_text(encoding="utf-8").splitlines()
    changed = [line.replace("HVB Björkbacken", "HVB Björkbacken Norra")
               .replace(",1,IVO-3471-2020,", ",4,IVO-3471-2020,") for line in lines]
    assert changed != lines
    (tmp_path / "changed.csv").write_text("\n".join(changed) + "\n", encoding="utf-8")
    (tmp_path / "same.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    admin = shared.url.set(username=shared.logins["admin"]).render_as_string(
        hide_password=False)
    owner = shared.url.render_as_string(hide_password=False)
    try:
        run = ubu_here("--database-url", admin, "registry", "import",
                       str(tmp_path / "changed.csv"))
        assert run.returncode == 0, run.stderr
        assert "1 ändring av gruppering gäller från nästa utgåva" in run.stdout
        rows = {r.id: r for r in _registry(shared)}
        assert (rows[1001].name, rows[1001].unit_type) == ("HVB Björkbacken Norra", 1)
        assert [row[:3] for row in _held(shared)] == [(1001, "update", 4)]
        run = ubu_here("--database-url", admin, "registry", "export")
        assert "1001,HVB Björkbacken Norra,Björkbacken Omsorg AB,556339-5630,1," in run.stdout
        assert "1 ändring av gruppering väntar på nästa utgåva" in run.stderr
        run = ubu_here("--language", "en", "--database-url", admin, "registry", "export")
        assert "1 change of grouping waits for the next release" in run.stderr
        run = ubu_here("--database-url", admin, "registry", "import",
                       str(tmp_path / "same.csv"))
        assert run.returncode == 0 and "gruppering" not in run.stdout, run.stdout
        assert _held(shared) == []
        ubu_here("--database-url", admin, "registry", "import", str(tmp_path / "changed.csv"))
        run = ubu_here("--database-url", owner, "db", "release", "--now")
        assert run.returncode == 0, run.stderr
        assert "1 väntande ändring av gruppering i registret gäller från den här utgåvan" \
            in run.stdout
        assert {r.id: r.unit_type for r in _registry(shared)}[1001] == 4
    finally:
        _restore(shared, registry)


class _Before0167(Shared):
    """An empty database of its own, brought to schema 0166 with the roles as that release
    made them, and an admin login."""

    def __init__(self) -> None:
        from tests.test_store import migrate_to
        from ubu_tui.store.engine import make_engine
        from ubu_tui.store.pg_registry import HOLD_SIGNATURE
        from ubu_tui.store.shared import role_statements

        assert URL is not None
        self.prefix = f"ubu_x{secrets.token_hex(3)}"
        self.logins = {"admin": f"{self.prefix}_ad"}
        self.admin = create_engine(URL, isolation_level="AUTOCOMMIT")
        self.name = f"ubu_t_{secrets.token_hex(4)}"
        with self.admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {self.name}"))
        self.url = make_url(URL).set(database=self.name)
        self.owner = make_engine(self.url.render_as_string(hide_password=False))
        with self.owner.begin() as conn:
            migrate_to(conn, "0166")
            conn.execute(text("INSERT INTO store_meta (key, value) VALUES ('store_kind', "
                              "'real')"))
        import_units(self.owner, DEMO_UNITS)
        with self.owner.begin() as conn:
            for sql in role_statements(self.prefix):
                if "unit_change" not in sql and HOLD_SIGNATURE not in sql:
                    conn.execute(text(sql))
            conn.execute(text(f"CREATE ROLE {self.logins['admin']} LOGIN IN ROLE "
                              f"{self.prefix}_admin"))


@pytest.mark.slow     # a database built to 0166 and upgraded (CI runs it; default run < 3 min)
def test_an_admin_role_made_before_0167_gets_what_the_hold_needs_at_the_upgrade():
    """`db upgrade` to 0167 on a database whose roles exist: the roles that may write the
    registry are granted the held changes' table (to read) and the function that holds one;
    without it, their edits would fail on the new trigger."""
    from ubu_tui.store.schema import ensure_schema

    db = _Before0167()
    try:
        assert ensure_schema(db.owner) == "migrated"
        run_as(db, "admin", "UPDATE public.unit SET unit_type = 4 WHERE id = 1001")
        assert [row[:3] for row in _held(db)] == [(1001, "update", 4)]
        assert {r.id: r.unit_type for r in _registry(db)}[1001] == 1
    finally:
        db.close()


SHOWN = [1001, 1002, 1003, 1004, 1006, 1008]


def _regroup_db(types: dict[int, int], tmp: Any, hidden: int = 0,
                drop: frozenset[int] = frozenset()) -> Shared:
    """A database of its own: units 1001-1004, 1006 and 1008 with 40 follow-ups each (and
    `hidden` at 1005),
    the registry with the unit types `types` changed, the roles, an admin login."""
    import csv

    from ubu_tui.scripts.synth import generate, insert
    from ubu_tui.store.shared import create_roles

    rows = list(csv.DictReader(DEMO_UNITS.read_text(encoding="utf-8").splitlines()))
    for row in rows:
        row["unit_type"] = str(types.get(int(row["id"]), row["unit_type"]))
    path = tmp / "units.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(row for row in rows if int(row["id"]) not in drop)
    db = Shared()
    import_units(db.owner, path)
    records = list(generate(default_instrument(), 240, SHOWN, [PERIOD], municipalities=2,
                            seed=3))
    if hidden:
        records += list(generate(default_instrument(), hidden, [1005], [PERIOD], seed=98,
                                 municipalities=2, ids=iter(["h" * 31 + str(i)
                                                             for i in range(hidden)])))
    insert(db.owner, records)
    create_roles(db.owner, db.prefix)
    with db.owner.begin() as conn:
        conn.execute(text(f"CREATE ROLE {db.logins['admin']} LOGIN IN ROLE {db.prefix}_admin"))
    return db


def _everything_by_type(db: Shared) -> dict[str, Any]:
    """Every figure by a registry group, and the cube's rows, as the owner reads them."""
    out: dict[str, Any] = {}
    with db.owner.connect() as conn:
        for function in FIGURES:
            for by in ("unit_type", "operating_form", "orientation"):
                out[f"{function} {by}"] = conn.execute(text(
                    f"SELECT * FROM public.{function}('2026-04', '2026-06', '{by}', 3) "
                    "ORDER BY 1, 2, 3")).all()
        for table, period in (("index_cube", "period"), ("index_cube_year", "year")):
            # (a sum moved from one type to another is the same up to the order of adding)
            out[table] = conn.execute(text(
                f"SELECT dim, index_id, {period}, unit_type, grp, n, round(total::numeric, 9), "
                f"high, ckey, hkey FROM public.{table} WHERE n <> 0 ORDER BY 1, 2, 3, 4, 5")
            ).all()
    return out


@pytest.mark.slow     # two databases of their own (CI runs it; the default run stays under 3 min)
def test_the_owners_release_regroups_the_figures_and_the_cube_as_a_new_registry_would(
        tmp_path):
    """Held, then applied by the owner's release (regroupings both ways and a deletion, the
    cube's sums moved for all of them at once): the figures and the index cube are then
    exactly those of a store whose registry had the new types from the start."""
    from ubu_tui.store.shared import make_release

    old = _regroup_db({}, tmp_path)
    new = _regroup_db({1001: 4, 1003: 4, 1006: 1}, tmp_path, drop=frozenset({1004}))
    try:
        before = _everything_by_type(old)
        assert before != _everything_by_type(new)
        run_as(old, "admin", "UPDATE public.unit SET unit_type = 4 WHERE id = 1001",
               "UPDATE public.unit SET unit_type = 4 WHERE id = 1003",
               "UPDATE public.unit SET unit_type = 1 WHERE id = 1006",
               "DELETE FROM public.unit WHERE id = 1004")
        assert _everything_by_type(old) == before
        made = make_release(old.owner, now=True)
        assert (made.registry_changes, made.waiting) == (4, 0)
        assert _everything_by_type(old) == _everything_by_type(new)
        assert _registry(old) == _registry(new)
        assert make_release(old.owner, now=True).registry_changes == 0
    finally:
        old.close()
        new.close()


@pytest.mark.slow      # the attack itself also runs by default (the test of 0167 above)
def test_regrouping_24_times_in_a_month_draws_the_noise_once(tmp_path):
    """The attack itself: the admin puts hidden unit 1005 (two follow-ups) in type 4 with a set
    of shown units, reads the type's count, takes 1005 out, reads again; 24 sets. Held, every
    regrouping reads the same registry, so the differences are one draw (0), not 24 whose mean
    is the hidden count."""
    import itertools
    import statistics

    db = _regroup_db({}, tmp_path, hidden=2)
    try:
        with db.owner.begin() as conn:
            # in force: the hidden unit in type 4 with a shown one
            conn.execute(text("UPDATE public.unit SET unit_type = 4 WHERE id IN (1001, 1005)"))
            true = conn.execute(text(
                "SELECT count(*) FROM public.answer_record a JOIN public.submission s "
                "ON s.id = a.submission_id WHERE s.unit_id = 1005 "
                "AND a.item_id = 'cw_goal_health_set' AND a.code >= 0")).scalar()
        assert 1 <= true <= 2

        def type_4() -> int | None:
            rows = run_as(db, "admin", "SELECT grp, n FROM public.ubu_item_figures('2026-04', "
                          "'2026-06', 'unit_type', 3, ARRAY['cw_goal_health_set']) "
                          "WHERE code IS NULL AND grp = '4'")
            return rows[0][1] if rows else None

        sets = [s for k in (2, 3) for s in itertools.combinations(SHOWN, k)][:24]
        differences = []
        for shown in sets:
            ids = ", ".join(map(str, shown))
            run_as(db, "admin", "UPDATE public.unit SET unit_type = 1",
                   f"UPDATE public.unit SET unit_type = 4 WHERE id IN ({ids}, 1005)")
            with_hidden = type_4()
            run_as(db, "admin", "UPDATE public.unit SET unit_type = 1 WHERE id = 1005")
            without = type_4()
            if with_hidden is not None and without is not None:
                differences.append(with_hidden - without)
        assert len(differences) == 24 and set(differences) == {0}
        assert abs(statistics.mean(differences) - true) > 0.5
        # one regrouping, the last one asked, at the release
        from ubu_tui.store.shared import make_release

        held = len(_held(db))
        assert held >= 5 and make_release(db.owner, now=True).registry_changes == held
        assert {r.id: r.unit_type for r in _registry(db)}[1005] == 1
    finally:
        db.close()


def test_period_ranges_do_not_average_a_hidden_group_out():
    """One unit holds one follow-up; four units are shown in every period. For each period
    holding its month, total - (sum of the shown units) is the hidden unit's count plus noise,
    and each period is a cell of its own with its own draw. Over any range of months the mean
    of those came to the count (90 ranges over 18 months: 1.1 for 1, sd 2.06 a range; 42
    twelve-month ranges within 0.03 of its single answer). Now a login gets figures for the
    calendar month, quarter, half-year and year only (schema 0168): of every range holding the
    month, four answer, and every other is refused, so there are four draws to average, each
    with the noise of five cells."""
    import psycopg

    from ubu_tui.scripts.synth import generate, insert, months_until
    from ubu_tui.store.shared import create_roles

    db = Shared()
    try:
        import_units(db.owner, DEMO_UNITS)
        months = months_until("2026-06", 18)                   # 2025-01 ... 2026-06
        target = "t" * 32
        hidden_month = "2025-12"
        insert(db.owner, list(generate(default_instrument(), 480, [1001, 1002, 1003, 1004],
                                       months, municipalities=2, seed=5))
               + list(generate(default_instrument(), 1, [1005], [hidden_month], seed=99,
                               municipalities=2, ids=iter([target]))))
        create_roles(db.owner, db.prefix)
        with db.owner.begin() as conn:
            conn.execute(text(f"CREATE ROLE {db.logins['analyst']} LOGIN IN ROLE "
                              f"{db.prefix}_analyst"))
        answered, differences = set(), []
        with psycopg.connect(db.conninfo("analyst"), autocommit=True) as conn:
            for first in (m for m in months if m <= hidden_month):
                for last in (m for m in months if m >= hidden_month):
                    try:
                        got = dict(conn.execute(
                            "SELECT grp, n FROM public.ubu_item_figures("
                            f"'{first}', '{last}', 'unit', 3, ARRAY['cw_goal_health_set']) "
                            "WHERE code IS NULL").fetchall())
                    except psycopg.Error as err:
                        assert "is not a calendar month, quarter, half-year or year" in str(err)
                        continue
                    answered.add((first, last))
                    if got.get("__total__") is not None and len(got) == 5:
                        differences.append(got["__total__"] - sum(
                            n for g, n in got.items() if g != "__total__"))
        assert answered == {("2025-12", "2025-12"), ("2025-10", "2025-12"),
                            ("2025-07", "2025-12"), ("2025-01", "2025-12")}
        assert len(differences) <= 4
    finally:
        db.close()


# --- statistics ------------------------------------------------------------------------------

@pytest.mark.parametrize("who", [*EVERYONE, "admin"])
@pytest.mark.parametrize("sql", [
    "SELECT n_tup_ins FROM pg_stat_user_tables", "SELECT * FROM pg_stat_all_tables",
    "SELECT * FROM pg_stat_xact_user_tables", "SELECT * FROM pg_statio_user_tables",
    "SELECT * FROM pg_stat_user_indexes", "SELECT tup_inserted FROM pg_stat_database",
    "SELECT calls FROM pg_stat_user_functions",
    "SELECT pg_stat_get_tuples_inserted('public.submission'::regclass)",
    "SELECT pg_stat_get_live_tuples('public.answer_record'::regclass)",
    "SELECT pg_relation_size('public.submission')",
    "SELECT pg_total_relation_size('public.answer_record')",
    "SELECT pg_database_size(current_database())"])
def test_no_login_reads_how_many_rows_came_in(shared, who, sql):
    refused(shared, who, sql)


# --- the instrument versions' items -------------------------------------------------------------

@pytest.mark.parametrize("change,why", [
    ("item", "item made_up_item: not an item of"),
    ("other_respondent", "not an item of"),
    ("code", "code 77 is not allowed for value"),
    ("nonresponse", "code -3 is not allowed for nonresponse"),
    ("skipped", "code -9 is not allowed for skipped"),
    ("missing", "items have no outcome given"),
    ("method", "a method that is not one of the item's options"),
    ("method_item", "methods given for an item that is not a methods item"),
    ("adhoc", "interpreted item made_up_item: not an item of"),
    ("version", "version 2026.9 is not known to this database"),
    ("index", "index made_up_index: not an index of"),
    ("other_index", "index y_made_up: not an index of"),
])
def test_made_up_items_and_codes_are_refused_naming_record_and_item(shared, change, why):
    from ubu_tui.instrument.loader import instrument_by_version

    record = a_record(shared)
    instrument = instrument_by_version(record["instrument"], record["version"])
    youth = next(s for s in record["sessions"] if s["respondent"] == "youth")
    scale = next(i for i in youth["items"] if instrument.item(i).type.value == "scale")
    closed = next(i for i in youth["items"] if instrument.item(i).type.value == "scale"
                  and "not_applicable" not in instrument.item(i).nonresponse)
    caseworker = next(s for s in record["sessions"] if s["respondent"] == "caseworker")
    multi = next(i for i in caseworker["items"] if instrument.item(i).type.value == "multi")
    if change == "item":
        youth["items"]["made_up_item"] = ["value", 3]
    elif change == "other_respondent":
        youth["items"][multi] = ["value", 1]
    elif change == "code":
        youth["items"][scale] = ["value", 77]
    elif change == "nonresponse":
        youth["items"][closed] = ["nonresponse", -3]
    elif change == "skipped":
        youth["items"][scale] = ["skipped", -9]
    elif change == "missing":
        del youth["items"][scale]
    elif change == "method":
        caseworker["items"][multi] = ["value", 1]
        caseworker["methods"] = {multi: [[999, 1]]}
    elif change == "method_item":
        caseworker["methods"] = {next(i for i in caseworker["items"] if i != multi): [[1, 1]]}
    elif change == "adhoc":
        youth["adhoc"] = ["made_up_item"]
    elif change == "index":
        record["scores"] = {"made_up_index": [1, 3]}
    elif change == "other_index":   # the shape of a real id, a real index's score beside it
        real = instrument.indices[0].id
        record["scores"] = {real: [1, 3], "y_made_up": [1, 3]}
    else:
        record["version"] = "2026.9"
    message = refused(shared, "cw1", "SELECT public.ubu_submit_records(%s::jsonb)",
                      params=[json.dumps([a_record(shared), record])],
                      match="nothing was submitted")
    assert f"record 2 ({record['id']})" in message and why in message, message


def test_the_items_of_every_shipped_version_are_loaded_again_at_upgrade(shared):
    """A version added (here: one whose rows are missing) is written at `ubu db upgrade`, and
    its records are taken again."""
    from ubu_tui.instrument.loader import available_instruments
    from ubu_tui.store.shared import sync_instruments

    record = a_record(shared)
    with shared.owner.begin() as conn:
        conn.execute(text("DELETE FROM public.instrument_item WHERE instrument_id = :i "
                          "AND version = :v"), {"i": record["instrument"], "v": record["version"]})
    refused(shared, "cw1", "SELECT public.ubu_submit_records(%s::jsonb)",
            params=[json.dumps([record])], match="is not known to this database")
    assert sync_instruments(shared.owner) == len(available_instruments())
    assert run_as(shared, "cw1", "SELECT public.ubu_submit_records(%s::jsonb)",
                  params=[json.dumps([record])]) == [(1,)]


# --- arguments -----------------------------------------------------------------------------

EXTREMES = ["NULL", "''", "'0000-00'", "'9999-99'", "repeat('9', 100000)", "'%'",
            "'2026-05'' OR ''1''=''1'"]


@pytest.mark.parametrize("function", FIGURES)
@pytest.mark.parametrize("by", ["NULL", "''", "'unit; DROP TABLE submission'", "'id'",
                                "'municipality'", "'unit'", "'none'", "'unit_type'"])
def test_figure_functions_take_extreme_arguments_and_hide_small_cells(shared, function, by):
    import psycopg

    before = checksum(shared)
    # One login for the 18 calls, not one each (a backend start and login per call was most
    # of this test's server time): in autocommit every call is a transaction of its own, so a
    # refused one leaves nothing behind for the next, and no call depends on a fresh session.
    with psycopg.connect(shared.conninfo("analyst"), autocommit=True) as conn:
        # extreme periods are refused before anything is read (schema 0168); the study's
        # quarter is asked with every breakdown and threshold
        for first, last in [*((e, "'2999-12'") for e in EXTREMES[:3]),
                            ("'2026-04'", "'2026-06'")]:
            for threshold in ("NULL", "-2147483648", "0", "1", "2", "2147483647"):
                sql = f"SELECT * FROM public.{function}({first}, {last}, {by}, {threshold})"
                try:
                    rows = conn.execute(sql).fetchall()  # type: ignore[arg-type]
                except psycopg.Error as err:
                    assert ("unknown breakdown" in str(err) or first != "'2026-04'"
                            and "the period" in str(err)), str(err)
                    continue
                for row in rows:  # never a count of 1 or 2 (cell-key method, schema 0021)
                    n, asked = row[3], row[4]
                    assert asked is None or asked == 0 or asked >= 3, (sql, row)
                    assert n is None or n == 0 or n >= 3, (sql, row)
    assert checksum(shared) == before


@pytest.mark.parametrize("function", FIGURES)
def test_a_filter_on_no_group_gives_what_a_group_with_no_follow_ups_gives(shared, function):
    """A filter on registry groups selects the units of its group, or each follow-up's own
    group for MISSING (schema 0163), one value a call (0166). A NULL, no value and a group no
    unit belongs to all give the same rows: a login learns nothing from which way served."""
    def rows(values: str, by: str = "unit", dim: str = "unit_type") -> list[Any]:
        return run_as(shared, "analyst", f"SELECT * FROM public.{function}('2026-04', "
                                         f"'2026-06', '{by}', 3, NULL, '{dim}', "
                                         f"'{values}'::integer[]) ORDER BY 1, 2, 3")

    for dim in ("unit_type", "operating_form", "orientation"):
        for by in ("unit", "none", "sex"):
            assert rows("{NULL}", by, dim) == rows("{}", by, dim) == rows("{99}", by, dim)
    assert rows("{1}") and rows("{1}") != rows("{99}")


@pytest.mark.parametrize("argument", EXTREMES + [
    "'[]'", "'{}'", "'[null]'", "'[1, \"a\"]'", "'[{}]'",
    "'[{\"format\": \"ubu-record/1\", \"id\": \"' || repeat('a', 32) || '\"}]'",
    "(SELECT jsonb_agg(x) FROM generate_series(1, 100000) x)::text"])
def test_submission_refuses_what_is_not_a_whole_record(shared, argument):
    import psycopg

    before = checksum(shared)
    try:
        rows = run_as(shared, "cw1", f"SELECT public.ubu_submit_records(({argument})::jsonb)")
    except psycopg.Error as err:
        message = str(err)
        assert ("nothing was submitted" in message or "takes a JSON array" in message
                or "invalid input syntax for type json" in message), message
    else:
        assert rows == [(0,)]     # an empty array stores nothing
    assert checksum(shared) == before


@pytest.mark.parametrize("change", [
    ("municipality", "0002"), ("municipality", None), ("unit", 99999), ("unit", "1001"),
    ("period", "2026-13"), ("period", "2999-01"), ("id", "X" * 32), ("format", "x"),
    ("sessions", []), ("instrument", ""), ("scores", {"i": ["a", 1]}),
    # not strings: ->> would have stored them as the text '[]' and '12345678…'
    ("version", []), ("instrument", {"a": 1}), ("id", 12345678901234567890123456789012),
])
def test_a_record_with_one_bad_field_is_refused_whole(shared, change):
    record = a_record(shared)
    record[change[0]] = change[1]
    refused(shared, "cw1", "SELECT public.ubu_submit_records(%s::jsonb)",
            params=[json.dumps([record])], match="")


@pytest.mark.parametrize("change", ["disposition", "mode", "language", "items", "methods",
                                    "outcome", "code", "extra_session", "adhoc"])
def test_a_record_with_one_bad_part_is_refused_whole(shared, change):
    record = a_record(shared)
    part = record["sessions"][0]
    item = next(iter(part["items"]))
    bad: dict[str, Any] = {
        "disposition": {"disposition": "escaped"}, "mode": {"mode": 9},
        "language": {"language": "'; DROP TABLE x; --"}, "items": {"items": []},
        "methods": {"methods": {"not_an_item_here": [[1, 1]]}},
        "outcome": {"items": {**part["items"], item: ["guessed", 1]}},
        "code": {"items": {**part["items"], item: ["value", "4"]}},
        "adhoc": {"adhoc": [1]}, "extra_session": {},
    }[change]
    part.update(bad)
    if change == "extra_session":
        record["sessions"].append(dict(part))
    refused(shared, "cw1", "SELECT public.ubu_submit_records(%s::jsonb)",
            params=[json.dumps([record, a_record(shared)])], match="nothing was submitted")



@pytest.mark.parametrize("where", ["code", "score"])
def test_a_decimal_twin_of_a_good_value_is_refused_beside_it(shared, where):
    """The function checks each distinct answer and score value once (schema 0157): 4.0 must
    not pass as the 4 of the record before it, whatever JSON calls equal."""
    from ubu_tui.instrument.loader import instrument_by_version
    from ubu_tui.store.engine import session_for
    from ubu_tui.store.pg_records import export_records

    # a record with an answered item (the first exported one depends on what other tests of
    # this module stored before: it may be one whose every part was declined)
    with session_for(shared.owner) as session:
        found = next(dict(r) for r in export_records(session, "0001") if any(
            v[1] >= 0 for part in r["sessions"] for v in part["items"].values()))
    good, bad = a_record(shared), {**found, "id": secrets.token_hex(16)}
    index = instrument_by_version(good["instrument"], good["version"]).indices[0].id
    good["scores"], bad["scores"] = {index: [1, 3]}, {index: [1, 3]}
    part, item, (outcome, code) = next((p, k, v) for p in bad["sessions"]
                                       for k, v in p["items"].items() if v[1] >= 0)
    if where == "code":
        part["items"][item] = [outcome, float(code)]
        why = f"{part['respondent']}: items must map item ids to [outcome, code]"
    else:
        bad["scores"] = {index: [1, 3.0]}
        why = "scores must map index ids to [n, total]"
    message = refused(shared, "cw1", "SELECT public.ubu_submit_records(%s::jsonb)",
                      params=[json.dumps([good, bad])], match="nothing was submitted")
    assert f"record 2 ({bad['id']})" in message and why in message, message


def test_of_two_bad_parts_the_first_is_named(shared):
    record = a_record(shared)
    record["sessions"][0]["disposition"] = "escaped"
    record["sessions"][2]["mode"] = 9
    message = refused(shared, "cw1", "SELECT public.ubu_submit_records(%s::jsonb)",
                      params=[json.dumps([a_record(shared), record])],
                      match="nothing was submitted")
    assert (f"record 2 ({record['id']}), {record['sessions'][0]['respondent']}: unknown "
            "disposition") in message, message

def test_withdraw_and_export_take_extreme_arguments(shared):
    for argument in EXTREMES:
        refused(shared, "cw1", f"SELECT public.ubu_withdraw({argument})", match="")
    for argument in EXTREMES[1:]:
        refused(shared, "cw1", f"SELECT * FROM public.ubu_export({argument})", match="")
    assert run_as(shared, "analyst", "SELECT public.ubu_submission_count()") == [(0,)]



JSON = st.recursive(st.none() | st.booleans() | st.integers(-2**40, 2**40) | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=6)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


# 20 mutated records in the default run, 100 with --slow (CI)
@settings(max_examples=100 if os.environ.get("UBU_SLOW") == "1" else 20, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_mutation_of_a_record_is_stored_whole_and_as_given_or_not_at_all(shared, data):
    """Whatever one field of a record is changed to, the function either refuses it and
    nothing changes, or stores exactly that one record, readable back the same."""
    import psycopg

    if not hasattr(shared, "template"):     # one fixed record: the draws must not depend on
        shared.template = a_record(shared)  # the export's random order
    record = json.loads(json.dumps(shared.template))
    record["id"] = secrets.token_hex(16)
    path = data.draw(st.sampled_from([p for p in _paths(record) if p and p[0] != "id"]))
    target: Any = record
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = data.draw(JSON)
    before = checksum(shared)
    try:
        stored = run_as(shared, "cw1", "SELECT public.ubu_submit_records(%s::jsonb)",
                        params=[json.dumps([record])])
    except psycopg.Error as err:
        # refused by the function, or already by PostgreSQL's JSON parser (\u0000)
        assert any(why in str(err) for why in ("nothing was submitted", "takes a JSON array",
                                               "unsupported Unicode escape")), err
        assert checksum(shared) == before
        return
    assert stored == [(1,)]
    back = [e for (e,) in run_as(shared, "cw1", "SELECT e FROM public.ubu_export('0001') e")
            if e["id"] == record["id"]]
    assert len(back) == 1
    got = back[0]
    assert {k: got[k] for k in ("municipality", "unit", "period", "instrument", "version")} \
        == {k: record[k] for k in ("municipality", "unit", "period", "instrument", "version")}
    for part in got["sessions"]:
        sent = next(s for s in record["sessions"] if s["respondent"] == part["respondent"])
        assert part["items"] == sent["items"]
        assert part["disposition"] == sent["disposition"]

# --- the app itself under a municipality login ---------------------------------------------

def test_the_app_works_under_a_municipality_login(shared, tmp_path):
    """Drafts, submission, the home screen's count, export and withdrawal, as the caseworker
    login of municipality 0001: through the functions, never the tables."""
    from tests.helpers import complete_all
    from ubu_tui.interview import FollowUp, Mode, Setup
    from ubu_tui.store.drafts import list_drafts, save_draft
    from ubu_tui.store.shared import withdraw
    from ubu_tui.store.submissions import count_submissions, submit
    from ubu_tui.store.transfer import export_jsonl

    engine = open_store(shared.url.set(username=shared.logins["cw1"]).render_as_string(
        hide_password=False))
    try:
        setup = Setup(municipality="0001", unit_id=1003, mode=Mode.IN_PERSON, legal_basis=2,
                      age=16, length_band=3, youth_form=True)
        followup = FollowUp.open(default_instrument(), setup)
        save_draft(engine, followup, "Blå ek 1")
        assert [d.id for d in list_drafts(engine)] == [followup.id]
        before = count_submissions(engine)
        submit(engine, complete_all(followup))
        assert count_submissions(engine) == before + 1
        assert list_drafts(engine) == []
        with pytest.raises(StoreError, match="redan inskickad"):
            submit(engine, complete_all(followup))
        path = tmp_path / "own.jsonl"
        assert export_jsonl(engine, path, "0001") == before + 1
        assert {json.loads(line)["municipality"] for line in path.read_text().splitlines()} \
            == {"0001"}
        with pytest.raises(StoreError, match="municipality 0001 only"):
            export_jsonl(engine, path, "0002")
        with pytest.raises(StoreError, match="municipality 0001 only"):
            withdraw(engine, "0002")
        other = checksum(shared)
        assert withdraw(engine, "0001") == before + 1
        assert count_submissions(engine) == 0
        assert checksum(shared) != other
        # the other municipality's records are all still there
        cw2 = run_as(shared, "cw2", "SELECT public.ubu_submission_count()")
        assert cw2[0][0] > 0
    finally:
        engine.dispose()


# --- record keys ---------------------------------------------------------------------------

def test_a_municipality_login_neither_chooses_nor_sees_record_keys(shared):
    """A caseworker who chose (or read) the keys of records it adds to a small group could, one
    published count after another, place the other records' key sum in the perturbation table
    and take the exact noise off their sum. Its keys are drawn by the server and never shown."""
    chosen = []
    for _ in range(3):
        record = a_record(shared, "0002")   # 0001 may have withdrawn by now
        record["municipality"] = "0001"
        record["key"] = 12345
        chosen.append(record)
    assert run_as(shared, "cw1", "SELECT public.ubu_submit_records(%s::jsonb)",
                  params=[json.dumps(chosen)]) == [(3,)]
    with shared.owner.connect() as conn:
        keys = conn.execute(text("SELECT record_key FROM public.submission WHERE id = ANY(:ids)"),
                            {"ids": [r["id"] for r in chosen]}).scalars().all()
    assert len(keys) == 3 and 12345 not in keys
    exported = run_as(shared, "cw1", "SELECT e FROM public.ubu_export('0001') e")
    assert exported and not any("key" in e for (e,) in exported)


@pytest.mark.parametrize("where", ["instrument", "version", "item", "adhoc", "score"])
@pytest.mark.parametrize("identity", ["Anna Svensson", "900101-1234", "199001011234",
                                      "anna.svensson@example.se", "070-123 45 67",
                                      "annasvensson_19900101"])
def test_no_identity_rides_in_a_name_field_of_a_submitted_record(shared, where, identity):
    """Through psql a caseworker writes the record itself: the instrument and version, item
    and index ids and the interpreted-items list are the only free text in it, and none of
    them takes a name, number, e-mail, phone or date."""
    record = a_record(shared, "0002")
    record["municipality"] = "0001"
    part = record["sessions"][0]
    if where in ("instrument", "version"):
        record[where] = identity
    elif where == "item":
        part["items"][identity] = ["value", 3]
    elif where == "adhoc":
        part["adhoc"] = [identity]
    else:
        record["scores"] = {identity: [1, 3]}
    refused(shared, "cw1", "SELECT public.ubu_submit_records(%s::jsonb)",
            params=[json.dumps([record])], match="nothing was submitted")


# --- the app as a login that reads results only --------------------------------------------

async def test_an_analyst_login_reads_results_in_the_app_and_is_told_it_does_not_interview(
        shared):
    """An analyst's login opens the app on the shared database (it stopped with "check the
    file's permissions"): the home screen says what the login does, `n` is refused at once
    with the same words, and `e` shows the published figures of the periods a login reads."""
    from textual.widgets import Select

    from tests.ui import new_app, press, wait_until
    from ubu_tui.store import open_store

    engine = open_store(shared.url.set(username=shared.logins["analyst"]).render_as_string(
        hide_password=False))
    app = new_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        status = str(app.screen.query_one("#home-status").content)
        assert "läser resultat" in status and shared.logins["analyst"] in status
        await press(pilot, "n")
        assert type(app.screen).__name__ == "HomeScreen"
        assert any("handläggarinloggning" in n.message for n in app._notifications)
        await press(pilot, "e")
        assert type(app.screen).__name__ == "ResultsScreen"
        labels = [str(label) for label, _value in app.screen.query_one(
            "#period", Select)._options]
        assert "2026 kvartal 2" in labels and "2026" not in labels     # not over yet
        app.screen.query_one("#period", Select).value = "2026-04/2026-06"
        await wait_until(pilot, lambda: "Samtliga" in _page(app))


def _page(app) -> str:
    from rich.console import Console

    console = Console(width=78, record=True)
    console.print(app.screen.query_one("#results-table").content)
    return console.export_text()

# --- one hidden unit among shown ones: what everything published together tells ---------------

HIDDEN_UNIT, EMPTY_UNIT = 1005, 1007         # one follow-up (2025-05); none at all
SHOWN_UNITS = (1001, 1002, 1003, 1004, 1006, 1011)
GRID_OF_MAY = (("2025-05", "2025-05"), ("2025-04", "2025-06"), ("2025-01", "2025-06"),
               ("2025-01", "2025-12"))


@pytest.fixture(scope="module")
def hidden_one() -> Iterator[Shared]:
    """Six units with 480 follow-ups over 2025 (shown in most months), unit 1005 with one
    follow-up in 2025-05 (its youth declined; guardian and caseworker answered), unit 1007 with
    none; seeded, record keys included, so every published figure is the same every run."""
    from ubu_tui.scripts.synth import generate, insert, months_until
    from ubu_tui.store.shared import create_roles

    db = Shared()
    try:
        import_units(db.owner, DEMO_UNITS)
        insert(db.owner, list(generate(default_instrument(), 480, list(SHOWN_UNITS),
                                       months_until("2025-12", 12), municipalities=2, seed=5))
               + list(generate(default_instrument(), 1, [HIDDEN_UNIT], ["2025-05"], seed=99,
                               municipalities=2, ids=iter(["t" * 32]))))
        create_roles(db.owner, db.prefix)
        with db.owner.begin() as conn:
            conn.execute(text(f"CREATE ROLE {db.logins['analyst']} LOGIN IN ROLE "
                              f"{db.prefix}_analyst"))
        yield db
    finally:
        db.close()


@pytest.mark.parametrize("call", [
    *(f"{function}('2025-05', '2025-05', 'none', 3, NULL, 'unit', %s)" for function in FIGURES),
    "ubu_disposition_figures('2025-05', '2025-05', 'none', 3, 'unit', %s)",
    "ubu_method_figures('2025-05', '2025-05', 3, 'cw_methods', 'unit', %s)"])
def test_a_hidden_total_looks_like_a_total_without_records(hidden_one, call):
    """Filtered to one unit, a total with one or two follow-ups came back as a row without
    figures and a total with none as no row at all: for the unit of one follow-up, which items
    its guardian and caseworker answered and that its youth declined (a 'decline.youth' total
    and no youth item), against a unit with none. A hidden total has no row (schema 0169)."""
    def rows(unit: int) -> list[Any]:
        return run_as(hidden_one, "analyst", f"SELECT * FROM public.{call} ORDER BY 1, 2, 3",
                      params=[[unit]])

    assert rows(HIDDEN_UNIT) == rows(EMPTY_UNIT) == []
    # the same holds without a filter, for every group: shown or absent, never without figures
    assert None not in {n for (n,) in run_as(hidden_one, "analyst", "SELECT n FROM public."
                                             + call.replace(", 'unit', %s)", ")"))}


def _shown_groups(conn: Any, function: str, period: tuple[str, str], items: list[str]
                  ) -> tuple[dict[str, set[str]], set[str]]:
    """Per item, the groups shown by unit; and the items whose total is shown."""
    rows = conn.execute(f"SELECT * FROM public.{function}(%s, %s, 'unit', 3, %s) "
                        "WHERE code IS NULL", (*period, items)).fetchall()
    groups: dict[str, set[str]] = {i: set() for i in items}
    for item, grp, _code, n, *_rest in rows:
        if n is not None and grp != "__total__":
            groups[item].add(grp)
    return groups, {item for item, grp, _c, n, *_r in rows if grp == "__total__" and n is not None}


@pytest.mark.parametrize("function,first,others", [
    ("ubu_item_figures", "cw_end", "g_"), ("ubu_index_figures", "safety_care.caseworker",
                                           ".guardian")])
def test_a_call_leaves_out_what_its_items_leave_out_alone(hidden_one, function, first, others):
    """A group hidden for one item of a call is left out for all of its items; one with no
    answer to an item was kept. In 2025-10 no guardian of unit 1002 (4 follow-ups, shown for
    the caseworker's items) answered: a call for {cw_end, B} kept 1002 for every guardian item
    B, where a unit with one or two guardian answers was dropped, so the pair of calls told
    "none" from "one or two" for B, which B's own table hides. A group with no row for an item
    whose total is shown is left out too (schema 0169): what a call leaves out follows from what
    each of its items publishes alone."""
    import psycopg

    from ubu_tui.instrument import default_instrument as instrument

    ids = ([i.id for i in instrument().items.values() if i.id.startswith(others)]
           if function == "ubu_item_figures" else
           [p.id for _ix, _r, p in instrument().respondent_indices() if p.id.endswith(others)])
    telling = 0
    with psycopg.connect(hidden_one.conninfo("analyst"), autocommit=True) as conn:
        for period in (("2025-10", "2025-10"), ("2025-10", "2025-12")):
            alone, shown_a = _shown_groups(conn, function, period, [first])
            for b in ids:
                own, shown_b = _shown_groups(conn, function, period, [b])
                both, _ = _shown_groups(conn, function, period, [first, b])
                expected = alone[first] & own[b] if b in shown_b else alone[first]
                telling += bool(b in shown_b and alone[first] - own[b])
                assert both[first] == expected, (period, b)
    assert telling     # the data holds the case the rule is about


@pytest.mark.xfail(strict=True, reason="open, a design decision: every item is a cell of its own "
                   "(its answered follow-ups differ), so 'total minus the shown units' is a new "
                   "draw per item, grid period and registry filter; averaged over the "
                   "caseworker's items it names a hidden unit's count. Proposals: README, "
                   "'Open: what the rules above do not yet stop'")
def test_averaging_over_items_does_not_name_a_hidden_units_count(hidden_one):
    """One analyst login, no padding, nothing but single-item calls by unit. For each of the
    caseworker's scale and single-choice items (every follow-up's caseworker answers nearly all
    of them), each grid period holding 2025-05 and each registry filter holding unit 1005 (none,
    its unit type, its operating form), total - (sum of the shown units) is the hidden units'
    answered count plus the noise of the total and of the shown units. Each item's cells hold
    other follow-ups (non-response differs by item), so each is a fresh draw; the hidden count
    does not change. The mean names it: 471 draws from 576 calls put unit 1005 at
    1.20 (SE 0.10), its single follow-up (over all 94 items, the youth's at -0.04: it
    declined)."""
    import psycopg

    instrument = default_instrument()
    items = [i.id for i in instrument.items.values()
             if i.id.startswith("cw_") and i.type.value in ("scale", "single")]
    shown = {None: set(SHOWN_UNITS), "unit_type": {1006, 1011},     # 1005's type is 3,
             "operating_form": {1001, 1002, 1006, 1011}}            # its operating form 2
    draws: list[int] = []
    with psycopg.connect(hidden_one.conninfo("analyst"), autocommit=True) as conn:
        for item in items:
            for period in GRID_OF_MAY:
                for dim, value in ((None, None), ("unit_type", 3), ("operating_form", 2)):
                    got = dict(conn.execute(
                        "SELECT grp, n FROM public.ubu_item_figures(%s, %s, 'unit', 3, %s, %s, "
                        "%s) WHERE code IS NULL AND n IS NOT NULL",
                        (*period, [item], dim, [value] if value else None)).fetchall())
                    # only where every unit known to have follow-ups is shown: the rest is
                    # the hidden one
                    if "__total__" in got and {int(g) for g in got if g != "__total__"} \
                            == shown[dim]:
                        draws.append(got["__total__"] - sum(
                            n for g, n in got.items() if g != "__total__"))
    assert len(draws) > 200
    estimate = sum(draws) / len(draws)
    # the attacker must not be able to tell the one follow-up from none or two
    assert abs(estimate - 1) > 0.5, (estimate, len(draws))


def _by_group(conn: Any, period: tuple[str, str], items: list[str]
              ) -> dict[tuple[str, str], dict[int | None, tuple[int, int | None]]]:
    """Per shown (item, unit): code → (n, asked); the summary row under code None."""
    out: dict[tuple[str, str], dict[int | None, tuple[int, int | None]]] = {}
    for item, grp, code, n, asked, *_rest in conn.execute(
            "SELECT * FROM public.ubu_item_figures(%s, %s, 'unit', 3, %s)",
            (*period, items)).fetchall():
        if grp != "__total__" and n is not None:
            out.setdefault((item, grp), {})[code] = (n, asked)
    return out


def test_asked_tells_no_non_response_its_parts_do_not(hidden_one):
    """An answer code or a non-response code published as 0 has no row (schema 0166), so that
    a missing row says neither "none" nor "one or two". But `asked` (answered plus
    non-response) was a cell of its own: the answered count's own figure when the group had no
    non-response, another cell's figure when it had, and two cells that differ by a record
    differ in their published counts about four times in five. So asked != n told, for 489 of
    the shown unit-months of the 94 items on this data whose non-response parts had no row,
    that someone at the unit refused or did not know (1 or 2 of them in 480). Now asked is n
    plus the published non-response parts: nothing the rows do not say."""
    import psycopg

    items = [i.id for i in default_instrument().items.values()
             if i.type.value in ("scale", "single")]
    with psycopg.connect(hidden_one.conninfo("analyst"), autocommit=True) as conn:
        for month in range(1, 13):
            period = (f"2025-{month:02d}", f"2025-{month:02d}")
            for key, rows in _by_group(conn, period, items).items():
                n, asked = rows[None]
                parts = sum(k for code, (k, _a) in rows.items()
                            if code is not None and code < 0)
                assert asked == n + parts, (period, key, rows)


def test_n_beside_the_one_code_shown_tells_no_hidden_answer(hidden_one):
    """A group's answered count n and each of its codes are published from their own cells,
    and a code published as 0 has no row (schema 0166). Where a group shows one code only,
    that code's cell was the group's cell exactly when no other code had an answer, and then
    its count was n; when another code had one or two, the two cells differed by those records
    and their published counts about four times in five. So a one-code row that differed from
    n said that some answer hid in a code without a row: for y_violation, that a youth at the
    unit said yes (one call per item and month: 93 shown unit-months of the single-choice items
    on this data, 7 of them for y_violation). The codes now draw from a stream of their own
    (schema 0170): a one-code row agrees with n no more often when it holds every answer than
    when it does not."""
    import psycopg

    items = [i.id for i in default_instrument().items.values() if i.type.value == "single"]
    truth: dict[tuple[str, str, str], dict[int, int]] = {}
    with hidden_one.owner.connect() as conn:
        for month, unit, item, code, k in conn.execute(text(
                "SELECT s.period, s.unit_id::text, a.item_id, a.code, count(*) "
                "FROM submission s JOIN answer_record a ON a.submission_id = s.id "
                "WHERE a.code >= 0 GROUP BY 1, 2, 3, 4")):
            truth.setdefault((month, unit, item), {})[code] = k
    agree: dict[bool, list[bool]] = {True: [], False: []}
    periods = [(f"2025-{m:02d}", f"2025-{m:02d}") for m in range(1, 13)] + \
        [(f"2025-{m:02d}", f"2025-{m + 2:02d}") for m in (1, 4, 7, 10)]
    with psycopg.connect(hidden_one.conninfo("analyst"), autocommit=True) as conn:
        for period in periods:
            for (item, grp), rows in _by_group(conn, period, items).items():
                codes = [c for c in rows if c is not None and c >= 0]
                if len(codes) == 1:
                    answered = {c for (month, unit, i), got in truth.items()
                                if period[0] <= month <= period[1] and unit == grp
                                and i == item for c in got}
                    agree[len(answered) == 1].append(rows[codes[0]][0] == rows[None][0])
    assert len(agree[True]) >= 8 and len(agree[False]) >= 8, agree
    rate = {k: sum(v) / len(v) for k, v in agree.items()}
    # before 0170: 1.0 (11 groups) where the code held every answer, 0.10 (143) where it did
    # not; after: 0.10 (10) and 0.11 (157)
    assert rate[True] < 0.5, (rate, {k: len(v) for k, v in agree.items()})



def _sums(db: Shared, period: tuple[str, str], items: list[str]
          ) -> dict[tuple[str, str], tuple[frozenset[str], int, int, int]]:
    """The truth, as the owner reads it: per (item, unit) the follow-ups that answered 1-5,
    their sum, their count of 4-5 and their count of 1."""
    out: dict[tuple[str, str], tuple[frozenset[str], int, int, int]] = {}
    with db.owner.connect() as conn:
        for item, unit, ids, total, high, ones in conn.execute(text(
                "SELECT a.item_id, s.unit_id::text, array_agg(s.id::text), sum(a.code), "
                "count(*) FILTER (WHERE a.code >= 4), count(*) FILTER (WHERE a.code = 1) "
                "FROM submission s JOIN answer_record a ON a.submission_id = s.id "
                "WHERE a.code >= 0 AND s.period BETWEEN :f AND :t AND a.item_id = ANY(:i) "
                "GROUP BY 1, 2"), {"f": period[0], "t": period[1], "i": items}):
            out[(item, unit)] = (frozenset(ids), int(total), int(high), int(ones))
    return out


def test_two_items_over_the_same_follow_ups_publish_no_exact_difference(hidden_one):
    """A mean's and a share's noise came from the key of the follow-ups behind them alone, so
    two items answered by the same follow-ups got the same noise: mean_A * n - mean_B * n was
    exactly sum_A - sum_B, and share_A * n - share_B * n exactly the difference of their counts
    of 4-5, one call per month by unit. On this data that held for 799 of 799 pairs of scale
    items at a shown unit-month (766 of 766 for the shares); the noise hid one offset common to
    all of a unit's items, not each figure, and the bounds of the scale pin that offset in a
    small group (one item all 5, another all 1: every answer of both). Each measure now draws
    from its own stream (ptable.measure_stream): the same records give the same figure for the
    same measure everywhere, and two measures differ by chance only."""
    import psycopg

    items = [i.id for i in default_instrument().items.values() if i.type.value == "scale"]
    exact: dict[str, list[bool]] = {"mean": [], "share": []}
    with psycopg.connect(hidden_one.conninfo("analyst"), autocommit=True) as conn:
        for m in range(1, 13):
            period = (f"2025-{m:02d}", f"2025-{m:02d}")
            truth = _sums(hidden_one, period, items)
            pub = {(item, grp): (n, mean, share) for item, grp, code, n, _a, mean, share in
                   conn.execute("SELECT * FROM public.ubu_item_figures(%s, %s, 'unit', 3, %s)",
                                (*period, items)).fetchall()
                   if code is None and grp != "__total__" and n is not None}
            by_set: dict[tuple[str, frozenset[str]], list[str]] = {}
            for (item, grp), (ids, *_r) in truth.items():
                if (item, grp) in pub:
                    by_set.setdefault((grp, ids), []).append(item)
            for (grp, _ids), same in by_set.items():
                for what, col, truth_col, low, high in (("mean", 1, 1, 1, 5),
                                                        ("share", 2, 2, 0, 1)):
                    unclipped = [i for i in same if low < pub[(i, grp)][col] < high]
                    for a, b in zip(unclipped, unclipped[1:], strict=False):
                        n = pub[(a, grp)][0]
                        published = (pub[(a, grp)][col] - pub[(b, grp)][col]) * n
                        real = truth[(a, grp)][truth_col] - truth[(b, grp)][truth_col]
                        exact[what].append(abs(published - real) < 1e-6)
    rate = {k: sum(v) / len(v) for k, v in exact.items()}
    assert all(len(v) > 200 for v in exact.values()), {k: len(v) for k, v in exact.items()}
    # before: 1.0 and 1.0 (799 and 766 pairs); by chance two draws agree about one time in six
    assert rate["mean"] < 0.3 and rate["share"] < 0.5, (rate, {k: len(v) for k, v in
                                                              exact.items()})


# --- the sensitive item: a yes published as 0, beside its "no" ----------------------------------

YES_UNITS = (1001, 1003, 1006)      # one youth each said yes (its count published as 0)


@pytest.fixture(scope="module")
def rare_yes() -> Iterator[tuple[Shared, dict[int, str]]]:
    """hidden_one's 480 follow-ups over 2025 with y_violation made rare: every answer "no"
    (2), but one youth at each of YES_UNITS says yes, chosen among those whose yes cell is
    published as 0 (a count of 1 is published as 0 two times in three). So no table shows a
    yes anywhere; the question is whether the rest tells where the three are."""
    from dataclasses import replace

    from ubu_tui.results import ptable
    from ubu_tui.scripts.synth import generate, insert, months_until
    from ubu_tui.store.shared import create_roles

    records = list(generate(default_instrument(), 480, list(SHOWN_UNITS),
                            months_until("2025-12", 12), municipalities=2, seed=5))

    def answers(rec: Any, code: int) -> list[tuple[str, str, str, int]]:
        return [(r, i, o, code if i == "y_violation" and c >= 0 else c)
                for r, i, o, c in rec.answers]

    records = [replace(r, answers=answers(r, 2)) for r in records]
    months: dict[int, str] = {}
    for unit in YES_UNITS:
        at = next(k for k, r in enumerate(records) if r.unit_id == unit and any(
            i == "y_violation" and c == 2 for _r, i, _o, c in r.answers)
            and ptable.count(1, ptable.stream(r.key, ptable.SENSITIVE_STREAM)) == 0)
        records[at] = replace(records[at], answers=answers(records[at], 1))
        months[unit] = records[at].period
    db = Shared()
    try:
        import_units(db.owner, DEMO_UNITS)
        insert(db.owner, records)
        create_roles(db.owner, db.prefix)
        with db.owner.begin() as conn:
            conn.execute(text(f"CREATE ROLE {db.logins['analyst']} LOGIN IN ROLE "
                              f"{db.prefix}_analyst"))
        yield db, months
    finally:
        db.close()


def _grid_of(month: str) -> list[tuple[str, str]]:
    """The month, quarter, half-year and year that hold `month` (results/periods.py)."""
    year, m = month[:4], int(month[5:])
    q, h = (m - 1) // 3 * 3 + 1, 1 if m <= 6 else 7
    return [(month, month), (f"{year}-{q:02d}", f"{year}-{q + 2:02d}"),
            (f"{year}-{h:02d}", f"{year}-{h + 5:02d}"), (f"{year}-01", f"{year}-12")]


def _filters() -> list[tuple[str | None, list[int] | None]]:
    """No filter, and every one-value filter of the background partitions."""
    from ubu_tui.results import query

    instrument = default_instrument()
    out: list[tuple[str | None, list[int] | None]] = [(None, None)]
    for dim in ("sex", "age_band", "legal_basis", "reason", "length", "breakdown"):
        d = query.DIMENSIONS[dim]
        values = (query.AGE_BAND_LABELS if dim == "age_band" else query.BREAKDOWN_LABELS
                  if dim == "breakdown" else {o.code: o for o in
                                              instrument.item(str(d.item)).options})
        out += [(dim, [int(v)]) for v in values]
    return out


def test_the_no_beside_n_does_not_tell_a_hidden_yes(rare_yes):
    """For the sensitive item, n (its answered youths) and the count of "no" are published
    from streams of their own (0170), so where no youth said yes they no longer agree by
    construction. But n - no is still the yes count plus the noise of two draws, and every
    grid period and one-value filter whose cell holds the youth who said yes is a fresh draw
    of it (its other youths differ), while the yes cell itself (one record) is the same cell
    everywhere, published as 0 everywhere. One analyst login, one call for y_violation by unit
    per grid period of 2025 and filter (19 periods, no filter and the one-value filters of six
    background partitions): summed over a grid level's periods and a filter's values, n - no
    is a draw of the unit's yes count in 2025 (weighted by the inverse of the cells summed);
    averaged over up to 28 such draws a unit (4 grid levels, 7 filters), it ranked the three
    units where a youth said yes (0.87, 0.41, 0.21) above the three where none did (0.13,
    -0.12, -0.15) from 475 calls. Now the sensitive item publishes its yes and no other answer
    code (aggregate.sensitive_parts: "Nej" is shown as n minus the published yes)."""
    import psycopg

    db, months = rare_yes
    levels = {"month": [(f"2025-{m:02d}", f"2025-{m:02d}") for m in range(1, 13)],
              "quarter": [(f"2025-{m:02d}", f"2025-{m + 2:02d}") for m in (1, 4, 7, 10)],
              "half": [("2025-01", "2025-06"), ("2025-07", "2025-12")],
              "year": [("2025-01", "2025-12")]}
    draws: dict[int, dict[tuple[str, str | None], tuple[int, int]]] = {}
    with psycopg.connect(db.conninfo("analyst"), autocommit=True) as conn:
        for level, periods in levels.items():
            for period in periods:
                for dim, value in _filters():
                    got: dict[str, dict[int | None, int]] = {}
                    for _item, grp, code, n, *_r in conn.execute(
                            "SELECT * FROM public.ubu_item_figures(%s, %s, 'unit', 3, %s, %s, "
                            "%s)", (*period, ["y_violation"], dim, value)).fetchall():
                        if grp != "__total__" and n is not None:
                            got.setdefault(grp, {})[code] = n
                    for grp, rows in got.items():
                        assert 1 not in rows          # no yes is shown anywhere
                        if 2 in rows:                 # (a "no" published as 0: left out)
                            at = draws.setdefault(int(grp), {})
                            total, cells = at.get((level, dim), (0, 0))
                            at[(level, dim)] = (total + rows[None] - rows[2], cells + 1)
    # each draw weighted by the inverse of its variance (two draws of noise per cell summed)
    score = {unit: sum(t / c for t, c in d.values()) / sum(1 / c for _t, c in d.values())
             for unit, d in draws.items()}
    # (no "no" published: no draw, every unit alike)
    yes = sorted(score.get(u, 0.0) for u in months)
    none = sorted(score.get(u, 0.0) for u in SHOWN_UNITS if u not in months)
    # the attacker must not be able to rank the units where a youth said yes first
    assert min(yes) <= max(none), (yes, none)



def test_the_response_rates_base_is_no_draw_of_its_own(hidden_one):
    """Streams give the same follow-ups one draw per stream: in 0170 as first written a
    disposition call published a group's follow-ups three times (n in the key's own stream,
    the caseworker's "completed" in the dispositions', the rate's base in a stream of its
    own), so "total minus the shown units" gave three draws of a hidden unit's count per call
    where it gave one before. Over the grid periods of 2025-05 and the registry filters holding
    unit 1005 (10 calls whose shown units are all those with follow-ups), 30 draws put its one
    follow-up at 0.87 (n 1.2, base 0.8, completed 0.6), against 10 draws before 0170. The base
    is now n minus the published not-eligible part: no draw, and equal to n exactly when that
    part has no row, which the row already says."""
    import psycopg

    from ubu_tui.results.pg_functions import ASKED_ROW

    with psycopg.connect(hidden_one.conninfo("analyst"), autocommit=True) as conn:
        for period in GRID_OF_MAY:
            for dim, value in ((None, None), ("unit_type", 3), ("operating_form", 2)):
                got: dict[tuple[str, str], dict[str | None, int]] = {}
                for resp, grp, disp, n, _rate in conn.execute(
                        "SELECT * FROM public.ubu_disposition_figures(%s, %s, 'unit', 3, %s, "
                        "%s)", (*period, dim, [value] if value else None)).fetchall():
                    got.setdefault((resp, grp), {})[disp] = n
                for (resp, grp), rows in got.items():
                    assert rows[ASKED_ROW] == max(0, rows[None] - rows.get("not_eligible", 0)), \
                        (period, dim, resp, grp, rows)


def test_averaging_shares_does_not_tell_a_hidden_answer(hidden_one):
    """A share 4-5 was (count + 0.5 d) / published n, so published n times the share was the
    count of 4-5 with noise of SD 0.5, a quarter of a count's variance. For every scale item
    and each grid period of 2025-05 and registry filter holding unit 1005 whose shown units
    are all those with follow-ups (6 of 12 calls, each call all 94 items at once), total minus
    the shown units is unit 1005's one follow-up's 4-5 (0 or 1) plus that noise. Averaged over
    the 6, "above one half" names whether its guardian and caseworker answered 4-5 for 38 of
    47 items (guessing "not 4-5" every time: 28). The same on the response rates: 10 calls put
    its guardian's answered count at 1.15 and its youth's at 0.40 (answered; declined).
    Now a share's step grows with √n (ptable.share_step): the large total and the shown units
    carry the noise of the difference, and the same six calls get 27 of 47 right, one fewer
    than guessing."""
    import psycopg

    items = [i.id for i in default_instrument().items.values() if i.type.value == "scale"]
    with hidden_one.owner.connect() as conn:
        truth = {item: code >= 4 for item, code in conn.execute(text(
            "SELECT a.item_id, a.code FROM submission s JOIN answer_record a ON "
            "a.submission_id = s.id WHERE s.unit_id = %d AND a.code > 0" % HIDDEN_UNIT))}
    shown = {None: set(SHOWN_UNITS), "unit_type": {1006, 1011},
             "operating_form": {1001, 1002, 1006, 1011}}
    draws: dict[str, list[float]] = {}
    with psycopg.connect(hidden_one.conninfo("analyst"), autocommit=True) as conn:
        for period in GRID_OF_MAY:
            for dim, value in ((None, None), ("unit_type", 3), ("operating_form", 2)):
                got: dict[str, dict[str, float]] = {}
                for item, grp, _c, n, _a, _mean, share in conn.execute(
                        "SELECT * FROM public.ubu_item_figures(%s, %s, 'unit', 3, %s, %s, %s) "
                        "WHERE code IS NULL", (*period, items, dim, [value] if value else None)):
                    if n is not None and share is not None:
                        got.setdefault(item, {})[grp] = n * share
                for item, by in got.items():
                    if "__total__" in by and {int(g) for g in by if g != "__total__"} \
                            == shown[dim]:
                        draws.setdefault(item, []).append(by["__total__"] - sum(
                            v for g, v in by.items() if g != "__total__"))
    named = [item for item in truth if item in draws]
    right = sum((sum(draws[i]) / len(draws[i]) > 0.5) == truth[i] for i in named)
    majority = max(sum(truth[i] for i in named), sum(not truth[i] for i in named))
    assert len(named) >= 40
    # the attacker must do no better than guessing the commoner answer for every item
    assert right <= majority + 2, (right, majority, len(named))
