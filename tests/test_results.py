"""Results: figures equal a slow reference, nothing small is shown or derivable, reports carry
their n and their suppression notes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from tests.conftest import DEMO_UNITS
from ubu_tui.__main__ import run
from ubu_tui.errors import InputRejected, StoreError
from ubu_tui.instrument import default_instrument
from ubu_tui.results import ptable
from ubu_tui.results.aggregate import Context, Table, item_tables
from ubu_tui.results.disclosure import DEFAULT_THRESHOLD, Threshold
from ubu_tui.results.html_report import to_html
from ubu_tui.results.query import Selection
from ubu_tui.results.report import standard_report
from ubu_tui.results.slides import to_pptx
from ubu_tui.scripts.synth import Synthetic, generate, insert
from ubu_tui.store import open_store
from ubu_tui.store.registry import import_units

INSTRUMENT = default_instrument()
UNITS = [1001, 1002, 1003, 1004, 1005]


# --- the perturbation table -------------------------------------------------------------------

@settings(deadline=None)       # the first call builds the table
@given(st.integers(0, 10_000), st.integers(0, 2**40))
def test_a_published_count_is_near_the_truth_never_1_or_2_and_zero_stays_zero(n, key):
    published = ptable.count(n, key)
    assert abs(published - n) <= ptable.MAX_DEVIATION
    assert published >= 0 and published not in (1, 2)
    assert (published == 0) if n == 0 else True
    assert published == ptable.count(n, key + 2**32)      # the key counts modulo 2**32


@pytest.mark.parametrize("n", range(0, ptable.LAST_CLASS + 3))
def test_the_deviation_is_unbiased_with_the_stated_variance(n):
    """Exactly, from the table's key ranges: mean 0; variance V where the constraints allow."""
    spans = [(b.hi - b.lo, b.deviation) for b in ptable.bands()
             if b.n_class == ptable.n_class(n)]
    assert sum(w for w, _ in spans) == ptable.KEY_SPACE
    mean = sum(w * d for w, d in spans) / ptable.KEY_SPACE
    var = sum(w * d * d for w, d in spans) / ptable.KEY_SPACE
    assert mean == pytest.approx(0, abs=1e-6)
    if n >= 3:
        assert var == pytest.approx(ptable.VARIANCE, rel=1e-3)


def test_the_threshold_can_only_be_raised():
    with pytest.raises(InputRejected, match="kan bara höjas"):
        Threshold(2)
    assert Threshold(5, "höjd").value == 5


# --- figures against a slow reference, on a real database ------------------------------------

FOLLOWUP = st.tuples(st.sampled_from(UNITS), st.sampled_from([1, 2, 3, 4]),
                     st.sampled_from([1, 2, 3, 4, 5, -2]), st.sampled_from(["2026-01", "2026-02"]))


@pytest.fixture(scope="module")
def shared_engine():
    eng = open_store("sqlite://")
    import_units(eng, DEMO_UNITS)
    return eng


def load(engine, followups: list[tuple[int, int, int, str]]) -> dict[str, int]:
    """Store the follow-ups; return each one's record key."""
    with engine.begin() as conn:
        for table in ("index_score", "method_record", "answer_record", "session_record",
                      "submission"):
            conn.execute(text(f"DELETE FROM {table}"))
    records = []
    for n, (unit, unit_type, safe, period) in enumerate(followups):
        rec = Synthetic(f"s{n:06d}", "0180", unit, period, {"youth": "completed"})
        rec.answers = [("youth", "y_safe", "value" if safe > 0 else "nonresponse", safe),
                       ("caseworker", "cw_unit_type", "value", unit_type)]
        records.append(rec)
    insert(engine, records)
    return {r.id: r.key for r in records}


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(FOLLOWUP, max_size=40), st.integers(3, 5))
def test_shown_figures_are_the_reference_perturbed_and_nothing_small_shows(
        shared_engine, followups, threshold):
    keys = list(load(shared_engine, followups).values())
    ctx = Context.open(shared_engine, INSTRUMENT, Selection("2026-01", "2026-03"),
                       Threshold(threshold))
    table = item_tables(ctx, "unit", ["y_safe"])[0]
    listed = set()
    for row in table.rows:
        assert row.shown, "a hidden group has no row at all"
        listed.add(row.key)
        mine = [(s, k) for (u, _t, s, _p), k in zip(followups, keys, strict=True)
                if u == row.key and s > 0]
        n, key = len(mine), sum(k for _s, k in mine)
        # the true count against the standard threshold, the published one against the
        # threshold in force (disclosure.hidden: a raised one must not name the true count)
        assert n >= DEFAULT_THRESHOLD and row.n == ptable.count(n, key) >= threshold
        # the noisy sum over the published count (never the true n, which its denominator
        # would name), within the sum's noise of the true sum
        total = sum(s for s, _k in mine)
        assert abs(row.mean * row.n - total) <= ptable.max_sum_noise(4) + 1e-9 \
            or row.mean in (1.0, 5.0)
        assert 1 <= row.mean <= 5 and 0 <= row.share_high <= 1
        assert all(abs(c - sum(1 for s, _k in mine if s == code)) <= ptable.MAX_DEVIATION
                   for code, c in row.distribution.items())
    for unit in set(UNITS) - listed:
        n = sum(1 for u, _t, s, _p in followups if u == unit and s > 0)
        key = sum(k for (u, _t, s, _p), k in zip(followups, keys, strict=True)
                  if u == unit and s > 0)
        assert n < DEFAULT_THRESHOLD or ptable.count(n, key) < threshold
    answered = [(s, k) for (_u, _t, s, _p), k in zip(followups, keys, strict=True) if s > 0]
    n, key = len(answered), sum(k for _s, k in answered)
    total = table.total
    assert total.shown == (n >= DEFAULT_THRESHOLD and ptable.count(n, key) >= threshold)
    if total.shown:
        assert total.n == ptable.count(n, key)
    # The same cell gets the same figures whatever query produced it: the total from the
    # counts the database keeps, and through a filter that leaves nobody out.
    overall = item_tables(ctx, None, ["y_safe"])[0].total
    assert overall == total
    everyone = Selection("2026-01", "2026-03", (("unit_type", (1, 2, 3, 4)),))
    filtered = item_tables(Context.open(shared_engine, INSTRUMENT, everyone,
                                        Threshold(threshold)), "unit", ["y_safe"])[0]
    assert filtered.rows == table.rows and filtered.total == total


# --- the standard report -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_report_engine():
    eng = open_store("sqlite://")
    import_units(eng, DEMO_UNITS)
    recs = list(generate(INSTRUMENT, 300, [u for u in range(1001, 1013)], ["2026-03"], seed=7))
    # two units with one and two follow-ups, so that something must be suppressed
    for rec in recs[3:]:
        if rec.unit_id in (1011, 1012):
            rec.unit_id = 1001
    recs[0].unit_id, recs[1].unit_id, recs[2].unit_id = 1011, 1012, 1012
    insert(eng, recs)
    return eng


def all_rows(tables: list[Table]):
    for t in tables:
        yield from ((t, r) for r in (*t.rows, t.total))


def test_standard_report_shows_nothing_small(demo_report_engine):
    report = standard_report(demo_report_engine, INSTRUMENT, Selection("2026-03", "2026-03"))
    assert abs(report.followups - 300) <= ptable.MAX_DEVIATION
    for table, row in all_rows(report.all_tables()):
        if row.shown and row.n:
            assert row.n >= 3, (table.id, row)
    for table in report.units:     # the units of one and two follow-ups: in no table at all
        assert not {1011, 1012} & {r.key for r in table.rows}
    # a unit hidden in one table of the unit comparison is hidden in all of them
    assert len({frozenset(r.key for r in t.rows) for t in report.units}) == 1
    assert any("cellnyckelmetoden" in note and "spärr 3" in note
               for note in report.suppression_notes())


def test_slide_deck_has_n_and_suppression_notes_on_every_chart(demo_report_engine, tmp_path):
    from pptx import Presentation

    report = standard_report(demo_report_engine, INSTRUMENT, Selection("2026-03", "2026-03"))
    path = tmp_path / "r.pptx"
    to_pptx(report, path)
    deck = Presentation(str(path))
    charts = 0
    for slide in deck.slides:
        texts = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
        for shape in slide.shapes:
            if not shape.has_chart:
                continue
            charts += 1
            labels = list(shape.chart.plots[0].categories)
            assert labels and all("(n=" in str(label) for label in labels), labels
            assert any(t.startswith("n = antal uppföljningar") for t in texts)
            assert any("Röjandeskydd: cellnyckelmetoden" in t for t in texts)
    assert charts >= 5
    unit_slides = [s for s in deck.slides
                   if "per enhet" in next(sh.text_frame.text for sh in s.shapes)]  # the title
    assert unit_slides
    notes = " ".join(s.text_frame.text for s in unit_slides[0].shapes if s.has_text_frame)
    assert "spärren 3" in notes


def test_html_report_lists_suppressed_figures(demo_report_engine):
    report = standard_report(demo_report_engine, INSTRUMENT, Selection("2026-03", "2026-03"))
    page = to_html(report)
    assert page.startswith("<!doctype html>") and "class=\"bars\"" in page
    assert "Röjandeskydd" in page and "cellnyckelmetoden" in page
    assert f"(n={report.followups})" in page or "(n=" in page


def test_report_command_writes_every_format(tmp_path):
    url = f"sqlite:///{tmp_path / 'ubu.sqlite3'}"
    eng = open_store(url)
    import_units(eng, DEMO_UNITS)
    insert(eng, list(generate(INSTRUMENT, 60, UNITS, ["2026-05"])))
    for fmt in ("html", "pptx", "xlsx", "csv"):
        out = tmp_path / f"r.{fmt}"
        assert run(["--database-url", url, "report", "--from", "2026-05", "--format", fmt,
                    str(out)]) == 0
        assert out.stat().st_size > 500
    from openpyxl import load_workbook

    book = load_workbook(tmp_path / "r.xlsx")
    assert {"Översikt", "Tabeller", "Spärrat", "Kodbok"} <= set(book.sheetnames)
    with pytest.raises(InputRejected, match="ingen månad"):
        run(["--database-url", url, "report", "--from", "2026-13", str(tmp_path / "x")])
    with pytest.raises(InputRejected, match="kan bara höjas"):
        run(["--database-url", url, "report", "--from", "2026-05", "--threshold", "1",
             str(tmp_path / "x")])
    practice = f"sqlite:///{tmp_path / 'p.sqlite3'}"
    open_store(practice, practice=True)
    with pytest.raises(StoreError, match="övningsdatabas"):
        run(["--database-url", practice, "report", "--from", "2026-05", str(tmp_path / "x")])
    assert not Path(tmp_path / "x").exists()


async def test_results_screen_shows_suppressed_unit_and_totals(demo_report_engine):
    from tests.ui import new_app, press

    app = new_app(demo_report_engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await press(pilot, "e")
        assert type(app.screen).__name__ == "ResultsScreen"
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = app.screen.query_one("#results-table").content
        from rich.console import Console

        console = Console(width=118, record=True)
        console.print(shown)
        page = console.export_text()
        assert "Samtliga" in page and "cellnyckelmetoden" in page
        assert "HVB Björkbacken" in page and "Enhet 1011" not in page
        assert "█" in page


async def test_unit_profile_beside_all_units(demo_report_engine):
    from rich.console import Console

    from tests.ui import new_app, press

    app = new_app(demo_report_engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await press(pilot, "e")
        await app.workers.wait_for_complete()
        picker = app.screen.query_one("#profile")
        picker.value = 1001                                   # as picking it in the list does
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        console = Console(width=118, record=True)
        console.print(app.screen.query_one("#results-table").content)
        page = console.export_text()
        assert "Enhetsprofil: HVB Björkbacken" in page and "Alla enheter" in page
        assert "(n=" in page and "Måluppfyllelse" in page
        picker.value = 1011                                   # one follow-up: suppressed
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        console = Console(width=118, record=True)
        console.print(app.screen.query_one("#results-table").content)
        assert "spärrad" in console.export_text()


async def test_results_screen_offers_grid_periods_and_shows_the_one_picked():
    """One period picker: the years, half-years, quarters and months that hold follow-ups,
    newest year first; picking one shows that period's figures (the same as the results layer
    gives for it), and no range of months can be made up in the screen."""
    from rich.console import Console
    from textual.widgets import Select

    from tests.ui import new_app, press
    from ubu_tui.results.aggregate import Context, index_tables

    eng = open_store("sqlite://")
    import_units(eng, DEMO_UNITS)
    insert(eng, list(generate(INSTRUMENT, 120, list(range(1001, 1009)), ["2025-11", "2026-02",
                                                                         "2026-08"], seed=3)))
    app = new_app(eng)
    async with app.run_test(size=(120, 40)) as pilot:
        await press(pilot, "e")
        picker = app.screen.query_one("#period", Select)
        labels = [str(label) for label, _value in picker._options]
        assert labels == ["2026", "2026 halvår 1", "2026 halvår 2", "2026 kvartal 1",
                          "2026 kvartal 3", "2026-02", "2026-08", "2025", "2025 halvår 2",
                          "2025 kvartal 4", "2025-11"]
        picker.focus()
        await press(pilot, "enter", "down", "down", "enter")     # 2026 halvår 2
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert picker.value == "2026-07/2026-12"
        console = Console(width=118, record=True)
        console.print(app.screen.query_one("#results-table").content)
        page = console.export_text()
    ctx = Context.open(eng, INSTRUMENT, Selection("2026-07", "2026-12"))
    total = index_tables(ctx, "unit")[0].total
    row = next(line for line in page.splitlines() if line.lstrip().startswith("Samtliga"))
    assert total.shown and str(total.n) in row.split(), row
    first_half = index_tables(Context.open(eng, INSTRUMENT, Selection("2026-01", "2026-06")),
                              "unit")[0].total
    assert first_half.n != total.n              # the picked period, not another
