"""Measures over time: quarters and years cut to the selection, the year before beside them,
figures against counts worked out by hand from known records."""

from __future__ import annotations

import pytest

from tests.conftest import DEMO_UNITS
from ubu_tui.errors import InputRejected
from ubu_tui.instrument import default_instrument
from ubu_tui.results import ptable
from ubu_tui.results.aggregate import Context
from ubu_tui.results.query import Selection
from ubu_tui.results.shares import VIOLATION_YES, as_share
from ubu_tui.results.trend import periods, trend
from ubu_tui.scripts.synth import Synthetic, insert
from ubu_tui.store import open_store
from ubu_tui.store.registry import import_units

INSTRUMENT = default_instrument()
MONTHS = [f"{y}-{m:02d}" for y in (2025, 2026) for m in range(1, 13)]


def test_a_trend_runs_over_the_grid_periods_of_its_selection():
    """A selection is a month, quarter, half-year or year (results/periods.py), so every point
    of a trend and of the year before is one as well."""
    got = periods(Selection("2026-01", "2026-12"))
    assert [(p.label, p.first, p.last) for p in got] == [
        ("2026 K1", "2026-01", "2026-03"), ("2026 K2", "2026-04", "2026-06"),
        ("2026 K3", "2026-07", "2026-09"), ("2026 K4", "2026-10", "2026-12")]
    assert [(p.label, p.first, p.last) for p in periods(Selection("2026-07", "2026-12"))] == [
        ("2026 K3", "2026-07", "2026-09"), ("2026 K4", "2026-10", "2026-12")]
    assert [(p.label, p.first, p.last) for p in periods(Selection("2026-01", "2026-12"),
                                                         "year")] == [
        ("2026", "2026-01", "2026-12")]
    assert got[0].year_before().first == "2025-01"
    # a selection shorter than the grain is one point, named for what it is
    assert [(p.label, p.first) for p in periods(Selection("2026-03", "2026-03"))] == [
        ("2026-03", "2026-03")]
    assert [p.label for p in periods(Selection("2026-07", "2026-09"), "year")] == [
        "2026 kvartal 3"]
    with pytest.raises(InputRejected, match="tidsindelning"):
        periods(Selection("2026-01", "2026-03"), "week")
    with pytest.raises(InputRejected, match="ingen kalendermånad"):
        periods(Selection("2026-02", "2027-04"))


@pytest.fixture(scope="module")
def known():
    records = []
    for n in range(240):
        rec = Synthetic(f"t{n:05d}", "0180", 1001 + n % 3, MONTHS[n % 24],
                        {"youth": "completed", "caseworker": "completed"})
        rec.answers = [("youth", "y_violation", "value", 1 if n % 6 == 0 else 2),
                       ("youth", "y_safe", "value", 1 + n % 5)]
        records.append(rec)
    eng = open_store("sqlite://")
    import_units(eng, DEMO_UNITS)
    insert(eng, records)
    return eng, records


def _published(records, first: str, last: str, code: int) -> int:
    cell = [r for r in records if first <= r.period <= last
            and next(c for _r, i, _o, c in r.answers if i == "y_violation") == code]
    # the sensitive item's codes in their own stream (schema 0170)
    return ptable.count(len(cell), ptable.stream(sum(r.key for r in cell),
                                                 ptable.SENSITIVE_STREAM))


def test_violation_share_by_quarter_and_the_year_before(known):
    engine, records = known
    ctx = Context.open(engine, INSTRUMENT, Selection("2026-01", "2026-12"))
    got = as_share(trend(ctx, "item:y_violation"), VIOLATION_YES, "kränkning")
    assert [r.label for r in got.current.rows] == ["2026 K1", "2026 K2", "2026 K3", "2026 K4"]
    assert [r.label for r in got.previous.rows] == ["2025 K1", "2025 K2", "2025 K3", "2025 K4"]
    for table in (got.current, got.previous):
        for row in table.rows:
            year, q = int(row.label[:4]), int(row.label[-1])
            first, last = f"{year}-{3 * q - 2:02d}", f"{year}-{3 * q:02d}"
            # "no" is no cell of its own: the share is of the published n (schema 0170)
            yes = _published(records, first, last, 1)
            assert row.share_high == pytest.approx(yes / max(row.n, yes)), row.label
    yes = _published(records, "2025-01", "2025-12", 1)
    total = got.previous.total
    assert total.share_high == pytest.approx(yes / max(total.n, yes))


def test_index_by_year_keeps_its_n(known):
    engine, records = known
    ctx = Context.open(engine, INSTRUMENT, Selection("2026-01", "2026-12"))
    got = trend(ctx, "index:safety_care", "year")
    mine = [r for r in records if r.period.startswith("2026")]
    assert got.current.rows[0].n == ptable.count(len(mine), sum(r.key for r in mine))
    with pytest.raises(InputRejected, match="okänt mått"):
        trend(ctx, "index:nonsense")
