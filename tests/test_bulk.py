"""Records written in bulk are counted exactly as records written one by one, and the views
served from the kept per-group counts give exactly the figures computed from the records."""

from __future__ import annotations

import gc
import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

import pytest
from sqlalchemy import exc, text
from sqlalchemy.engine import Engine

from tests.conftest import pg_url
from tests.helpers import throwaway_pg_store
from ubu_tui.instrument import default_instrument
from ubu_tui.results import query
from ubu_tui.results.query import Selection
from ubu_tui.scripts import synth
from ubu_tui.store import open_store
from ubu_tui.store.bulk import ADD_AFTER_GROUPING, counted_in_bulk, new_records
from ubu_tui.store.cube import ADD_COUNTS
from ubu_tui.store.submissions import ROW_COLUMNS, json_rows, write_rows
from ubu_tui.store.transfer import export_jsonl, import_jsonl

INSTRUMENT = default_instrument()
UNITS = list(range(1001, 1013))
PERIODS = ["2026-01", "2026-02", "2026-03"]
COUNTS = {"item_count": "period, item_id, code", "index_count": "period, unit_id, index_id",
          "disposition_count": "period, respondent, disposition",
          "disposition_unit_count": "period, unit_id, respondent, disposition",
          "index_cube": "dim, index_id, period, unit_type, grp",
          "index_cube_year": "dim, index_id, year, unit_type, grp",
          "item_group_count": "dim, item_id, period, grp, code",
          "method_count": "item_id, period, method, applied",
          "decline_count": "period, respondent, reason"}


def counts(engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {table: [tuple(round(v, 9) if isinstance(v, float) else v for v in row)
                        for row in conn.execute(text(
                            f"SELECT * FROM {table} WHERE n <> 0 ORDER BY {key}"))]
                for table, key in COUNTS.items()}


def store(tmp_path, name: str):
    engine = open_store(f"sqlite:///{tmp_path / name}")
    synth.ensure_units(engine, len(UNITS))
    return engine


@pytest.fixture(scope="module")
def records():
    return list(synth.generate(INSTRUMENT, 120, UNITS, PERIODS, seed=7, municipalities=5))


def test_bulk_written_records_are_counted_as_the_row_triggers_count_them(
        tmp_path, monkeypatch, records):
    bulk = store(tmp_path, "bulk.sqlite3")
    synth.insert(bulk, records[:80])
    synth.insert(bulk, records[80:])           # a second batch adds to the first's counts
    with monkeypatch.context() as m:           # the same rows, every one counted by triggers
        m.setattr("ubu_tui.store.bulk.counted_in_bulk", lambda conn: nullcontext())
        m.setattr("ubu_tui.store.bulk.new_records", lambda conn, ids: None)
        by_row = store(tmp_path, "rows.sqlite3")
        synth.insert(by_row, records)
    expected = counts(by_row)
    assert all(expected.values()) and counts(bulk) == expected
    # and imported in bulk from an export, counted the same again
    export_jsonl(by_row, tmp_path / "all.jsonl")
    imported = store(tmp_path, "imported.sqlite3")
    report = import_jsonl(imported, tmp_path / "all.jsonl")
    assert report.added == len(records) and counts(imported) == expected
    # the triggers are back after a bulk write: a record written alone is counted
    extra = list(synth.generate(INSTRUMENT, 1, UNITS, PERIODS, seed=99))
    with monkeypatch.context() as m:
        m.setattr("ubu_tui.store.bulk.counted_in_bulk", lambda conn: nullcontext())
        m.setattr("ubu_tui.store.bulk.new_records", lambda conn, ids: None)
        synth.insert(imported, extra)
        synth.insert(by_row, extra)
    assert counts(imported) == counts(by_row) != expected


def test_a_batch_grouped_in_memory_is_counted_as_one_grouped_in_sql(tmp_path, records):
    """The SQLite import groups its index cube from the rows in hand (store/cube_batch.py);
    the same batch counted by the grouped statements gives the same kept counts, also for a
    unit not in the registry (unit type -1), over two batches in one block, and added to counts
    already kept."""
    source = store(tmp_path, "source.sqlite3")
    synth.insert(source, records)
    export_jsonl(source, tmp_path / "all.jsonl")
    lines = [json.loads(line) for line in (tmp_path / "all.jsonl").read_text().splitlines()]
    lines.sort(key=lambda r: r["id"])
    found = []
    for in_memory in (False, True):
        engine = store(tmp_path, f"{in_memory}.sqlite3")
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DELETE FROM unit WHERE id = {UNITS[2]}")
        for batches in ([lines[:30]], [lines[30:70], lines[70:]]):
            with engine.begin() as conn, counted_in_bulk(conn):
                for batch in batches:
                    rows: dict[str, list[tuple]] = {t: [] for t in ROW_COLUMNS}
                    for r in batch:
                        json_rows(r, rows)
                    write_rows(conn, rows)
                    new_records(conn, [r["id"] for r in batch], rows if in_memory else None)
        found.append(counts(engine))
    assert all(found[0].values()) and found[1] == found[0]
    # a block's batches are grouped one way: with bulk_cube made in memory, a batch without
    # its rows would not be counted in the cube
    engine = store(tmp_path, "mixed.sqlite3")
    with pytest.raises(ValueError, match="every batch"):
        with engine.begin() as conn, counted_in_bulk(conn):
            for batch, given in ((lines[:5], True), (lines[5:10], False)):
                rows = {t: [] for t in ROW_COLUMNS}
                for r in batch:
                    json_rows(r, rows)
                write_rows(conn, rows)
                new_records(conn, [r["id"] for r in batch], rows if given else None)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM submission").scalar() == 0


def test_a_fresh_load_counts_and_indexes_as_the_row_triggers_do(tmp_path, monkeypatch, records):
    """The synthesiser's fresh load (indexes and triggers dropped, counts added in rounds by
    the bulk import's grouped statements at the end) leaves the store a row-by-row writer
    would: the same schema, the same counts and cubes, its own journal mode back, every
    record whole and accepted by the import's checks."""
    with monkeypatch.context() as m:           # every row counted by the triggers
        m.setattr("ubu_tui.store.bulk.counted_in_bulk", lambda conn: nullcontext())
        m.setattr("ubu_tui.store.bulk.new_records", lambda conn, ids: None)
        by_row = store(tmp_path, "rows.sqlite3")
        synth.insert(by_row, records)
    fresh = store(tmp_path, "fresh.sqlite3")
    monkeypatch.setattr(synth, "COUNT_CHUNK", 50)      # three rounds of counting
    ids = synth.sorted_ids(len(records))
    again = [synth.Synthetic(**{**r.__dict__, "id": next(ids)}) for r in records]
    steps: list[str] = []
    synth.load_fresh(fresh, [again[:70], again[70:]], log=steps.append)
    assert [s.split(":")[0] for s in steps if "counted" in s] == [
        "50 records counted", "100 records counted", "120 records counted"]

    def schema(engine) -> list[str]:
        with engine.connect() as conn:
            return sorted(r[0] for r in conn.execute(text(
                "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL")))

    expected = counts(by_row)
    assert all(expected.values()) and counts(fresh) == expected
    assert schema(fresh) == schema(by_row)
    with fresh.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert not conn.exec_driver_sql("PRAGMA foreign_key_check").all()
    export_jsonl(fresh, tmp_path / "fresh.jsonl")
    checked = store(tmp_path, "checked.sqlite3")
    report = import_jsonl(checked, tmp_path / "fresh.jsonl")
    assert report.added == len(records) and counts(checked) == expected
    with pytest.raises(SystemExit, match="empty store"):      # never over records
        synth.load_fresh(fresh, [])


def last_count_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """The last statement a bulk write counts with fails, whether its index cube was grouped
    in SQL (ADD_COUNTS) or in memory (ADD_AFTER_GROUPING, the SQLite import)."""
    for name, statements in (("ADD_COUNTS", ADD_COUNTS),
                             ("ADD_AFTER_GROUPING", ADD_AFTER_GROUPING)):
        monkeypatch.setattr(f"ubu_tui.store.bulk.{name}",
                            (*statements, "INSERT INTO no_such_table VALUES (1)"))


def test_an_import_that_fails_while_writing_leaves_records_counts_and_triggers_as_they_were(
        tmp_path, monkeypatch, records):
    source = store(tmp_path, "source.sqlite3")
    synth.insert(source, records[:30])
    export_jsonl(source, tmp_path / "some.jsonl")
    engine = store(tmp_path, "s.sqlite3")
    synth.insert(engine, records[30:40])
    before = counts(engine)

    def triggers() -> list[str]:
        with engine.connect() as conn:
            return sorted(r[0] for r in conn.execute(text(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'")))

    had = triggers()
    assert "answer_record_count" in had
    # the last counting statement fails, after the rows are written and the triggers dropped
    last_count_fails(monkeypatch)
    with pytest.raises(Exception, match="no_such_table"):
        import_jsonl(engine, tmp_path / "some.jsonl")
    assert triggers() == had and counts(engine) == before
    assert gc.isenabled()      # the import pauses the cycle collector: on again after a failure
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM submission")).scalar() == 10


def test_after_an_import_written_without_foreign_key_probes_the_store_refuses_orphan_parts(
        tmp_path, monkeypatch, records):
    """The import skips SQLite's per-row foreign-key probe (its parts' records are written
    first in the same transaction); the store's connections must probe again afterwards,
    after a failed import too, and what was imported must hold together."""
    source = store(tmp_path, "source.sqlite3")
    synth.insert(source, records[:30])
    export_jsonl(source, tmp_path / "some.jsonl")
    engine = store(tmp_path, "s.sqlite3")

    def refuses_an_orphan_answer() -> None:
        with engine.connect() as conn:
            with pytest.raises(exc.IntegrityError, match="FOREIGN KEY"):
                conn.execute(text("INSERT INTO answer_record (submission_id, respondent, "
                                  "item_id, outcome, code) VALUES ('0' , 'youth', "
                                  "'y_safe', 'value', 3)"))

    with monkeypatch.context() as m:
        last_count_fails(m)
        with pytest.raises(Exception, match="no_such_table"):
            import_jsonl(engine, tmp_path / "some.jsonl")
    refuses_an_orphan_answer()
    assert import_jsonl(engine, tmp_path / "some.jsonl").added == 30
    refuses_an_orphan_answer()
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
        assert conn.execute(text("SELECT count(*) FROM answer_record")).scalar() == sum(
            len(s["items"]) for line in (tmp_path / "some.jsonl").read_text().splitlines()
            for s in json.loads(line)["sessions"])


@pytest.mark.parametrize("by", [None, *query.DIMENSIONS])
@pytest.mark.parametrize("filters", [(), (("unit_type", (1, 3)),)])
def test_index_figures_from_the_kept_group_counts_equal_those_from_the_records(
        tmp_path_factory, records, monkeypatch, by, filters):
    engine = _filled(tmp_path_factory, records)
    sel = Selection("2026-01", "2026-03", filters)
    kept = query.index_scores(engine, INSTRUMENT, sel, by)
    monkeypatch.setattr(query, "_in_cube", lambda sel, by: False)
    monkeypatch.setattr(query, "_by_units", lambda sel, by: False)   # the registry's, per unit
    monkeypatch.setattr(query, "_index_totals", lambda *a: pytest.fail("not from records"))
    if by == "unit" and not filters:
        return          # served from index_count, compared in test_results
    from_records = query.index_scores(engine, INSTRUMENT, sel, by)
    assert kept.keys() == from_records.keys() and kept
    for key, (n, total, high, ckey, hkey) in kept.items():
        rn, rtotal, rhigh, rckey, rhkey = from_records[key]
        assert (n, high, ckey, hkey) == (rn, rhigh, rckey, rhkey)
        assert total == pytest.approx(rtotal)


def change_registry(engine) -> None:
    """A registry import as it happens: two units change type, one leaves the registry and
    comes back as another type, one is renumbered (its records' unit is then unregistered)."""
    with engine.begin() as conn:
        conn.execute(text("UPDATE unit SET unit_type = CASE WHEN unit_type = 1 THEN 3 ELSE 1 "
                          "END WHERE id IN (1001, 1002)"))
        row = dict(conn.execute(text("SELECT * FROM unit WHERE id = 1003")).mappings().one())
        conn.execute(text("DELETE FROM unit WHERE id = 1003"))
        conn.execute(text("UPDATE unit SET id = 1099 WHERE id = 1004"))
        conn.execute(text(f"INSERT INTO unit ({', '.join(row)}) VALUES "
                          f"({', '.join(':' + c for c in row)})"),
                     {**row, "unit_type": 2 if row["unit_type"] != 2 else 4})


def test_a_registry_change_moves_a_units_index_sums_to_its_new_type(
        tmp_path, monkeypatch, records):
    """index_cube is kept by the registry's unit type (schema 0131): after the registry
    changes, the kept sums are those of a store filled under the new registry, and every
    index view filtered by unit type gives the figures computed from the records."""
    moved = store(tmp_path, "moved.sqlite3")
    synth.insert(moved, records[:80])                # in bulk
    with monkeypatch.context() as m:                 # and by the row triggers
        m.setattr("ubu_tui.store.bulk.counted_in_bulk", lambda conn: nullcontext())
        m.setattr("ubu_tui.store.bulk.new_records", lambda conn, ids: None)
        synth.insert(moved, records[80:])
    before = counts(moved)
    change_registry(moved)
    assert counts(moved) != before
    fresh = store(tmp_path, "fresh.sqlite3")
    change_registry(fresh)
    synth.insert(fresh, records)
    assert counts(moved) == counts(fresh)
    for types in ((1,), (2, 3), (query.MISSING,)):
        sel = Selection("2026-01", "2026-03", (("unit_type", types),))
        for by in (None, "sex", "method", "unit", "municipality"):
            kept = query.index_scores(moved, INSTRUMENT, sel, by)
            with monkeypatch.context() as m:
                m.setattr(query, "_in_cube", lambda sel, by: False)
                m.setattr(query, "_by_units", lambda sel, by: False)
                counted = query.index_scores(moved, INSTRUMENT, sel, by)
            assert kept and kept.keys() == counted.keys(), (types, by)
            for key, (n, total, *rest) in kept.items():
                assert (n, *rest) == (counted[key][0], *counted[key][2:])
                assert total == pytest.approx(counted[key][1])


_FILLED: dict[str, object] = {}


def _filled(tmp_path_factory, records):
    if "engine" not in _FILLED:
        engine = store(tmp_path_factory.mktemp("cube"), "cube.sqlite3")
        synth.insert(engine, records)
        _FILLED["engine"] = engine
    return _FILLED["engine"]


def test_the_background_groups_stored_with_a_record_are_those_of_its_answers(records):
    """The submission row's groups follow the same rule as results always did (SQL on the
    answers), for every record of a varied synthetic set."""
    from ubu_tui.store.background import COLUMNS, groups_of

    engine = open_store("sqlite://")
    synth.ensure_units(engine, len(UNITS))
    synth.insert(engine, records)
    with engine.connect() as conn:
        for column, (item, _fn, sql) in COLUMNS.items():
            stored = dict(conn.execute(text(f"SELECT id, {column} FROM submission")).all())
            derived = dict(conn.execute(text(
                f"SELECT s.id, COALESCE((SELECT {sql} FROM answer_record bg WHERE "
                f"bg.submission_id = s.id AND bg.item_id = '{item}'), -1) FROM submission s")
            ).all())
            assert stored == derived, column
    with engine.connect() as conn:      # and the Python rule writers use agrees with it
        stored = {r[0]: tuple(r[1:]) for r in conn.execute(text(
            f"SELECT id, {', '.join(COLUMNS)} FROM submission"))}
    assert stored == {r.id: tuple(groups_of((a[1], a[2], a[3]) for a in r.answers).values())
                      for r in records}


PG = pg_url()


@contextmanager
def two_pg_stores() -> Iterator[list[Engine]]:
    """Two fresh PostgreSQL databases at ubu's schema, with the synthetic registry."""
    with throwaway_pg_store() as one, throwaway_pg_store() as two:
        for engine in (one, two):
            synth.ensure_units(engine, len(UNITS))
        yield [one, two]


@pytest.mark.slow      # PostgreSQL bulk paths: with --slow, as CI does
@pytest.mark.skipif(PG is None, reason="no PostgreSQL answered at UBU_TEST_PG_URL")
def test_on_postgres_bulk_counts_equal_trigger_counts_and_the_views_agree_with_sqlite(
        tmp_path, monkeypatch, records):
    """COPY with the triggers disabled (the owner's bulk load) counts as the triggers do, and
    the kept group counts give SQLite's figures."""
    with two_pg_stores() as engines:
        bulk, by_row = engines
        synth.insert(bulk, records)
        with monkeypatch.context() as m:
            m.setattr("ubu_tui.store.bulk.counted_in_bulk", lambda conn: nullcontext())
            m.setattr("ubu_tui.store.bulk.new_records", lambda conn, ids: None)
            synth.insert(by_row, records)
        assert counts(bulk) == counts(by_row)
        lite = store(tmp_path, "lite.sqlite3")
        synth.insert(lite, records)
        assert counts(bulk) == counts(lite)
        # a withdrawal takes its records out of every kept count, PostgreSQL's statement
        # triggers and SQLite's row triggers alike
        from ubu_tui.store.shared import withdraw

        gone = records[0].municipality
        assert withdraw(bulk, gone) == withdraw(lite, gone) > 0
        assert counts(bulk) == counts(lite) != counts(by_row)
        # a registry change moves a unit's index sums to its new type, on both alike
        change_registry(bulk)
        change_registry(lite)
        assert counts(bulk) == counts(lite)
        sel = Selection("2026-01", "2026-03", (("unit_type", (2,)),))
        for by in ("sex", "unit", "municipality"):
            assert query.index_scores(bulk, INSTRUMENT, sel, by).keys() == \
                query.index_scores(lite, INSTRUMENT, sel, by).keys()
            assert query.item_counts(bulk, sel, by, ["y_safe"]) == \
                query.item_counts(lite, sel, by, ["y_safe"])


@pytest.mark.parametrize("by", [None, *query.DIMENSIONS])
def test_one_items_counts_by_any_breakdown_are_those_of_the_records(
        tmp_path_factory, records, by):
    """Counted from the synthetic records in Python: each group's count and key sum."""
    from collections import Counter

    from ubu_tui.store.background import groups_of

    engine = _filled(tmp_path_factory, records)
    sel = Selection("2026-01", "2026-03", (("unit_type", (1, 2, 3)),))
    # unit type, operating form and orientation are the registry's (None: not recorded)
    with engine.connect() as conn:
        registry = {uid: {"unit_type": t, "operating_form": -1 if f is None else f,
                          "orientation": -1 if o is None else o}
                    for uid, t, f, o in conn.execute(text(
                        "SELECT id, unit_type, operating_form, orientation FROM unit"))}
    want: Counter[tuple[object, int]] = Counter()
    keys: Counter[tuple[object, int]] = Counter()
    for r in records:
        groups = groups_of((a[1], a[2], a[3]) for a in r.answers)
        groups.update({f"bg_{k}": v for k, v in registry[r.unit_id].items()})
        if r.period not in PERIODS or groups["bg_unit_type"] not in (1, 2, 3):
            continue
        code = next((a[3] for a in r.answers if a[1] == "y_safe"
                     and a[2] in ("value", "nonresponse")), None)
        if code is None:
            continue
        if by is None:
            places: set[object] = {0}
        elif by == "method":
            places = {m for _item, m, _applied in r.methods}
        elif by in ("unit", "municipality"):
            places = {r.unit_id if by == "unit" else r.municipality}
        else:
            places = {groups[f"bg_{by}"]}
        for grp in places:
            want[(grp, code)] += 1
            keys[(grp, code)] += r.key
    got = query.item_counts(engine, sel, by, ["y_safe"])
    assert {(g, c): cell for (_i, g), cells in got.items() for c, cell in cells.items()} == \
        {k: (n, keys[k]) for k, n in want.items()} and want


def test_a_record_written_from_its_objects_exports_as_the_file_it_came_from(tmp_path, records):
    """An interview's record objects and an imported file go to their rows one way
    (submissions.json_rows): records rebuilt as objects from an export and written one by one
    export again as the same file, decline reasons, methods and keys included, and are counted
    as the bulk-written originals."""
    import json

    from ubu_tui.store.engine import session_for
    from ubu_tui.store.submissions import add_record
    from ubu_tui.store.transfer import _canonical, _record_from_json

    source = store(tmp_path, "source.sqlite3")
    synth.insert(source, records[:40])
    export_jsonl(source, tmp_path / "some.jsonl")
    first = [json.loads(line) for line in (tmp_path / "some.jsonl").read_text().splitlines()]
    assert any(s["decline_reason"] for r in first for s in r["sessions"])
    assert any(s["methods"] for r in first for s in r["sessions"])
    again = store(tmp_path, "again.sqlite3")
    with session_for(again) as session:
        for r in first:
            add_record(session, _record_from_json(r), r["period"], r["key"])
        session.commit()
    export_jsonl(again, tmp_path / "again.jsonl")
    second = [json.loads(line) for line in (tmp_path / "again.jsonl").read_text().splitlines()]
    assert sorted(map(_canonical, second)) == sorted(map(_canonical, first))
    assert counts(again) == counts(source)


def test_the_synthesiser_takes_a_number_of_periods_as_that_many_months(tmp_path, capsys):
    assert synth.parse_periods("4") == ["2026-09", "2026-10", "2026-11", "2026-12"]
    assert synth.parse_periods("2025-12, 2026-01") == ["2025-12", "2026-01"]
    with pytest.raises(SystemExit) as stop:
        synth.main(["--database-url", f"sqlite:///{tmp_path / 'x.sqlite3'}", "--periods", "4,5"])
    assert stop.value.code == 2 and "YYYY-MM" in capsys.readouterr().err
    assert not (tmp_path / "x.sqlite3").exists()       # refused before anything was written


def test_index_views_over_whole_years_read_the_yearly_sums_and_agree_with_the_records(
        tmp_path, monkeypatch):
    """index_cube_year (schema 0111) serves the whole years of a selection; its figures and
    cell keys are those computed from the records, after bulk writes, single submissions
    (row triggers) and a withdrawal alike."""
    from ubu_tui.store.shared import withdraw

    months = synth.months_until("2027-02", 16)           # 2025-11 … 2027-02
    engine = store(tmp_path, "years.sqlite3")
    recs = list(synth.generate(INSTRUMENT, 60, UNITS, months, seed=11, municipalities=4))
    synth.insert(engine, recs[:45])
    with monkeypatch.context() as m:                      # the rest counted by the triggers
        m.setattr("ubu_tui.store.bulk.counted_in_bulk", lambda conn: nullcontext())
        m.setattr("ubu_tui.store.bulk.new_records", lambda conn, ids: None)
        synth.insert(engine, recs[45:])

    def rounded(figures: dict) -> dict:
        return {k: (v[0], round(v[1], 6), *v[2:]) for k, v in figures.items()}

    def check() -> None:
        for period_from, period_to in (("2025-07", "2025-12"), ("2026-01", "2026-12")):
            for filters in ((), (("unit_type", (1, 2)),)):
                sel = Selection(period_from, period_to, filters)
                for by in (None, "unit", "method"):
                    kept = query.index_scores(engine, INSTRUMENT, sel, by)
                    with monkeypatch.context() as m:      # the same from the records
                        m.setattr(query, "_in_cube", lambda sel, by: False)
                        m.setattr(query, "whole_years", lambda pf, pt: ("0001", "0001"))
                        counted = query.index_scores(engine, INSTRUMENT, sel, by)
                    assert kept and rounded(kept) == rounded(counted), (sel, by)

    assert query.whole_years("2025-11", "2027-02") == ("2026", "2026")
    assert query.whole_years("2026-02", "2026-11") is None
    check()
    assert withdraw(engine, recs[0].municipality) > 0
    check()


def test_response_rates_per_unit_from_the_kept_counts_are_those_of_the_records(
        tmp_path, monkeypatch, records):
    """disposition_unit_count (schema 0131) gives the parts per unit counted from the
    records, after bulk writes, single submissions and a withdrawal alike."""
    from ubu_tui.store.shared import withdraw

    engine = store(tmp_path, "units.sqlite3")
    synth.insert(engine, records[:70])
    with monkeypatch.context() as m:
        m.setattr("ubu_tui.store.bulk.counted_in_bulk", lambda conn: nullcontext())
        m.setattr("ubu_tui.store.bulk.new_records", lambda conn, ids: None)
        synth.insert(engine, records[70:])

    def check() -> None:
        for sel in (Selection("2026-01", "2026-03"), Selection("2026-02", "2026-02")):
            kept = query.dispositions(engine, sel, "unit")
            counted: dict = {}
            for resp, grp, disp, n, key in query._dispositions_grouped(engine, sel, "unit"):
                counted.setdefault((resp, grp), {})[disp] = (n, key)
            assert kept and kept == counted

    check()
    assert withdraw(engine, records[0].municipality) > 0
    check()


@pytest.mark.slow      # PostgreSQL bulk paths: with --slow, as CI does
@pytest.mark.skipif(PG is None, reason="no PostgreSQL answered at UBU_TEST_PG_URL")
def test_the_owners_import_counted_once_at_the_end_counts_as_a_push_batch_by_batch(
        tmp_path, records):
    """On PostgreSQL the owner's import pauses the count triggers and adds the whole file's
    counts at its end (#18): every kept count, the index cube and its years included, is then
    what a push counted batch by batch by the triggers gives, also when part of the file was
    stored already, and a second import of the file changes nothing."""
    from ubu_tui.store.shared import push

    with two_pg_stores() as engines:
        pushed, imported = engines
        lite = store(tmp_path, "lite.sqlite3")
        synth.insert(lite, records[:50])
        assert push(lite, imported, batch=20).sent == 50          # stored before the import
        synth.insert(lite, records[50:])
        assert push(lite, pushed, batch=30).sent == len(records)
        path = tmp_path / "all.jsonl"
        export_jsonl(lite, path)
        report = import_jsonl(imported, path)
        assert (report.added, report.already_present) == (len(records) - 50, 50)
        assert counts(imported) == counts(pushed) == counts(lite)
        assert import_jsonl(imported, path).added == 0
        assert counts(imported) == counts(pushed)
        with imported.connect() as conn:      # the triggers are back for the next writer
            assert not conn.execute(text(
                "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal "
                "AND tgenabled = 'D'")).scalar()


def test_the_push_benchmark_refuses_a_database_it_cannot_use_with_a_message(capsys):
    """`bench_push` on a URL that is no PostgreSQL database, or on a database that does not
    exist, says so and exits 2 before it writes anything (it used to end in a traceback)."""
    from ubu_tui.scripts import bench_push

    urls = ["sqlite:///nothing.sqlite3", "no url at all"]
    if PG is not None:
        urls.append(PG.rsplit("/", 1)[0] + f"/ubu_missing_{secrets.token_hex(4)}")
    for url in urls:
        with pytest.raises(SystemExit) as stop:
            bench_push.main(["--postgres", url, "--followups", "10"])
        err = capsys.readouterr().err
        assert stop.value.code == 2 and "Traceback" not in err
        assert ("CREATE DATABASE" in err) if "ubu_missing" in url else ("--postgres" in err)


@pytest.mark.skipif(PG is None, reason="no PostgreSQL answered at UBU_TEST_PG_URL")
def test_a_submission_while_the_owners_import_holds_the_tables_waits_and_is_counted_once(
        tmp_path, monkeypatch, records):
    """While the owner's import has the count triggers paused, no other writer's rows can go
    in uncounted: a submission waits for the import's commit (here it gives up after its
    lock_timeout instead of waiting), then is stored and counted by the triggers as ever."""
    from psycopg.errors import LockNotAvailable
    from sqlalchemy import create_engine
    from sqlalchemy.exc import OperationalError

    from ubu_tui.store.bulk import counted_in_bulk, new_records

    with two_pg_stores() as engines:
        busy, reference = engines
        impatient = create_engine(busy.url, connect_args={"options": "-c lock_timeout=300"})
        try:
            with busy.begin() as conn, counted_in_bulk(conn):       # the import, mid-way
                synth._write(conn, records[:60], True)
                new_records(conn, (r.id for r in records[:60]))
                with monkeypatch.context() as m:    # a submission: plain rows, row triggers
                    m.setattr("ubu_tui.store.bulk.counted_in_bulk", lambda conn: nullcontext())
                    m.setattr("ubu_tui.store.bulk.new_records", lambda conn, ids: None)
                    # (the synthesiser writes by COPY: psycopg's own error, not wrapped)
                    with pytest.raises((OperationalError, LockNotAvailable),
                                       match="lock timeout"):
                        synth.insert(impatient, records[60:61])
            with monkeypatch.context() as m:          # after the import's commit it goes in
                m.setattr("ubu_tui.store.bulk.counted_in_bulk", lambda conn: nullcontext())
                m.setattr("ubu_tui.store.bulk.new_records", lambda conn, ids: None)
                synth.insert(impatient, records[60:61])
                synth.insert(reference, records[:61])
        finally:
            impatient.dispose()
        assert all(counts(busy).values()) and counts(busy) == counts(reference)
