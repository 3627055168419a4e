"""The standard report written as HTML, CSV, XLSX or slides: what every format shares.

Every chart and table says how many follow-ups stand behind each figure; a hidden group has no
row, and a hidden total one symbol. The HTML page is built in results/html_report.py, the slide
deck in results/slides.py; CSV and XLSX here.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import BinaryIO

from ubu_tui.outputs import writing
from ubu_tui.results.aggregate import Row, Table
from ubu_tui.results.disclosure import SYMBOL
from ubu_tui.results.report import UNIT_CHART_LIMIT, Report

FORMATS = ("html", "pptx", "xlsx", "csv")
HIGH_SHARE = "Andel 4–5"          # one wording for the share at the top of the scale
HIGH_IS_BAD = "högt värde är dåligt"
DISPOSITIONS = {"completed": "Genomförd", "broke_off": "Avbruten", "declined": "Avböjde",
                "not_reachable": "Gick inte att nå", "youth_objects": "Ungdomen motsatte sig",
                "not_eligible": "Inte aktuell (ålder)"}
SHARE_KINDS = ("disposition", "share", "distribution", "method")


REPORT_LOCALE = "sv_SE"           # reports are written in Swedish, whatever the interface


def fmt(value: float | None, kind: str = "mean", locale: str = REPORT_LOCALE) -> str:
    """A figure as the report's language writes it (Babel): 3,62 and 78 % in Swedish."""
    from babel.numbers import format_decimal, format_percent

    if value is None:
        return "–"
    if kind == "share":
        return format_percent(value, locale=locale)   # Swedish: a no-break space before %
    return format_decimal(value, format="0.00", locale=locale)


def label_n(row: Row) -> str:
    return f"{row.label} (n={row.n})" if row.shown else f"{row.label} ({SYMBOL})"


def hidden_text(row: Row, threshold: int) -> str:
    """One symbol for every hidden figure, whatever hid it."""
    return SYMBOL if row.hidden else ""


def is_share(table: Table) -> bool:
    return table.kind in SHARE_KINDS


def chart_rows(table: Table, limit: int | None = None) -> list[Row]:
    """The shown rows worth charting, largest n first when limited."""
    rows = [r for r in table.rows if r.shown and r.n]
    if limit is not None and len(rows) > limit:
        rows = sorted(rows, key=lambda r: -(r.n or 0))[:limit]
    return rows


def value_of(table: Table, row: Row) -> float | None:
    return row.share_high if is_share(table) else row.mean


def unit_tables(report: Report) -> list[Table]:
    """The indices shown in the unit comparison: the main ones, not each BBIC sub-area."""
    return [t for t in report.units if ":" not in t.title]


def main_indices(tables: list[Table]) -> list[Table]:
    return [t for t in tables if ":" not in t.title]


def bars_of(table: Table, limit: int | None = UNIT_CHART_LIMIT, total: bool = True
            ) -> list[tuple[str, float]]:
    """(label with n, value) per charted group, the total last."""
    rows = [(label_n(r), value_of(table, r) or 0.0) for r in chart_rows(table, limit)]
    if total and table.total.shown and table.kind != "distribution":
        rows.append((label_n(table.total), value_of(table, table.total) or 0.0))
    return rows


def response_rows(report: Report) -> list[tuple[str, Row]]:
    """(respondent title, total row) for the respondent types, shown or not."""
    return [(t.title.split(": ", 1)[-1], t.total) for t in report.responses]


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
    ws.append(["Uppföljningar", report.followups if report.followups is not None else SYMBOL])
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
        if line.startswith("#"):
            book.cell(book.max_row, 1).font = Font(bold=True)
    wb.save(path)


def write(report: Report, path: Path, fmt_name: str, codebook: str) -> None:
    from ubu_tui.results.html_report import to_html
    from ubu_tui.results.slides import to_pptx

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
