"""The standard report as a slide deck (16:9), laid out so that nothing overlaps or is cut.

Every content slide has the same three boxes, one under the other: a title sized to its length,
the chart (or table) filling the middle, and a footer with n and the disclosure control. Charts
carry no chart title of their own (the slide title says it), label every category, and never
wrap a data label. tests/test_slides.py checks these layout facts on the file and on the
rendered pages.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, BinaryIO

from ubu_tui.results.aggregate import Table
from ubu_tui.results.disclosure import SYMBOL
from ubu_tui.results.group_report import GroupReport
from ubu_tui.results.render import (
    DISPOSITIONS,
    HIGH_IS_BAD,
    bars_of,
    fmt,
    is_share,
    main_indices,
    response_rows,
    unit_tables,
    value_of,
)
from ubu_tui.results.report import UNIT_CHART_LIMIT, Report
from ubu_tui.results.shares import RESPONDENT_TITLES, applied_share
from ubu_tui.results.trend import Trend

WIDTH, HEIGHT = 13.333, 7.5              # inches
MARGIN = 0.5
TITLE_TOP, TITLE_HEIGHT = 0.3, 1.0
BODY_TOP, BODY_BOTTOM = 1.45, 6.75
FOOTER_TOP, FOOTER_HEIGHT = 6.85, 0.5
BAND = 0.6                               # inches per bar, at most: few bars stay bars
MAX_CATEGORIES = UNIT_CHART_LIMIT + 1    # units plus the total
LABEL_CHARS = 58             # longer category labels are shortened with … (LibreOffice cuts
#                              labels past about 60 characters itself, the n with them)


# A number format is drawn in the viewer's own locale (3.62 on an English machine): values
# are written into their labels as Swedish text instead, and axes carry no decimals at all.
AXIS_SHARE = '0" "%'


def _swedish_labels(plot: Any, share: bool, size: int, positions: tuple[Any, ...] = ()
                    ) -> None:
    """Each point's value label as text formatted for Swedish (3,62; 78 %), the same in every
    viewer whatever its locale. `positions`: one per series (bars: outside the end)."""
    from pptx.enum.chart import XL_LABEL_POSITION
    from pptx.util import Pt

    for n, series in enumerate(plot.series):
        where = positions[n] if n < len(positions) else XL_LABEL_POSITION.OUTSIDE_END
        for point, value in zip(series.points, series.values, strict=True):
            if value is None:
                continue
            label = point.data_label
            label.position = where
            frame = label.text_frame
            frame.text = fmt(value, "share" if share else "mean")
            frame.word_wrap = False
            for run in frame.paragraphs[0].runs:
                run.font.size = Pt(size)


def title_size(text: str) -> int:
    """Points: long titles get smaller so that two lines fit the title box."""
    return 28 if len(text) <= 55 else 22 if len(text) <= 100 else 18


def short(label: str, limit: int = LABEL_CHARS) -> str:
    return label if len(label) <= limit else label[:limit - 1].rstrip() + "…"


def _short_keep_n(label: str) -> str:
    """Shorten the label's text, never its n."""
    text, sep, n = label.rpartition(" (n=")
    if not sep:
        return short(label)
    return short(text, LABEL_CHARS - len(n) - 4) + sep + n


class Deck:
    def __init__(self, notes: list[str]) -> None:
        from pptx import Presentation
        from pptx.util import Inches

        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = Inches(WIDTH), Inches(HEIGHT)
        self.blank = self.prs.slide_layouts[6]
        self.footer_text = ("n = antal uppföljningar bakom varje stapel. Röjandeskydd: "
                            + notes[0].removeprefix("Röjandeskydd: "))

    @classmethod
    def for_group(cls, report: GroupReport) -> Deck:
        return cls(report.suppression_notes())

    def text(self, slide: Any, text: str, top: float, height: float, size: int,
             bold: bool = False, left: float = MARGIN, width: float = WIDTH - 2 * MARGIN
             ) -> Any:
        from pptx.enum.text import MSO_ANCHOR
        from pptx.util import Inches, Pt

        box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
        frame = box.text_frame
        frame.word_wrap = True
        frame.vertical_anchor = MSO_ANCHOR.MIDDLE
        for n, line in enumerate(text.split("\n")):
            para = frame.paragraphs[0] if n == 0 else frame.add_paragraph()
            para.text = line
            para.font.size = Pt(size)
            para.font.bold = bold
        return box

    def slide(self, title: str, footer: str | None = None) -> Any:
        slide = self.prs.slides.add_slide(self.blank)
        self.text(slide, title, TITLE_TOP, TITLE_HEIGHT, title_size(title), bold=True)
        self.text(slide, footer or self.footer_text, FOOTER_TOP, FOOTER_HEIGHT, 9)
        return slide

    def chart(self, title: str, rows: list[tuple[str, float]], share: bool,
              series: str | None = None, bad: bool = False, top: float = BODY_TOP,
              bottom: float = BODY_BOTTOM, slide: Any = None) -> None:
        """A horizontal bar chart, first row at the top; nothing when there is nothing."""
        from pptx.chart.data import CategoryChartData
        from pptx.dml.color import RGBColor
        from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION
        from pptx.util import Inches, Pt

        if not rows:
            return
        rows = rows[:MAX_CATEGORIES]
        slide = slide or self.slide(title)
        data = CategoryChartData()
        data.categories = [_short_keep_n(label) for label, _ in reversed(rows)]
        data.add_series(series or ("Andel" if share else "Medel"),
                        [v for _, v in reversed(rows)])
        height = min(bottom - top, 0.7 + BAND * len(rows))
        frame = slide.shapes.add_chart(
            XL_CHART_TYPE.BAR_CLUSTERED, Inches(MARGIN), Inches(top),
            Inches(WIDTH - 2 * MARGIN), Inches(height), data)
        chart = frame.chart
        chart.has_title = False
        chart.has_legend = False
        axis = chart.value_axis
        axis.minimum_scale, axis.maximum_scale = (0, 1) if share else (1, 5)
        axis.major_unit = 0.1 if share else 1
        axis.tick_labels.font.size = Pt(10)
        axis.tick_labels.number_format = AXIS_SHARE if share else "0"
        axis.tick_labels.number_format_is_linked = False
        plot = chart.plots[0]
        plot.gap_width = 40 if len(rows) > 6 else 80
        plot.series[0].format.fill.solid()
        plot.series[0].format.fill.fore_color.rgb = RGBColor(0xB5, 0x53, 0x2E) if bad else \
            RGBColor(0x2F, 0x6F, 0x9F)
        plot.has_data_labels = True
        labels = plot.data_labels
        labels.number_format = "0%" if share else "0.00"
        labels.number_format_is_linked = False
        labels.position = XL_LABEL_POSITION.OUTSIDE_END
        labels.font.size = Pt(10 if len(rows) > 12 else 12)
        _swedish_labels(plot, share, 10 if len(rows) > 12 else 12)
        category = chart.category_axis
        category.tick_labels.font.size = Pt(10 if len(rows) > 12 else 12)
        _every_label(chart)

    def line(self, trend: Trend) -> None:
        """This year and the year before over the periods, n of both under each period."""
        from pptx.chart.data import CategoryChartData
        from pptx.dml.color import RGBColor
        from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
        from pptx.enum.dml import MSO_LINE_DASH_STYLE
        from pptx.util import Inches, Pt

        now, before = trend.current, trend.previous
        if len(now.rows) < 2 or not any(r.shown for r in now.rows):
            return              # one period is no trend; the other slides show it
        share = is_share(now)

        def values(table: Table) -> list[float | None]:
            return [value_of(table, r) if r.shown else None for r in table.rows]

        def n(r: Any) -> str:
            return str(r.n) if r.shown else SYMBOL

        data = CategoryChartData()
        data.categories = [f"{a.label} (n={n(a)} / {n(b)})"
                           for a, b in zip(now.rows, before.rows, strict=True)]
        data.add_series(now.rows[0].label[:4], values(now))
        data.add_series(before.rows[0].label[:4] + " (året före)", values(before))
        slide = self.slide(f"{trend.title}: per kvartal och året före",
                           "n = antal uppföljningar i perioden / samma period året före. "
                           "Röjandeskydd: " + self.footer_text.split("Röjandeskydd: ", 1)[1])
        frame = slide.shapes.add_chart(XL_CHART_TYPE.LINE_MARKERS, Inches(MARGIN),
                                       Inches(BODY_TOP), Inches(WIDTH - 2 * MARGIN),
                                       Inches(BODY_BOTTOM - BODY_TOP), data)
        chart = frame.chart
        chart.has_title = False
        chart.has_legend = True
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(12)
        axis = chart.value_axis
        shown = [v for v in values(now) + values(before) if v is not None]
        if share:
            axis.minimum_scale, axis.maximum_scale = 0, min(1.0, round(max(shown) * 1.25 + .05, 1))
        else:
            # whole-number ticks (no decimal point for a viewer's locale to draw), with a
            # gridline at every half point
            axis.minimum_scale = max(1.0, math.floor(min(shown) - 0.25))
            axis.maximum_scale = min(5.0, math.ceil(max(shown) + 0.25))
            axis.major_unit, axis.minor_unit = 1, 0.5
            axis.has_minor_gridlines = True
        axis.tick_labels.number_format = AXIS_SHARE if share else "0"
        axis.tick_labels.number_format_is_linked = False
        axis.tick_labels.font.size = Pt(11)
        chart.category_axis.tick_labels.font.size = Pt(11)
        for series, colour, dash in ((chart.plots[0].series[0], RGBColor(0x2F, 0x6F, 0x9F),
                                      None),
                                     (chart.plots[0].series[1], RGBColor(0x99, 0x99, 0x99),
                                      MSO_LINE_DASH_STYLE.DASH)):
            series.format.line.color.rgb = colour
            series.format.line.width = Pt(2.5)
            if dash is not None:
                series.format.line.dash_style = dash
            series.smooth = False
        # the values themselves, this year's above its line and last year's below
        from pptx.enum.chart import XL_LABEL_POSITION

        _swedish_labels(chart.plots[0], share, 11,
                        (XL_LABEL_POSITION.ABOVE, XL_LABEL_POSITION.BELOW))
        _every_label(chart)

    def paired(self, title: str, rows: list[tuple[str, float, float]], share: bool,
               name: str) -> None:
        """Two bars per measure: the group's and all units'."""
        from pptx.chart.data import CategoryChartData
        from pptx.dml.color import RGBColor
        from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
        from pptx.util import Inches, Pt

        rows = rows[:MAX_CATEGORIES // 2]
        slide = self.slide(title, "n = den egna gruppens uppföljningar / allas. Röjandeskydd: "
                           + self.footer_text.split("Röjandeskydd: ", 1)[1])
        data = CategoryChartData()
        data.categories = [_short_keep_n(label) for label, _a, _b in reversed(rows)]
        data.add_series("Alla", [b for _l, _a, b in reversed(rows)])
        data.add_series(short(name, 40), [a for _l, a, _b in reversed(rows)])
        height = min(BODY_BOTTOM - BODY_TOP, 1.0 + 2 * BAND * len(rows))
        frame = slide.shapes.add_chart(XL_CHART_TYPE.BAR_CLUSTERED, Inches(MARGIN),
                                       Inches(BODY_TOP), Inches(WIDTH - 2 * MARGIN),
                                       Inches(height), data)
        chart = frame.chart
        chart.has_title = False
        chart.has_legend = True
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        axis = chart.value_axis
        axis.minimum_scale, axis.maximum_scale = (0, 1) if share else (1, 5)
        axis.major_unit = 0.1 if share else 1
        axis.tick_labels.number_format = AXIS_SHARE if share else "0"
        axis.tick_labels.number_format_is_linked = False
        axis.tick_labels.font.size = Pt(10)
        plot = chart.plots[0]
        plot.gap_width = 60
        for series, colour in zip(plot.series, (RGBColor(0xAA, 0xAA, 0xAA),
                                                RGBColor(0x2F, 0x6F, 0x9F)), strict=True):
            series.format.fill.solid()
            series.format.fill.fore_color.rgb = colour
        plot.has_data_labels = True
        plot.data_labels.number_format = "0%" if share else "0.00"
        plot.data_labels.number_format_is_linked = False
        plot.data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
        plot.data_labels.font.size = Pt(10)
        _swedish_labels(plot, share, 10)
        chart.category_axis.tick_labels.font.size = Pt(11)
        _every_label(chart)

    def table(self, title: str, head: list[str], body: list[list[str]],
              widths: list[float]) -> None:
        from pptx.util import Inches, Pt

        slide = self.slide(title, "n = antal uppföljningar bakom varje värde. Röjandeskydd: "
                           + self.footer_text.split("Röjandeskydd: ", 1)[1])
        row_h = min(0.4, (BODY_BOTTOM - BODY_TOP) / (len(body) + 1))
        shape = slide.shapes.add_table(len(body) + 1, len(head), Inches(MARGIN),
                                       Inches(BODY_TOP), Inches(sum(widths)),
                                       Inches(row_h * (len(body) + 1)))
        grid = shape.table
        for c, w in enumerate(widths):
            grid.columns[c].width = Inches(w)
        for r, cells in enumerate([head, *body]):
            grid.rows[r].height = Inches(row_h)
            for c, value in enumerate(cells):
                cell = grid.cell(r, c)
                cell.text = value
                for para in cell.text_frame.paragraphs:
                    para.font.size = Pt(11 if len(body) > 10 else 13)
                    para.font.bold = r == 0

    def save(self, path: Path | BinaryIO) -> None:
        self.prs.save(path if not isinstance(path, Path) else str(path))


def _every_label(chart: Any) -> None:
    """Tell the reader application to draw every category label, not every second one, and
    never to wrap a data label ("78 %" on two lines) or a category label."""
    from lxml import etree
    from pptx.oxml.ns import qn

    ax = chart.category_axis._element
    for old in ax.findall(qn("c:tickLblSkip")):
        ax.remove(old)
    skip = etree.SubElement(ax, qn("c:tickLblSkip"))
    skip.set("val", "1")
    # the schema wants tickLblSkip after crosses/auto/lblAlgn/lblOffset: move it to its place
    follow = [qn("c:tickMarkSkip"), qn("c:noMultiLvlLbl"), qn("c:extLst")]
    for tag in follow:
        node = ax.find(tag)
        if node is not None:
            node.addprevious(skip)
            break
    for txpr in [*chart.plots[0]._element.iter(qn("c:txPr")), *ax.iter(qn("c:txPr"))]:
        body = txpr.find(qn("a:bodyPr"))
        if body is not None:
            body.set("wrap", "none")
    # LibreOffice ignores wrap="none" on a category axis and breaks its labels unless they are
    # stated as rotated: a rotation of 1/100 degree, which nobody can see, keeps them whole.
    body = ax.find(qn("c:txPr")).find(qn("a:bodyPr"))
    body.set("rot", "600")


def to_pptx(report: Report, path: Path | BinaryIO) -> None:
    from pptx.util import Pt

    deck = Deck(report.suppression_notes())
    cover = deck.prs.slides.add_slide(deck.blank)
    deck.text(cover, report.title, 2.0, 1.4, 36, bold=True)
    followups = report.followups if report.followups is not None else SYMBOL
    deck.text(cover, f"Period {report.period}\nUppföljningar: {followups}\n"
              f"Spärr: grupper med färre än {report.threshold.value} uppföljningar visas inte "
              f"({report.threshold.source})\nSkapad {report.made.isoformat()}", 3.6, 1.8, 18)

    rows = response_rows(report)
    deck.chart("Svarsfrekvens per svarande",
               [(f"{name} (n={r.n})", r.share_high or 0.0) for name, r in rows if r.shown],
               True, "Svarsfrekvens")
    kinds = [d for d in DISPOSITIONS if any(d in (r.nonresponse or {}) for _n, r in rows)]
    deck.table("Bortfall per svarande och orsak", ["Svarande", "Uppföljningar", *(
        DISPOSITIONS[d] for d in kinds)],
        [[name, str(r.n) if r.shown else SYMBOL,
          *((str((r.nonresponse or {}).get(d, 0)) if r.shown else SYMBOL) for d in kinds)]
         for name, r in rows], [3.2] + [1.6] * (len(kinds) + 1))
    local = report.local_versions
    if local is not None:       # counted nowhere in the deck; a reader must see they exist
        deck.table("Lokala versioner: räknas inte in här (var och en har en egen rapport)",
                   ["Version", "Uppföljningar"],
                   [*([r.label, str(r.n)] for r in local.rows),
                    ["Samtliga", str(local.total.n) if local.total.shown else SYMBOL]],
                   [6.0, 2.5])

    if report.coverage is not None:
        cover_table, reasons = report.coverage
        deck.chart("Täckning: påbörjade uppföljningar av avslutade placeringar",
                   bars_of(cover_table), True)
        deck.chart("Skäl till att uppföljningen inte skulle göras",
                   [(f"{r.label} (n={r.n})", r.share_high or 0.0) for r in reasons.rows], True)
    deck.chart("Index, alla enheter (medel 1–5)",
               [(f"{t.title} (n={t.total.n})", t.total.mean or 0.0)
                for t in report.indices if t.total.shown], False)
    for trend in report.trends:
        deck.line(trend)
    if report.respondents:
        cells = {tuple(t.title.rsplit(" – ", 1)): t.total for t in report.respondents}
        titles = list(RESPONDENT_TITLES.values())
        body = []
        for ix in main_indices(report.indices):
            line = [ix.title]
            for resp in titles:
                r = cells.get((ix.title, resp))
                line.append("" if r is None else f"{fmt(r.mean)} (n={r.n})" if r.shown
                            else SYMBOL)
            body.append(line)
        deck.table("Index per svarande (medel 1–5)", ["Index", *titles], body,
                   [4.6, 2.5, 2.5, 2.5])
    for t in unit_tables(report):
        deck.chart(f"{t.title} per enhet", bars_of(t), False)
    names = {"unit_type": "per typ av enhet", "municipality": "per kommun", "unit": "per enhet"}
    for t in report.violation:
        deck.chart(f"Allvarlig kränkning {names.get(t.by or '', '')}: andel som svarade ja "
                   f"({HIGH_IS_BAD})", bars_of(t), True, bad=True)
    b = report.breakdown
    deck.chart(f"{b.title} per typ av enhet", bars_of(b), True, bad=True)
    m = report.methods
    if m is not None and m.total.shown and m.rows:
        deck.chart(f"Metoder: andel av de {m.total.n} uppföljningarna där metoden användes",
                   [(f"{r.label} (n={r.n})", r.share_high or 0.0) for r in m.rows], True)
        deck.table("Metoder: tillämpade som avsett",
                   ["Metod", "Användes (n)", "Tillämpad som avsett"],
                   [[r.label, str(r.n), fmt(applied_share(r), "share")] for r in m.rows],
                   [7.0, 2.2, 3.0])
    for t in report.distributions:
        if t.total.shown and t.rows:
            deck.chart(f"{t.title} (n={t.total.n})", bars_of(t), True)
    for resp, title in RESPONDENT_TITLES.items():
        items = [t for t in report.items if report.respondent_of.get(t.id) == resp
                 and t.total.shown and t.total.mean is not None]
        for start in range(0, len(items), 14):       # at most 14 items a slide: readable labels
            part = items[start:start + 14]
            means = [(short(t.title, 44 - (10 if t.id in report.high_is_bad else 0))
                      + (" (högt dåligt)" if t.id in report.high_is_bad else "")
                      + f" (n={t.total.n})", t.total.mean or 0.0) for t in part]
            deck.chart(f"{title}: frågorna, medel 1–5"
                       + (f" ({start // 14 + 1})" if len(items) > 14 else ""), means, False)

    last = deck.prs.slides.add_slide(deck.blank)
    deck.text(last, "Röjandeskydd och läsanvisning", TITLE_TOP, TITLE_HEIGHT, 28, bold=True)
    box = deck.text(last, "", BODY_TOP, BODY_BOTTOM - BODY_TOP, 14)
    frame = box.text_frame
    lines = [*report.suppression_notes(),
             f"{SYMBOL} = dolt värde. Grupper under spärren saknas i diagrammen men räknas med i "
             "Samtliga.",
             "Nöjdhet är inte detsamma som kvalitet: läs resultaten med försiktighet, aldrig "
             "ensamma som skäl att avsluta ett avtal."]
    frame.paragraphs[0].text = lines[0]
    frame.paragraphs[0].font.size = Pt(14)
    for note in lines[1:]:
        para = frame.add_paragraph()
        para.text = note
        para.font.size = Pt(14)
        para.space_before = Pt(8)
    deck.save(path)


