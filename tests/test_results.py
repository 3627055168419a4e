"""Results: figures equal a slow reference, nothing small is shown or derivable, reports carry
their n and their suppression notes."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from tests.conftest import DEMO_UNITS
from ubu_tui.__main__ import run
from ubu_tui.errors import InputRejected, StoreError
from ubu_tui.instrument import default_instrument
from ubu_tui.results.aggregate import Context, Table, item_tables
from ubu_tui.results.disclosure import Threshold, small, suppress
from ubu_tui.results.query import Selection
from ubu_tui.results.render import to_html, to_pptx
from ubu_tui.results.report import standard_report
from ubu_tui.scripts.synth import Synthetic, generate, insert
from ubu_tui.store import open_store
from ubu_tui.store.registry import import_units

INSTRUMENT = default_instrument()
UNITS = [1001, 1002, 1003, 1004, 1005]


def check_not_derivable(ns: dict, hidden: dict, threshold: int, total_shown: bool) -> None:
    """The rule for one breakdown whose groups add up to a shown total."""
    if not total_shown:
        return
    secret = [ns.get(k, 0) for k in hidden]
    assert len(secret) != 1, f"one hidden group is total minus the shown ones: {ns} {hidden}"
    assert not small(sum(secret), threshold), f"hidden groups add up to a small n: {ns}"


@given(st.dictionaries(st.integers(1, 40), st.integers(0, 12), max_size=12),
       st.integers(3, 6))
def test_suppression_hides_small_groups_and_what_would_reveal_them(ns, threshold):
    hidden = suppress(ns, threshold)
    for k, n in ns.items():
        if k not in hidden:
            assert not small(n, threshold)
    check_not_derivable(ns, hidden, threshold, not small(sum(ns.values()), threshold))


@given(st.dictionaries(st.integers(1, 9), st.integers(0, 12), max_size=8),
       st.integers(0, 30), st.integers(3, 5))
def test_overlapping_groups_never_reveal_their_complement(ns, extra, threshold):
    total = (max(ns.values()) if ns else 0) + extra
    hidden = suppress(ns, threshold, partition=False, total=total)
    for k, n in ns.items():
        if k not in hidden:
            assert not small(n, threshold) and not small(total - n, threshold)


def test_the_threshold_can_only_be_raised():
    with pytest.raises(InputRejected, match="only be raised"):
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


def load(engine, followups: list[tuple[int, int, int, str]]) -> None:
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


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(FOLLOWUP, max_size=40), st.integers(3, 4))
def test_shown_figures_equal_the_reference_and_nothing_small_shows(shared_engine, followups,
                                                                  threshold):
    load(shared_engine, followups)
    ctx = Context.open(shared_engine, INSTRUMENT, Selection("2026-01", "2026-02"),
                       Threshold(threshold))
    table = item_tables(ctx, "unit", ["y_safe"])[0]
    answered = [(u, s) for u, _t, s, _p in followups if s > 0]
    per_unit = Counter(u for u, _ in answered)
    asked = Counter(u for u, _t, _s, _p in followups)
    for row in table.rows:
        if row.shown:
            values = [s for u, s in answered if u == row.key]
            assert row.n == len(values) and not small(row.n, threshold)
            assert row.asked == asked[row.key] >= threshold
            if values:
                assert row.mean == pytest.approx(sum(values) / len(values))
                assert row.share_high == pytest.approx(
                    sum(v >= 4 for v in values) / len(values))
            dont_know = asked[row.key] - len(values)
            assert row.nonresponse == ({"dont_know": dont_know} if dont_know else {})
        else:
            assert row.n is None and row.mean is None and row.distribution is None
    total = table.total
    if total.shown:
        assert total.n == len(answered) and total.asked == len(followups)
    else:
        assert small(len(answered), threshold) or small(len(followups), threshold)
    hidden = {r.key: r.hidden for r in table.rows if not r.shown}
    check_not_derivable(dict(per_unit), hidden, threshold, total.shown)
    check_not_derivable(dict(asked), hidden, threshold, total.shown)
    # without a breakdown the counts come from the per-month totals the database keeps
    overall = item_tables(ctx, None, ["y_safe"])[0].total
    assert overall.shown == (not small(len(answered), threshold)
                             and not small(len(followups), threshold))
    if overall.shown:
        assert overall.n == len(answered) and overall.asked == len(followups)
    if overall.shown and answered:
        assert overall.mean == pytest.approx(sum(s for _u, s in answered) / len(answered))


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(FOLLOWUP, max_size=40))
def test_a_filter_never_reveals_what_it_leaves_out(shared_engine, followups):
    """Unfiltered minus filtered must not expose a small group of the rest."""
    load(shared_engine, followups)
    sel = Selection("2026-01", "2026-02", (("unit_type", (1, 2)),))
    ctx = Context.open(shared_engine, INSTRUMENT, sel)
    table = item_tables(ctx, "unit", ["y_safe"])[0]
    for row in table.rows:
        if row.shown:
            outside = sum(1 for u, t, s, _p in followups if u == row.key and t > 2 and s > 0)
            assert not small(outside, 3)
    if table.total.shown:
        outside = sum(1 for _u, t, s, _p in followups if t > 2 and s > 0)
        assert not small(outside, 3)


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
    assert report.followups == 300
    for table, row in all_rows(report.all_tables()):
        if row.shown and row.n:
            assert row.n >= 3, (table.id, row)
    unit_1011 = [r for r in report.units[0].rows if r.key == 1011][0]
    assert unit_1011.hidden == "primary"
    assert any("färre än 3" in note for note in report.suppression_notes())


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
            assert any("Spärrat:" in t or "Inget spärrat" in t for t in texts)
    assert charts >= 5
    unit_slides = [s for s in deck.slides if s.shapes.title is not None
                   and "per enhet" in (s.shapes.title.text or "")]
    assert unit_slides
    notes = " ".join(s.text_frame.text for s in unit_slides[0].shapes if s.has_text_frame)
    assert "färre än 3" in notes


def test_html_report_lists_suppressed_figures(demo_report_engine):
    report = standard_report(demo_report_engine, INSTRUMENT, Selection("2026-03", "2026-03"))
    page = to_html(report)
    assert page.startswith("<!doctype html>") and "<svg" in page
    assert "Spärrade uppgifter" in page and "färre än 3 uppföljningar" in page
    assert "(n=300)" in page


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
    with pytest.raises(InputRejected, match="not a month"):
        run(["--database-url", url, "report", "--from", "2026-13", str(tmp_path / "x")])
    with pytest.raises(InputRejected, match="only be raised"):
        run(["--database-url", url, "report", "--from", "2026-05", "--threshold", "1",
             str(tmp_path / "x")])
    practice = f"sqlite:///{tmp_path / 'p.sqlite3'}"
    open_store(practice, practice=True)
    with pytest.raises(StoreError, match="practice"):
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
        assert "Samtliga" in page and "300" in page
        assert "spärrad" in page and "färre än 3" in page
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
        assert "(n=300)" in page and "Måluppfyllelse" in page
        picker.value = 1011                                   # one follow-up: suppressed
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        console = Console(width=118, record=True)
        console.print(app.screen.query_one("#results-table").content)
        assert "spärrad" in console.export_text()
