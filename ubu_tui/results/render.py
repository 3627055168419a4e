"""The standard report written as HTML, CSV, XLSX and a slide deck.

Every chart and table says how many follow-ups stand behind each figure, and lists what was
suppressed and why. Hidden groups appear as a label with a reason, never with a figure.
"""

from __future__ import annotations

import csv
import html
import io
from pathlib import Path
from typing import BinaryIO

from ubu_tui.outputs import writing
from ubu_tui.results.aggregate import Row, Table
from ubu_tui.results.disclosure import SYMBOL
from ubu_tui.results.report import UNIT_CHART_LIMIT, Report

FORMATS = ("html", "pptx", "xlsx", "csv")


def fmt(value: float | None, kind: str = "mean") -> str:
    if value is None:
        return "–"
    if kind == "share":
        return f"{100 * value:.0f} %".replace(".", ",")
    return f"{value:.2f}".replace(".", ",")


def label_n(row: Row) -> str:
    return f"{row.label} (n={row.n})" if row.shown else f"{row.label} (spärrad)"


def hidden_text(row: Row, threshold: int) -> str:
    """One symbol for every hidden figure, whatever hid it."""
    return SYMBOL if row.hidden else ""


def chart_rows(table: Table, limit: int | None = None) -> list[Row]:
    """The shown rows worth charting, largest n first when limited."""
    rows = [r for r in table.rows if r.shown and r.n]
    if limit is not None:
        rows = sorted(rows, key=lambda r: -(r.n or 0))[:limit]
    return rows


def value_of(table: Table, row: Row) -> float | None:
    return row.share_high if table.kind in ("disposition", "share") else row.mean


def unit_tables(report: Report) -> list[Table]:
    """The indices shown in the unit comparison: the main ones, not each BBIC sub-area."""
    return [t for t in report.units if ":" not in t.title]


# --- HTML --------------------------------------------------------------------------------

def _svg_bars(rows: list[tuple[str, float, str]], scale_max: float) -> str:
    """A horizontal bar chart as inline SVG: label, value, printed value."""
    height = 22 * len(rows) + 10
    parts = [f'<svg class="bars" viewBox="0 0 760 {height}" width="760" height="{height}" '
             'role="img">']
    for n, (label, value, text) in enumerate(rows):
        y = 5 + 22 * n
        width = 0 if scale_max <= 0 else max(0.0, value) / scale_max * 380
        parts.append(f'<text x="290" y="{y + 15}" text-anchor="end">{html.escape(label)}</text>'
                     f'<rect x="300" y="{y + 3}" width="{width:.1f}" height="16" '
                     f'fill="#2f6f9f"/><text x="{306 + width:.1f}" y="{y + 15}">'
                     f'{html.escape(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _html_table(table: Table, with_chart: bool = True, limit: int | None = None) -> str:
    share = table.kind in ("disposition", "share")
    out = [f"<h3>{html.escape(table.title)}</h3>"]
    if with_chart:
        rows = chart_rows(table, limit) if table.rows else []
        bars = [(label_n(r), value_of(table, r) or 0.0,
                 fmt(value_of(table, r), "share" if share else "mean")) for r in rows]
        if table.total.shown:
            bars.append((label_n(table.total), value_of(table, table.total) or 0.0,
                         fmt(value_of(table, table.total), "share" if share else "mean")))
        if bars:
            out.append(_svg_bars(bars, 1.0 if share else 5.0))
    head = ("<tr><th>Grupp</th><th>n</th><th>" + ("Andel" if share else "Medel") + "</th>"
            + ("" if share else "<th>Andel 4–5</th>") + "<th>Anmärkning</th></tr>")
    body = []
    for r in (*table.rows, table.total):
        body.append(
            f"<tr><td>{html.escape(r.label)}</td><td>{r.n if r.shown else '–'}</td>"
            f"<td>{fmt(value_of(table, r), 'share' if share else 'mean')}</td>"
            + ("" if share else f"<td>{fmt(r.share_high, 'share')}</td>")
            + f"<td>{html.escape(hidden_text(r, table.threshold))}</td></tr>")
    out.append(f"<table>{head}{''.join(body)}</table>")
    notes = table.notes()
    if notes:
        out.append('<p class="notes">Röjandeskydd: ' + html.escape("; ".join(notes)) + "</p>")
    return "\n".join(out)


CSS = """body{font-family:system-ui,sans-serif;max-width:900px;margin:2em auto;color:#222}
table{border-collapse:collapse;margin:.5em 0 1em}td,th{border:1px solid #ccc;padding:2px 8px}
th{background:#eef}.notes{color:#8a4b00;font-size:90%}.bars text{font-size:12px}
.meta{color:#555}"""


def to_html(report: Report) -> str:
    parts = [f"<!doctype html><html lang='sv'><meta charset='utf-8'>"
             f"<title>{html.escape(report.title)} {report.period}</title><style>{CSS}</style>",
             f"<h1>{html.escape(report.title)}</h1>",
             f"<p class='meta'>Period {report.period} · uppföljningar: "
             f"{report.followups if report.followups is not None else 'spärrat'} · spärr "
             f"{report.threshold.value} ({html.escape(report.threshold.source)}) · "
             f"skapad {report.made.isoformat()}</p>",
             "<h2>Svarsfrekvens och bortfall</h2>"]
    parts += [_html_table(t) for t in report.responses]
    parts.append("<h2>Index, alla enheter</h2>")
    parts.append(_html_indices(report.indices))
    parts.append("<h2>Jämförelse mellan enheter</h2>"
                 f"<p>Diagrammen visar högst {UNIT_CHART_LIMIT} enheter, de med flest "
                 "uppföljningar; alla finns i tabellerna.</p>")
    parts += [_html_table(t, limit=UNIT_CHART_LIMIT) for t in unit_tables(report)]
    parts.append("<h2>Sammanbrott</h2>")
    parts.append(_html_table(report.breakdown))
    parts.append("<h2>Frågorna, alla enheter</h2>")
    parts += [_html_table(t, with_chart=False) for t in report.items]
    parts.append("<h2>Spärrade uppgifter</h2><ul>"
                 + "".join(f"<li>{html.escape(n)}</li>" for n in report.suppression_notes())
                 + "</ul></html>")
    return "\n".join(parts)


def _html_indices(tables: list[Table]) -> str:
    """Index overview: one row per index, each with its own n."""
    bars = [(f"{t.title} (n={t.total.n})", t.total.mean or 0.0, fmt(t.total.mean))
            for t in tables if t.total.shown]
    body = "".join(f"<tr><td>{html.escape(t.title)}</td>"
                   f"<td>{t.total.n if t.total.shown else '–'}</td>"
                   f"<td>{fmt(t.total.mean)}</td><td>{fmt(t.total.share_high, 'share')}</td>"
                   f"<td>{html.escape(hidden_text(t.total, t.threshold))}</td></tr>"
                   for t in tables)
    return (_svg_bars(bars, 5.0) + "<table><tr><th>Index</th><th>n</th><th>Medel</th>"
            f"<th>Andel ≥ 4</th><th>Anmärkning</th></tr>{body}</table>")


# --- CSV and XLSX --------------------------------------------------------------------------

COLUMNS = ("tabell", "rubrik", "uppdelning", "grupp", "n", "medel", "andel", "spärrad")


def rows_of(report: Report) -> list[tuple[object, ...]]:
    out: list[tuple[object, ...]] = []
    for t in report.all_tables():
        for r in (*t.rows, t.total):
            out.append((t.id, t.title, t.by or "", r.label, r.n if r.shown else None,
                        None if r.mean is None else round(r.mean, 3),
                        None if r.share_high is None else round(r.share_high, 3),
                        hidden_text(r, t.threshold)))
    return out


def to_csv(report: Report) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(("# " + report.title, report.period, f"spärr {report.threshold.value} "
                     f"({report.threshold.source})"))
    writer.writerow(COLUMNS)
    writer.writerows(rows_of(report))
    return buf.getvalue()


def to_xlsx(report: Report, path: Path | BinaryIO, codebook: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Översikt"
    ws.append([report.title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["Period", report.period])
    ws.append(["Uppföljningar", report.followups if report.followups is not None else "spärrat"])
    ws.append(["Spärr", report.threshold.value, report.threshold.source])
    ws.append(["Skapad", report.made.isoformat()])
    data = wb.create_sheet("Tabeller")
    data.append(COLUMNS)
    for cell in data[1]:
        cell.font = Font(bold=True)
    for row in rows_of(report):
        data.append(list(row))
    notes = wb.create_sheet("Spärrat")
    for note in report.suppression_notes():
        notes.append([note])
    book = wb.create_sheet("Kodbok")
    for line in codebook.splitlines():
        book.append([line])
    wb.save(path)


# --- slides --------------------------------------------------------------------------------

def to_pptx(report: Report, path: Path | BinaryIO) -> None:
    from pptx import Presentation
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION
    from pptx.util import Inches, Pt

    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    blank, title_only = deck.slide_layouts[6], deck.slide_layouts[5]

    cover = deck.slides.add_slide(deck.slide_layouts[0])
    cover.shapes.title.text = report.title
    cover.placeholders[1].text = (
        f"Period {report.period}\nUppföljningar: "
        f"{report.followups if report.followups is not None else 'spärrat'}\n"
        f"Spärr: färre än {report.threshold.value} uppföljningar visas inte "
        f"({report.threshold.source})")

    def chart_slide(title: str, rows: list[tuple[str, float]], maximum: float, share: bool,
                    notes: list[str]) -> None:
        slide = deck.slides.add_slide(title_only)
        slide.shapes.title.text = title
        data = CategoryChartData()
        data.categories = [label for label, _ in reversed(rows)]
        data.add_series("Andel" if share else "Medel", [v for _, v in reversed(rows)])
        height = min(5.6, 0.6 + 0.3 * len(rows))
        frame = slide.shapes.add_chart(XL_CHART_TYPE.BAR_CLUSTERED, Inches(0.5), Inches(1.3),
                                       Inches(12.3), Inches(height), data)
        chart = frame.chart
        chart.has_legend = False
        axis = chart.value_axis
        axis.minimum_scale, axis.maximum_scale = (0, 1) if share else (1, maximum)
        plot = chart.plots[0]
        plot.has_data_labels = True
        plot.data_labels.number_format = "0%" if share else "0.00"
        plot.data_labels.number_format_is_linked = False
        plot.data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
        chart.category_axis.tick_labels.font.size = Pt(10)
        box = slide.shapes.add_textbox(Inches(0.5), Inches(6.95), Inches(12.3), Inches(0.5))
        text = box.text_frame
        text.word_wrap = True
        text.text = ("n = antal uppföljningar bakom varje stapel. " + (
            "Röjandeskydd: " + "; ".join(notes) if notes else ""))[:900]
        text.paragraphs[0].font.size = Pt(9)

    for t in report.responses:
        rows = [(label_n(r), r.share_high or 0.0) for r in chart_rows(t)]
        if t.total.shown:
            rows.append((label_n(t.total), t.total.share_high or 0.0))
        if rows:
            chart_slide(t.title, rows, 1, True, t.notes())
    shown = [t.total for t in report.indices if t.total.shown]
    if shown:
        chart_slide("Index, alla enheter (medel 1–5)",
                    [(f"{t.title} (n={t.total.n})", t.total.mean or 0.0)
                     for t in report.indices if t.total.shown],
                    5, False, [n for t in report.indices for n in t.notes()])
    for t in unit_tables(report):
        rows = [(label_n(r), r.mean or 0.0) for r in chart_rows(t, UNIT_CHART_LIMIT)]
        if t.total.shown:
            rows.append((label_n(t.total), t.total.mean or 0.0))
        if rows:
            chart_slide(f"{t.title} per enhet", rows, 5, False, t.notes())
    b = report.breakdown
    rows = [(label_n(r), r.share_high or 0.0) for r in chart_rows(b)]
    if b.total.shown:
        rows.append((label_n(b.total), b.total.share_high or 0.0))
    if rows:
        chart_slide(b.title, rows, 1, True, b.notes())
    last = deck.slides.add_slide(blank)
    box = last.shapes.add_textbox(Inches(0.5), Inches(0.4), Inches(12.3), Inches(6.6))
    frame = box.text_frame
    frame.word_wrap = True
    frame.text = "Spärrade uppgifter och läsanvisning"
    for note in report.suppression_notes()[:40] + [
            "Nöjdhet är inte detsamma som kvalitet: läs resultaten med försiktighet."]:
        para = frame.add_paragraph()
        para.text = note
        para.font.size = Pt(11)
    deck.save(path if not isinstance(path, Path) else str(path))


def write(report: Report, path: Path, fmt_name: str, codebook: str) -> None:
    with writing(path) as path:
        if fmt_name == "html":
            path.write_text(to_html(report), encoding="utf-8")
        elif fmt_name == "csv":
            path.write_text(to_csv(report), encoding="utf-8")
        else:
            # Built in memory and written in one go: a failing disk then gives one message,
            # not a half-closed zip archive complaining on its way out.
            buf = io.BytesIO()
            if fmt_name == "xlsx":
                to_xlsx(report, buf, codebook)
            else:
                to_pptx(report, buf)
            path.write_bytes(buf.getvalue())
