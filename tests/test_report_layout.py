"""Reports as their reader sees them: layout facts of the slide deck, checked on the file and on
the pages LibreOffice renders, and the HTML page as Chromium prints it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.oxml.ns import qn
from pptx.util import Emu

from tests.conftest import DEMO_UNITS
from ubu_tui.instrument import default_instrument
from ubu_tui.results.html_report import to_html
from ubu_tui.results.query import Selection
from ubu_tui.results.render import unit_tables
from ubu_tui.results.report import standard_report
from ubu_tui.results.slides import LABEL_CHARS, MAX_CATEGORIES, to_pptx
from ubu_tui.scripts.synth import generate, insert
from ubu_tui.store import open_store
from ubu_tui.store.registry import import_units

INSTRUMENT = default_instrument()


@pytest.fixture(scope="module")
def report():
    eng = open_store("sqlite://")
    import_units(eng, DEMO_UNITS)
    insert(eng, list(generate(INSTRUMENT, 400, list(range(1001, 1013)), ["2026-03"], seed=3)))
    return standard_report(eng, INSTRUMENT, Selection("2026-03", "2026-03"))


@pytest.fixture(scope="module")
def deck(report, tmp_path_factory):
    path = tmp_path_factory.mktemp("deck") / "r.pptx"
    to_pptx(report, path)
    return path


def _box(shape) -> tuple[int, int, int, int]:
    return shape.left, shape.top, shape.left + shape.width, shape.top + shape.height


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_no_box_outside_the_slide_and_none_overlapping(deck):
    prs = Presentation(str(deck))
    width, height = prs.slide_width, prs.slide_height
    for number, slide in enumerate(prs.slides, 1):
        boxes = [(s.name, _box(s)) for s in slide.shapes]
        for name, (left, top, right, bottom) in boxes:
            assert left >= 0 and top >= 0 and right <= width and bottom <= height, \
                (number, name, Emu(right).inches, Emu(bottom).inches)
        for i, (name_a, a) in enumerate(boxes):
            for name_b, b in boxes[i + 1:]:
                assert not _overlap(a, b), (number, name_a, name_b)


def test_every_chart_labels_every_category_and_holds_more_than_one_bar(deck):
    prs = Presentation(str(deck))
    charts = 0
    for number, slide in enumerate(prs.slides, 1):
        for shape in slide.shapes:
            if not shape.has_chart:
                continue
            charts += 1
            chart = shape.chart
            labels = [str(c) for c in chart.plots[0].categories]
            assert 2 <= len(labels) <= MAX_CATEGORIES, (number, labels)
            assert all("(n=" in label and len(label) <= LABEL_CHARS for label in labels), labels
            assert not chart.has_title, number      # the slide title says it, once
            skip = chart.category_axis._element.find(qn("c:tickLblSkip"))
            assert skip is not None and skip.get("val") == "1", number
    assert charts >= 20


def test_figures_are_written_with_a_decimal_comma_in_every_viewer(deck, report):
    """A chart's number format is drawn in the viewer's locale (3.62 on an English machine):
    every value label is Swedish text, and no axis carries a decimal at all."""
    import re

    prs = Presentation(str(deck))
    labelled = 0
    for number, slide in enumerate(prs.slides, 1):
        for shape in slide.shapes:
            if not shape.has_chart:
                continue
            for axis in shape.chart._chartSpace.xpath(".//c:valAx/c:numFmt"):
                assert "." not in axis.get("formatCode"), number
            for series in shape.chart.plots[0].series:
                for point, value in zip(series.points, series.values, strict=True):
                    if value is None:
                        continue
                    text = point.data_label.text_frame.text
                    assert re.fullmatch(r"\d,\d\d|\d{1,3}\u00a0%", text), (number, text)
                    labelled += 1
    assert labelled > 100
    page = to_html(report)
    assert re.search(r">\d,\d\d<", page) and not re.search(r">\d\.\d\d<", page)


def test_report_numbers_follow_the_locale():
    from ubu_tui.results.render import fmt

    assert (fmt(3.617), fmt(0.78, "share"), fmt(None)) == ("3,62", "78\u00a0%", "–")
    assert (fmt(3.617, locale="en"), fmt(0.78, "share", locale="en")) == ("3.62", "78%")


def test_every_content_slide_shows_something(deck):
    prs = Presentation(str(deck))
    slides = list(prs.slides)
    for number, slide in enumerate(slides[1:-1], 2):
        assert any(s.has_chart or s.has_table for s in slide.shapes), number


def _pages(pdf: Path) -> list[str]:
    count = int(next(line.split()[-1] for line in subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
        if line.startswith("Pages:")))
    return [subprocess.run(["pdftotext", "-f", str(p), "-l", str(p), str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
            for p in range(1, count + 1)]


@pytest.mark.slow
@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext")),
                    reason="needs LibreOffice and poppler-utils to render the deck")
def test_rendered_slides_show_every_category_label_whole(deck, tmp_path):
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(deck)],
                   capture_output=True, check=True, timeout=300)
    pages = _pages(tmp_path / "r.pdf")
    prs = Presentation(str(deck))
    assert len(pages) == len(prs.slides)
    for number, (slide, page) in enumerate(zip(prs.slides, pages, strict=True), 1):
        lines = {" ".join(line.split()) for line in page.splitlines()}
        for shape in slide.shapes:
            if shape.has_chart:
                for label in shape.chart.plots[0].categories:
                    # drawn whole on one line (a bar of 0 puts its value beside it)
                    assert any(line.startswith(str(label)) for line in lines), (number, label)
    # as drawn: decimal commas only, whatever LibreOffice's own locale
    import re

    assert not any(re.search(r"\b\d\.\d", page) for page in pages)
    assert sum(len(re.findall(r"\b\d,\d\d\b", page)) for page in pages) > 100


@pytest.mark.slow
@pytest.mark.skipif(not (shutil.which("chromium") and shutil.which("pdftotext")),
                    reason="needs Chromium and poppler-utils to render the page")
def test_rendered_html_shows_every_bar_label_whole(report, tmp_path):
    page = tmp_path / "r.html"
    page.write_text(to_html(report), encoding="utf-8")
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                    f"--print-to-pdf={tmp_path / 'r.pdf'}", "--no-pdf-header-footer",
                    page.as_uri()], capture_output=True, check=True, timeout=300)
    text = " ".join(" ".join(_pages(tmp_path / "r.pdf")).split())
    for table in unit_tables(report):
        for row in table.rows:
            assert f"{row.label} (n={row.n})" in text, row.label
