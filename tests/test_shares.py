"""Shares of single-choice, yes/no and multiple-choice items and index figures per respondent,
against counts worked out by hand from known records (perturbed by the same cell keys)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.conftest import DEMO_UNITS
from ubu_tui.errors import InstrumentError
from ubu_tui.instrument import default_instrument
from ubu_tui.results import ptable
from ubu_tui.results.aggregate import Context
from ubu_tui.results.query import Selection
from ubu_tui.results.shares import (
    distribution_tables,
    method_table,
    respondent_index_tables,
    violation_tables,
)
from ubu_tui.scripts.synth import Synthetic, insert
from ubu_tui.store import open_store
from ubu_tui.store.registry import import_units

INSTRUMENT = default_instrument()
SEL = Selection("2026-01", "2026-12")


def _record(n: int, rng: random.Random) -> Synthetic:
    unit = (1001, 1002, 1003)[n % 3]
    rec = Synthetic(f"r{n:05d}", ("0180", "1280")[n % 2], unit, f"2026-0{1 + n % 4}",
                    {"youth": "completed", "guardian": "completed", "caseworker": "completed"})
    violation = 1 if n % 5 == 0 else 2 if n % 7 else -2           # yes, no, don't know
    rec.answers = [
        ("youth", "y_violation", "value" if violation > 0 else "nonresponse", violation),
        ("youth", "y_safe", "value", rng.randint(1, 5)),
        ("guardian", "g_child_safe", "value", rng.randint(1, 5)),
        ("caseworker", "cw_end", "value", 1 + n % 3),
        ("caseworker", "cw_unit_type", "value", 1 + n % 2),
        ("caseworker", "cw_methods", "value", 2 if n % 4 else 0),
    ]
    if n % 4:
        rec.methods = [("cw_methods", 1, 1 if n % 3 else 2), ("cw_methods", 6, 1)]
    return rec


@pytest.fixture(scope="module")
def known():
    rng = random.Random(5)
    records = [_record(n, rng) for n in range(60)]
    eng = open_store("sqlite://")
    import_units(eng, DEMO_UNITS)
    insert(eng, records)
    return eng, records


def _cell(records: list[Synthetic], stream: int = 1) -> int:
    """The published count of these records' cell in a stream (ptable.stream, schema 0170)."""
    return ptable.count(len(records), ptable.stream(sum(r.key for r in records), stream))


def _code(rec: Synthetic, item: str) -> int:
    return next(c for _r, i, _o, c in rec.answers if i == item)


def test_single_choice_item_shares_are_the_perturbed_option_counts(known):
    engine, records = known
    table = next(t for t in distribution_tables(Context.open(engine, INSTRUMENT, SEL))
                 if t.id == "cw_end")
    published = {code: _cell([r for r in records if _code(r, "cw_end") == code],
                             ptable.CODE_STREAM) for code in (1, 2, 3)}
    assert {r.key: r.n for r in table.rows if r.n} == published
    whole = sum(published.values())
    for row in table.rows:
        assert row.share_high == pytest.approx(published.get(row.key, 0) / whole)
        assert row.label == INSTRUMENT.item("cw_end").option(row.key).label   # type: ignore[union-attr]


def test_serious_violation_share_per_unit_and_municipality(known):
    engine, records = known
    tables = {t.by: t for t in violation_tables(Context.open(engine, INSTRUMENT, SEL))}
    for by, of in (("unit", lambda r: r.unit_id), ("municipality", lambda r: r.municipality)):
        table = tables[by]
        assert table.rows, by
        for row in table.rows:
            mine = [r for r in records if of(r) == row.key]
            # the yes from its stream; "no" is no cell, but n minus the yes (schema 0170)
            yes = _cell([r for r in mine if _code(r, "y_violation") == 1],
                        ptable.SENSITIVE_STREAM)
            assert row.share_high == pytest.approx(yes / max(row.n, yes)), (by, row.key)
            assert row.distribution == {c: k for c, k in ((1, yes), (2, row.n - yes)) if k > 0}
            # "don't know" is kept apart, never counted as no
            assert row.n == _cell([r for r in mine if _code(r, "y_violation") > 0],
                                  ptable.SENSITIVE_N_STREAM)


def test_methods_share_of_followups_and_applied_as_intended(known):
    engine, records = known
    table = method_table(Context.open(engine, INSTRUMENT, SEL))
    assert table is not None
    base = _cell(records)                         # every caseworker answered cw_methods
    assert table.total.n == base
    rows = {r.key: r for r in table.rows}
    assert set(rows) == {1, 6}                   # methods nobody used have no row
    used = [r for r in records if r.methods]
    assert rows[6].n == _cell(used)
    assert rows[6].share_high == pytest.approx(_cell(used) / base)
    intended = [r for r in used if r.methods[0][2] == 1]
    assert rows[1].distribution == {1: _cell(intended),
                                    2: _cell([r for r in used if r not in intended])}


def test_index_split_by_respondent(known):
    engine, records = known
    tables = {t.id: t for t in respondent_index_tables(Context.open(engine, INSTRUMENT, SEL))}
    youth, guardian = tables["safety_care@youth"].total, tables["safety_care@guardian"].total
    for row, item in ((youth, "y_safe"), (guardian, "g_child_safe")):
        assert row.n == _cell(records)
        # the mean is published over the published count: (true sum + noise) / row.n. The
        # records' keys are drawn afresh each run, and a run whose published n was 62 for 60
        # records failed the old bound, |mean - true mean| <= noise / 60
        true_sum = sum(_code(r, item) for r in records)
        assert abs(row.mean * row.n - true_sum) <= ptable.max_sum_noise(4) + 1e-9
    # the caseworker has items in the index but answered none of them here: no figure
    assert not tables["safety_care@caseworker"].total.n


@pytest.mark.usefixtures("english")   # matches the English wording
def test_high_is_bad_is_marked_and_refused_inside_an_index(tmp_path):
    from shutil import copytree

    from ubu_tui.instrument.loader import load_instrument

    assert INSTRUMENT.item("y_conflicts").high_is_bad
    assert not INSTRUMENT.item("y_safe").high_is_bad
    folder = tmp_path / "inst"
    copytree(Path(INSTRUMENT.source), folder)
    youth = folder / "youth.toml"
    youth.write_text(youth.read_text(encoding="utf-8").replace(
        'id = "y_safe"\ntype = "scale"\n', 'id = "y_safe"\ntype = "scale"\nhigh_is_bad = true\n'),
        encoding="utf-8")
    with pytest.raises(InstrumentError, match="high value is bad"):
        load_instrument(folder)


def test_a_store_from_before_0092_gets_its_respondent_scores_when_migrated(tmp_path):
    """Records stored before the parts per respondent were scored: the migration scores them
    from their answers, and the figures are those of a store that scored them at once."""
    from sqlalchemy import text

    from ubu_tui.store.schema import ensure_schema

    rng = random.Random(5)
    records = [_record(n, rng) for n in range(60)]
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = open_store(url)
    import_units(engine, DEMO_UNITS)
    insert(engine, records)
    want = [(t.id, t.total.n, t.total.mean) for t in
            respondent_index_tables(Context.open(engine, INSTRUMENT, SEL))]
    with engine.begin() as conn:      # as 0091 left it: no part scored
        conn.execute(text("DELETE FROM index_score WHERE index_id LIKE '%.%'"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0091'"))
    assert all(not t.total.shown for t in
               respondent_index_tables(Context.open(engine, INSTRUMENT, SEL)))
    with engine.begin() as conn:      # and without what 0141 (the report's kept counts) added
        for trigger in ("answer_record_group_count", "method_record_count",
                        "session_record_decline_count"):
            conn.execute(text(f"DROP TRIGGER {trigger}"))
            conn.execute(text(f"DROP TRIGGER {trigger}_un"))
        for table in ("item_group_count", "method_count", "decline_count"):
            conn.execute(text(f"DROP TABLE {table}"))
    with engine.begin() as conn:      # and without what 0111 (the yearly index sums) added
        for trigger in ("index_cube_year", "index_cube_year_up", "index_cube_year_un"):
            conn.execute(text(f"DROP TRIGGER {trigger}"))
        conn.execute(text("DROP TABLE index_cube_year"))
        # and without the decline reason, which 0081 adds after 0093
        conn.execute(text("ALTER TABLE session_record DROP COLUMN decline_reason"))
        # and without what 0131 (the cube by the registry's unit type) added
        for trigger in ("index_cube_unit_in", "index_cube_unit_un", "index_cube_unit_up"):
            conn.execute(text(f"DROP TRIGGER {trigger}"))
        conn.execute(text("DROP INDEX ix_method_record_submission_method"))
        conn.execute(text("CREATE INDEX ix_method_record_submission_id ON method_record "
                          "(submission_id)"))
        for trigger in ("session_record_unit_count", "session_record_unit_count_un"):
            conn.execute(text(f"DROP TRIGGER {trigger}"))
        conn.execute(text("DROP TABLE disposition_unit_count"))
    assert ensure_schema(engine) == "migrated"
    assert [(t.id, t.total.n, t.total.mean) for t in respondent_index_tables(
        Context.open(engine, INSTRUMENT, SEL))] == want
