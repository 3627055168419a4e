"""The standard report's items per group, its methods and its declines, read from the counts
kept for them (schema 0141), publish exactly what the records give: the same cells, so the same
perturbed figures and the same hidden groups, after bulk writes, single submissions and a
withdrawal."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import date

import pytest

from tests.helpers import throwaway_pg_store
from tests.test_bulk import INSTRUMENT, PG, UNITS, store
from ubu_tui.results import query, report, split_query
from ubu_tui.results.query import Selection
from ubu_tui.scripts import synth
from ubu_tui.store.kept_items import KEPT_ITEMS

SELECTIONS = (Selection("2026-01", "2026-03"), Selection("2026-02", "2026-02"))


@pytest.fixture(scope="module")
def records():
    return list(synth.generate(INSTRUMENT, 160, UNITS, ["2026-01", "2026-02", "2026-03"],
                               seed=11, municipalities=4))


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path, monkeypatch, records):
    """A store filled half in bulk (the grouped statements), half record by record (the row
    triggers on SQLite, the statement triggers on PostgreSQL)."""
    if request.param == "postgresql" and PG is None:
        pytest.skip("no PostgreSQL answered at UBU_TEST_PG_URL")
    with (throwaway_pg_store() if request.param == "postgresql"
          else nullcontext(store(tmp_path, "kept.sqlite3"))) as engine:
        synth.ensure_units(engine, len(UNITS))
        synth.insert(engine, records[:90])
        with monkeypatch.context() as m:
            m.setattr("ubu_tui.store.bulk.counted_in_bulk", lambda conn: nullcontext())
            m.setattr("ubu_tui.store.bulk.new_records", lambda conn, ids: None)
            synth.insert(engine, records[90:])
        yield engine


def from_records(monkeypatch):
    """The figures as counted from the answers and method rows, kept counts left unread."""
    monkeypatch.setattr(query, "_kept_groups", lambda *args: False)
    monkeypatch.setattr(split_query, "kept_methods", lambda *args: False)
    monkeypatch.setattr(query, "kept_declines", lambda *args: False)


def test_kept_cells_are_the_cells_counted_from_the_records(engine, monkeypatch, records):
    from ubu_tui.store.shared import withdraw

    def cells() -> list:
        out = []
        for sel in SELECTIONS:
            for by in ("unit", "municipality", "unit_type", "operating_form"):
                for items in ([KEPT_ITEMS[0]], [KEPT_ITEMS[1]], list(KEPT_ITEMS)):
                    out.append(query.item_counts(engine, sel, by, items))
            out.append(split_query.method_counts(engine, sel, "cw_methods"))
            out.append(query.declines(engine, sel))
        return out

    def check() -> None:
        kept = cells()
        with monkeypatch.context() as m:
            from_records(m)
            counted = cells()
        assert all(kept) and kept == counted
        # the municipality's group is its code as the records hold it
        assert {g for (_i, g) in kept[3]} <= {r.municipality for r in records}

    check()
    assert withdraw(engine, records[0].municipality) > 0
    check()


def test_the_report_publishes_the_same_figures_as_from_the_records(engine, monkeypatch):
    """Every table of the standard report, perturbed and suppressed, is the same whether the
    violation, breakdown and methods tables come from the kept counts or from the records;
    a threshold that hides some units shows the hidden ones alike."""
    from ubu_tui.results.disclosure import Threshold

    for threshold in (Threshold(), Threshold(8, "test")):
        sel = Selection("2026-01", "2026-03")
        kept = report.standard_report(engine, INSTRUMENT, sel, threshold, date(2026, 4, 1))
        with monkeypatch.context() as m:
            from_records(m)
            counted = report.standard_report(engine, INSTRUMENT, sel, threshold,
                                             date(2026, 4, 1))
        assert kept.methods is not None and kept.methods.rows
        assert any(t.rows for t in kept.distributions if t.id.startswith("decline_"))
        assert any(t.rows for t in kept.violation) and kept.breakdown.rows
        assert kept.all_tables() == counted.all_tables()
