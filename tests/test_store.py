"""The anonymous store: drafts, write-once submissions, registry, transfer, bad inputs."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import DEMO_UNITS
from tests.helpers import answer_all, complete_all
from ubu_tui.errors import InputRejected, StoreError
from ubu_tui.identifiers import new_record_id
from ubu_tui.interview import Consent, FollowUp
from ubu_tui.store import drafts as draft_store
from ubu_tui.store import make_engine, open_store
from ubu_tui.store.labels import check_label, new_label
from ubu_tui.store.registry import check_org_number, export_units, find_units, import_units
from ubu_tui.store.schema import HEAD, ensure_schema
from ubu_tui.store.submissions import count_submissions, submit
from ubu_tui.store.transfer import export_csv, export_jsonl, import_jsonl

pytestmark = pytest.mark.usefixtures("english")   # matches the English wording


def table_count(engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar())


def dump(engine) -> dict[str, list]:
    """Everything stored, for 'nothing changed' checks."""
    out = {}
    with engine.connect() as conn:
        for table in ("unit", "draft", "submission", "session_record", "answer_record",
                      "method_record"):
            out[table] = sorted(map(tuple, conn.execute(text(f"SELECT * FROM {table}"))), key=str)
    return out


# --- drafts ------------------------------------------------------------------------------
def test_draft_round_trip_and_resume_list(engine, followup):
    youth = followup.session("youth")
    youth.set_consent(Consent.GIVEN)
    from tests.helpers import first_answer
    for _ in range(4):
        youth.answer(first_answer(youth.current))
    label = new_label()
    draft_store.save_draft(engine, followup, label)
    [info] = draft_store.list_drafts(engine)
    assert info.label == label and info.age < timedelta(minutes=1)
    again, again_label = draft_store.load_draft(engine, followup.id)
    assert again.to_state() == followup.to_state() and again_label == label


@pytest.mark.parametrize("label", [
    "Ahmed", "Lisa Svensson", "200501011234", "20050101-1234", "050101-1234",
    "lisa@example.se", "070-123 45 67", "2025-03-14", "Blå ek 17 Lisa", "x" * 100, "",
])
def test_labels_that_could_identify_someone_are_refused(engine, followup, label):
    with pytest.raises(InputRejected):
        draft_store.save_draft(engine, followup, label)
    assert table_count(engine, "draft") == 0


def test_generated_labels_are_accepted():
    for _ in range(200):
        assert check_label(new_label())


def test_old_drafts_are_purged_and_counted(engine, followup):
    draft_store.save_draft(engine, followup, "Grön ask 3")
    assert draft_store.purge_old_drafts(engine, datetime.now(UTC) + timedelta(days=89)) == 0
    assert draft_store.purge_old_drafts(engine, datetime.now(UTC) + timedelta(days=91)) == 1
    assert draft_store.list_drafts(engine) == []


def test_draft_holds_no_dates_or_free_text(engine, followup):
    draft_store.save_draft(engine, followup, "Grön ask 3")
    with engine.connect() as conn:
        state = conn.execute(text("SELECT state FROM draft")).scalar()
    assert "2026-" not in state and "date" not in state
    parsed = json.loads(state)
    assert set(parsed["setup"]) == {"municipality", "unit_id", "mode", "legal_basis", "age",
                                    "length_band", "youth_form", "unaccompanied"}


# --- submission ----------------------------------------------------------------------------
def test_submit_writes_all_sessions_and_deletes_the_draft(engine, followup):
    draft_store.save_draft(engine, followup, "Röd gran 5")
    complete_all(followup)
    period = submit(engine, followup, now=datetime(2026, 11, 22, tzinfo=UTC))
    assert period == "2026-11"
    assert table_count(engine, "draft") == 0
    assert table_count(engine, "submission") == 1
    assert table_count(engine, "session_record") == 3
    assert table_count(engine, "answer_record") == sum(
        len(f.items) for f in followup.instrument.forms.values())
    with engine.connect() as conn:
        row = conn.execute(text("SELECT municipality, unit_id, instrument_id, "
                                "instrument_version, period FROM submission")).one()
    assert tuple(row) == ("0180", 1003, "ubu-vb", "2026.2", "2026-11")


def test_submitted_record_cannot_be_changed(engine, followup):
    submit(engine, complete_all(followup))
    with pytest.raises(Exception, match="cannot be changed"), engine.begin() as conn:
        conn.execute(text("UPDATE answer_record SET code = 1"))


def test_submit_twice_is_refused(engine, followup):
    submit(engine, complete_all(followup))
    with pytest.raises(StoreError, match="already been submitted"):
        submit(engine, followup)
    assert table_count(engine, "submission") == 1


def test_after_submission_no_code_path_returns_the_record(engine, followup):
    draft_store.save_draft(engine, followup, "Röd gran 5")
    submit(engine, complete_all(followup))
    with pytest.raises(StoreError):
        draft_store.load_draft(engine, followup.id)
    assert draft_store.list_drafts(engine) == []
    import ubu_tui.store.submissions as subs
    public = [n for n in dir(subs) if not n.startswith("_") and callable(getattr(subs, n))]
    readers = [n for n in public if n.startswith(("get", "load", "read", "show", "fetch"))]
    assert readers == []
    assert count_submissions(engine) == 1


def test_unknown_unit_is_refused_at_submission(engine, instrument, setup):
    followup = complete_all(FollowUp.open(instrument, setup.__class__(
        **{**setup.__dict__, "unit_id": 4242})))
    with pytest.raises(InputRejected, match="not in the registry"):
        submit(engine, followup)
    assert table_count(engine, "submission") == 0


# --- registry -------------------------------------------------------------------------------
def test_registry_import_export_round_trip(engine, tmp_path):
    out = tmp_path / "units.csv"
    out.write_text(export_units(engine), encoding="utf-8")
    other = open_store("sqlite://")
    report = import_units(other, out)
    assert report.added == 12
    assert export_units(other) == export_units(engine)
    assert [u.name for u in find_units(engine, "ÄLV")] == ["Ungdomshemmet Älvgården"]


def test_org_number_check_digit():
    assert check_org_number("556339-5630").digits == "556339-5630"
    with pytest.raises(InputRejected, match="check digit"):
        check_org_number("556339-5631")
    with pytest.raises(InputRejected):
        check_org_number("55633-95630")


def test_sole_trader_number_is_checked_but_not_stored(engine, tmp_path):
    csv = tmp_path / "units.csv"
    csv.write_text("id,name,owner,org_number,unit_type,permit_ref\n"
                   "2001,HVB Lillstugan,Anna Andersson,811218-9876,1,IVO-1-2024\n",
                   encoding="utf-8")
    report = import_units(engine, csv)
    assert any("personal identity number" in w for w in report.warnings)
    exported = export_units(engine)
    assert "811218" not in exported and "Anna Andersson" not in exported
    assert "HVB Lillstugan,Enskild näringsidkare,,1" in exported


@pytest.mark.parametrize("row,why", [
    ("3001,HVB Ny,Vård AB,556339-5631,1,IVO-1", "check digit"),
    ("3001,HVB Ny,Vård AB,556339-5630,7,IVO-1", "unit_type"),
    ("3001,Lisa 19850101-1234,Vård AB,556339-5630,1,IVO-1", "personal identity number"),
    ("3001,HVB Ny,kontakt@vard.se,556339-5630,1,IVO-1", "e-mail"),
    ("3001,HVB Ny,Vård AB,556339-5630,1,IVO 1 ; drop", "permit_ref"),
    ("x,HVB Ny,Vård AB,556339-5630,1,IVO-1", "whole numbers"),
    ("3001,HVB Ny,Vård AB", "columns"),
])
def test_bad_registry_rows_reject_the_whole_file(engine, tmp_path, row, why):
    before = dump(engine)
    csv = tmp_path / "units.csv"
    csv.write_text("id,name,owner,org_number,unit_type,permit_ref\n"
                   "3002,HVB Bra,Vård AB,556339-5630,1,IVO-2\n" + row + "\n", encoding="utf-8")
    with pytest.raises(InputRejected, match=why) as err:
        import_units(engine, csv)
    assert "units.csv:3:" in str(err.value) and "nothing was imported" in str(err.value)
    assert dump(engine) == before


@pytest.mark.parametrize("language, more", [("en", "… and 2 more problems"),
                                            ("sv", "… och 2 problem till")])
def test_a_file_with_many_bad_rows_names_ten_and_counts_the_rest(engine, tmp_path, language,
                                                                   more):
    from ubu_tui.i18n import current_language, use_language

    csv = tmp_path / "units.csv"
    csv.write_text("id,name,owner,org_number,unit_type,permit_ref\n" + "".join(
        f"{3001 + i},HVB Ny,Vård AB,556339-5630,7,IVO-1\n" for i in range(12)), encoding="utf-8")
    was = current_language()
    use_language(language)
    try:
        with pytest.raises(InputRejected) as err:
            import_units(engine, csv)
    finally:
        use_language(was)
    lines = str(err.value).splitlines()
    assert [line.split(": ")[0] for line in lines[1:11]] == [f"{csv}:{n}" for n in range(2, 12)]
    assert lines[-1] == more


# --- transfer ------------------------------------------------------------------------------
def submitted(engine, instrument, setup, n: int) -> None:
    for _ in range(n):
        submit(engine, complete_all(FollowUp.open(instrument, setup)))


def test_export_import_is_idempotent(engine, instrument, setup, tmp_path):
    submitted(engine, instrument, setup, 3)
    path = tmp_path / "records.jsonl"
    assert export_jsonl(engine, path) == 3
    assert (tmp_path / "records.jsonl.codebook.txt").read_text().startswith("# UBU-VB")
    other = open_store("sqlite://")
    import_units(other, DEMO_UNITS)
    first = import_jsonl(other, path)
    again = import_jsonl(other, path)
    assert (first.added, first.already_present) == (3, 0)
    assert (again.added, again.already_present) == (0, 3)
    assert table_count(other, "answer_record") == table_count(engine, "answer_record")
    assert table_count(other, "method_record") == table_count(engine, "method_record")

    def keys(eng) -> dict[str, int]:     # the record keys travel: figures stay the same
        with eng.connect() as conn:
            return dict(conn.execute(text("SELECT id, record_key FROM submission")).all())

    assert keys(other) == keys(engine) and len(set(keys(engine).values())) == 3
    import json

    lines = path.read_text().splitlines()    # a file from before record keys: one is drawn
    old = [json.loads(line) for line in lines]
    for rec in old:
        del rec["key"]
    path.write_text("\n".join(json.dumps(rec) for rec in old))
    third = open_store("sqlite://")
    import_units(third, DEMO_UNITS)
    assert import_jsonl(third, path).added == 3
    assert set(keys(third)) == set(keys(engine))


def test_csv_export_has_one_row_per_record_and_codes_only(engine, instrument, setup, tmp_path):
    submitted(engine, instrument, setup, 2)
    path = tmp_path / "records.csv"
    export_csv(engine, path)
    lines = path.read_text().splitlines()
    assert len(lines) == 3
    header = lines[0].split(",")
    assert "y_safe" in header and "cw_methods_1" in header and "youth_disposition" in header


def test_import_refuses_unknown_instrument_version(engine, instrument, setup, tmp_path):
    submitted(engine, instrument, setup, 1)
    path = tmp_path / "records.jsonl"
    export_jsonl(engine, path)
    record = json.loads(path.read_text())
    record["version"] = "1999.1"
    record["id"] = new_record_id()
    path.write_text(json.dumps(record) + "\n")
    before = dump(engine)
    with pytest.raises(InputRejected, match="unknown instrument version ubu-vb@1999.1"):
        import_jsonl(engine, path)
    assert dump(engine) == before


def _answer(record: dict, item: str, pair: list) -> None:
    next(s for s in record["sessions"] if item in s["items"])["items"][item] = pair


@pytest.mark.parametrize("mutate,why", [
    (lambda r: r.update(period="2026-11-03"), "period must be YYYY-MM"),
    (lambda r: r.update(name="Lisa"), "fields differ"),
    (lambda r: r["sessions"][0].update(note="hon grät"), "session fields"),
    (lambda r: r["sessions"][0]["items"].popitem(), "exactly one outcome"),
    (lambda r: r.update(municipality="18"), "four digits"),
    (lambda r: r.update(unit=999999), "not in this database's registry"),
    (lambda r: r.update(id="19850101-1234"), "32 lower-case hex"),
    # an answer's code must be a whole number and its outcome a word: 3.0 equals 3 and
    # ["value"] cannot be looked up at all
    (lambda r: _answer(r, "y_safe", ["value", 3.0]), "y_safe must be [outcome, code]"),
    (lambda r: _answer(r, "y_safe", [["value"], 3]), "y_safe must be [outcome, code]"),
    (lambda r: _answer(r, "y_safe", ["value", 3, 3]), "y_safe must be [outcome, code]"),
    (lambda r: _answer(r, "y_safe", ["value", 9]), "y_safe has code 9, not allowed"),
])
def test_import_refuses_bad_records_and_changes_nothing(engine, instrument, setup, tmp_path,
                                                       mutate, why):
    submitted(engine, instrument, setup, 2)
    path = tmp_path / "records.jsonl"
    export_jsonl(engine, path)
    good, second = path.read_text().splitlines()
    record = json.loads(second)
    record["id"] = new_record_id()
    mutate(record)
    path.write_text(good + "\n" + json.dumps(record) + "\nnot json\n")
    before = dump(engine)
    with pytest.raises(InputRejected) as err:
        import_jsonl(engine, path)
    assert why in str(err.value) and ":2:" in str(err.value) and ":3: not JSON" in str(err.value)
    assert dump(engine) == before


# --- practice is kept apart ----------------------------------------------------------------
def test_practice_store_cannot_submit_export_or_be_opened_as_real(tmp_path, followup):
    url = f"sqlite:///{tmp_path / 'practice.sqlite3'}"
    practice = open_store(url, practice=True)
    import_units(practice, DEMO_UNITS)
    with pytest.raises(StoreError, match="practice"):
        submit(practice, complete_all(followup))
    with pytest.raises(StoreError, match="practice"):
        export_jsonl(practice, tmp_path / "x.jsonl")
    with pytest.raises(StoreError, match="practice"):
        import_jsonl(practice, tmp_path / "x.jsonl")
    with pytest.raises(StoreError, match="cannot be used as a real store"):
        open_store(url)


# --- schema and bad databases ---------------------------------------------------------------
def test_head_constant_matches_the_migrations():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    import ubu_tui.store.schema as schema
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(schema.__file__).parent / "migrations"))
    assert ScriptDirectory.from_config(cfg).get_current_head() == HEAD


def test_newer_schema_is_refused_and_untouched(db_url):
    engine = open_store(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0999'"))
    with pytest.raises(StoreError, match="newer than this ubu-tui"):
        open_store(db_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0999"


def test_sqlite_runs_in_wal_with_full_sync(db_url):
    engine = open_store(db_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2   # FULL


def test_corrupt_database_file_gives_a_clear_message(tmp_path):
    path = tmp_path / "ubu.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a readable ubu database"):
        open_store(f"sqlite:///{path}")
    assert path.read_bytes() == b"this is not sqlite" * 100


def test_foreign_database_is_refused(tmp_path):
    path = tmp_path / "other.sqlite3"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE patients (name TEXT)")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="not an ubu database"):
        open_store(f"sqlite:///{path}")


def test_locked_database_gives_a_clear_message_and_loses_nothing(db_url, followup, tmp_path):
    engine = open_store(db_url)
    import_units(engine, DEMO_UNITS)
    draft_store.save_draft(engine, followup, "Gul lind 9")
    before = dump(engine)
    locker = sqlite3.connect(tmp_path / "ubu.sqlite3", timeout=0)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match="locked"):
            draft_store.save_draft(_short_timeout(db_url), followup, "Gul lind 9")
    finally:
        locker.rollback()
        locker.close()
    assert dump(engine) == before


def _short_timeout(url):
    from sqlalchemy import event
    engine = make_engine(url)

    @event.listens_for(engine, "connect")
    def _fast(dbapi_conn, _):
        dbapi_conn.execute("PRAGMA busy_timeout=200")
    return engine


def test_full_disk_gives_a_clear_message_and_keeps_earlier_answers(db_url, followup):
    engine = open_store(db_url)
    draft_store.save_draft(engine, followup, "Gul lind 9")
    saved = draft_store.list_drafts(engine)[0].state
    youth = followup.session("youth")
    answer_all(youth)
    with engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _cap(dbapi_conn, _):  # simulate a full disk: the file may not grow
        dbapi_conn.execute(f"PRAGMA max_page_count={pages}")
    engine.dispose()
    big = FollowUp.from_state(followup.instrument, followup.to_state())
    with pytest.raises(StoreError, match="full"):
        for n in range(200):   # enough growth to need new pages
            copy = FollowUp.open(followup.instrument, followup.setup)
            draft_store.save_draft(engine, copy, f"Gul lind {n % 98 + 1}")
    assert any(d.state == saved for d in draft_store.list_drafts(engine))
    assert big is not None


def test_ensure_schema_reports_created_then_current(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert ensure_schema(engine) == "created"
    assert ensure_schema(engine) == "current"


def test_read_only_database_gives_a_clear_message(tmp_path, followup):
    path = tmp_path / "ubu.sqlite3"
    open_store(f"sqlite:///{path}").dispose()
    read_only = open_store(f"sqlite:///file:{path}?mode=ro&uri=true")
    with pytest.raises(StoreError, match="cannot be written"):
        draft_store.save_draft(read_only, followup, "Gul lind 9")


def test_a_login_without_the_right_is_told_which_login_does_what():
    """On the shared database "permission denied" is a login's missing right, not a file's:
    an analyst login starting the interview app is told which login interviews and how it
    reads results instead (it read "check the file's permissions")."""
    from sqlalchemy import create_engine, exc

    from ubu_tui.store.engine import explain

    engine = create_engine("postgresql+psycopg://an_0180@db.example/ubu")
    err = exc.ProgrammingError("SELECT count(*) FROM draft", {},
                               Exception("permission denied for table draft"))
    message = str(explain(err, engine))
    assert "'an_0180'" in message and "permission denied for table draft" in message
    assert "caseworker login" in message and "ubu report" in message
    assert "file" not in message


def migrate_to(conn, revision: str) -> None:
    """Bring a database to an older schema, as an earlier release left it."""
    from alembic import command
    from alembic.config import Config

    import ubu_tui.store.schema as schema

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(schema.__file__).parent / "migrations"))
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, revision)


def test_a_first_release_database_migrates_and_keeps_its_data(db_url, followup, tmp_path):
    """A 0001 store (before practice and results) is backed up, migrated, keeps its drafts,
    and gets the index scores of its records filled in."""

    from ubu_tui.store.background import COLUMNS
    from ubu_tui.store.drafts import list_drafts
    from ubu_tui.store.submissions import index_scores, rows_of

    engine = make_engine(db_url)
    with engine.begin() as conn:
        migrate_to(conn, "0001")
        conn.execute(text("INSERT INTO store_meta (key, value) VALUES ('store_kind', 'real')"))
        conn.execute(text("INSERT INTO draft (id, label, created_at, updated_at, state) VALUES "
                          "('d1', 'Blå ek 3', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, :s)"),
                     {"s": json.dumps(followup.to_state())})
    done = complete_all(FollowUp.open(followup.instrument, followup.setup))
    rows = [r for r in rows_of(done.record(), "2026-01") if type(r).__name__ != "IndexScore"]
    with engine.begin() as conn:        # a record as the first release wrote it
        for row in rows:
            table = type(row).__table__
            values = {c.name: getattr(row, c.name) for c in table.c
                      if c.name not in ("adhoc", "record_key") and not c.name.startswith("bg_")
                      and getattr(row, c.name) is not None}
            conn.execute(text(f"INSERT INTO {table.name} ({', '.join(values)}) VALUES "
                              f"({', '.join(':' + k for k in values)})"), values)
    assert ensure_schema(engine) == "migrated"
    with engine.connect() as conn:
        filled = {ix: (n, total) for ix, n, total in conn.execute(text(
            "SELECT index_id, n, total FROM index_score"))}
    assert filled == index_scores(done.record()) and filled
    with engine.connect() as conn:      # the old record drew a key; the kept counts carry it
        key = conn.execute(text("SELECT record_key FROM submission")).scalar_one()
        ckeys = {r[0] for r in conn.execute(text("SELECT ckey FROM item_count WHERE n = 1"))}
    assert 0 <= key < 2**32 and ckeys == {key}
    with engine.connect() as conn:      # its background groups, from its answers, as if new
        groups = conn.execute(text(f"SELECT {', '.join(COLUMNS)} FROM submission")).one()
    assert dict(zip(COLUMNS, groups, strict=True)) == {
        c: getattr(rows[0], c) for c in COLUMNS}
    assert [d.label for d in list_drafts(engine)] == ["Blå ek 3"]
    assert list(tmp_path.glob("*.before-*-from-0001.bak"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM practice_result")).scalar() == 0


def test_a_migration_that_fails_halfway_leaves_the_database_as_it_was(db_url, monkeypatch):
    """All of a migration or none of it: a failure after its first table leaves no trace."""


    engine = make_engine(db_url)
    with engine.begin() as conn:
        migrate_to(conn, "0004")
        conn.execute(text("INSERT INTO store_meta (key, value) VALUES ('store_kind', 'real')"))
    import ubu_tui.instrument.loader as loader

    def broken(*_args):
        raise RuntimeError("disk pulled out")

    monkeypatch.setattr(loader, "instrument_by_version", broken)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO submission VALUES ('a' , '0180', 1001, 'ubu-vb', "
                          "'2026.1', '2026-01')"))
    with pytest.raises(Exception, match="disk pulled out"):
        ensure_schema(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0004"
        assert "index_score" not in [r[0] for r in conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'table'"))]
    monkeypatch.undo()
    assert ensure_schema(engine) == "migrated"        # and it goes through once fixed


def test_the_database_keeps_its_counts_exact_through_submit_and_withdraw(
        engine, instrument, setup, tmp_path):
    from dataclasses import replace

    from ubu_tui.store.shared import withdraw

    def counts() -> tuple[dict, dict]:
        with engine.connect() as conn:
            kept = {(p, i, c): (n, k) for p, i, c, n, k in conn.execute(text(
                "SELECT period, item_id, code, n, ckey FROM item_count WHERE n > 0"))}
            raw = {(p, i, c): (n, k) for p, i, c, n, k in conn.execute(text(
                "SELECT s.period, a.item_id, a.code, COUNT(*), SUM(s.record_key) "
                "FROM answer_record a JOIN "
                "submission s ON s.id = a.submission_id WHERE a.outcome IN "
                "('value', 'nonresponse') GROUP BY s.period, a.item_id, a.code"))}
        return kept, raw

    def index_sums() -> tuple[dict, dict]:
        with engine.connect() as conn:
            kept = {(u, i): (n, round(t, 9), h, k, hk) for u, i, n, t, h, k, hk in conn.execute(
                text("SELECT unit_id, index_id, n, total, high, ckey, hkey FROM index_count "
                     "WHERE n > 0"))}
            raw = {(u, i): (n, round(t, 9), h, k, hk) for u, i, n, t, h, k, hk in conn.execute(
                text("SELECT s.unit_id, x.index_id, COUNT(*), SUM(x.total * 1.0 / x.n), "
                "SUM(CASE WHEN x.total >= 4 * x.n THEN 1 ELSE 0 END), SUM(s.record_key), "
                "SUM(CASE WHEN x.total >= 4 * x.n THEN s.record_key ELSE 0 END) "
                "FROM index_score x "
                "JOIN submission s ON s.id = x.submission_id GROUP BY s.unit_id, x.index_id"))}
        return kept, raw

    for municipality, unit in (("0180", 1003), ("1480", 1003), ("1480", 1004)):
        submit(engine, complete_all(FollowUp.open(instrument, replace(
            setup, municipality=municipality, unit_id=unit))))
    kept, raw = counts()
    assert kept == raw and sum(n for n, _k in kept.values()) > 150
    kept, raw = index_sums()
    assert kept == raw and {u for u, _ in kept} == {1003, 1004}
    withdraw(engine, "1480")
    kept, raw = counts()
    assert kept == raw and max(n for n, _k in kept.values()) == 1
    kept, raw = index_sums()
    assert kept == raw and {u for u, _ in kept} == {1003}
    with engine.connect() as conn:
        kept = dict(((r, d), n) for r, d, n in conn.execute(text(
            "SELECT respondent, disposition, n FROM disposition_count WHERE n > 0")))
    from ubu_tui.results.query import Selection, dispositions

    assert kept == {("youth", "completed"): 1, ("guardian", "completed"): 1,
                    ("caseworker", "completed"): 1}
    assert dispositions(engine, Selection())[("youth", 0)]["completed"][0] == 1
