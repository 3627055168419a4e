"""The unit or municipality report written as HTML, CSV, XLSX or slides: the group beside all."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import BinaryIO

from ubu_tui.results.disclosure import SYMBOL
from ubu_tui.results.group_report import Comparison, GroupReport
from ubu_tui.results.html_report import CSS, esc
from ubu_tui.results.render import DISPOSITIONS, HIGH_IS_BAD, HIGH_SHARE, fmt

VERDICT = {"högre": "högre än alla (utanför 99,8 %-gränsen)",
           "lägre": "lägre än alla (utanför 99,8 %-gränsen)"}


def _value(c: Comparison, own: bool) -> str:
    row = c.own if own else c.everyone
    if not row.shown:
        return SYMBOL
    if c.kind == "index":
        return f"{fmt(row.mean)} · {fmt(row.share_high, 'share')}"
    return fmt(row.share_high, "share")


def _n(c: Comparison, own: bool) -> str:
    row = c.own if own else c.everyone
    return str(row.n) if row.shown else SYMBOL


def lines(report: GroupReport) -> list[tuple[str, str, str, str, str, str, str]]:
    """(section, measure, n, value, all n, all value, verdict) for every comparison."""
    out = []
    for section, comps in (("Svarsfrekvens", report.responses), ("Index", report.indices),
                           ("Andelar", report.shares)):
        for c in comps:
            title = c.title.removeprefix("Svarsfrekvens: ")
            out.append((section, title, _n(c, True), _value(c, True), _n(c, False),
                        _value(c, False), VERDICT.get(c.funnel, "")))
    return out


def to_html(report: GroupReport) -> str:
    kind = "enheten" if report.by == "unit" else "kommunen"
    head = (f"<tr><th>Mått</th><th class='num'>n</th><th class='num'>{esc(report.name)}</th>"
            "<th class='num'>n, alla</th><th class='num'>Alla</th><th>Trattdiagram</th></tr>")

    def table(section: str) -> str:
        rows = [line for line in lines(report) if line[0] == section]
        return ("<table>" + head + "".join(
            "<tr>" + f"<td>{esc(m)}</td>" + "".join(f"<td class='num'>{esc(v)}</td>"
                                                   for v in (n, v1, an, av))
            + f"<td>{esc(verdict)}</td></tr>" for _s, m, n, v1, an, av, verdict in rows)
            + "</table>")

    kinds = [d for d in DISPOSITIONS
             if any(d in (c.everyone.nonresponse or {}) for c in report.responses)]

    def count(c: Comparison, d: str) -> object:
        return (c.own.nonresponse or {}).get(d, 0) if c.own.shown else SYMBOL

    disposition_rows = "".join(
        f"<tr><td>{esc(c.title.removeprefix('Svarsfrekvens: '))}</td>"
        + "".join(f"<td class='num'>{count(c, d)}</td>" for d in kinds) + "</tr>"
        for c in report.responses)
    followups = next((c.own.n for c in report.responses if c.id == "response_caseworker"
                      and c.own.shown), None)
    parts = [
        f"<!doctype html><html lang='sv'><meta charset='utf-8'><title>{esc(report.title)}"
        f"</title><style>{CSS}</style><h1>{esc(report.title)}</h1>",
        f"<p class='meta'>Period {esc(report.period)} · uppföljningar för {kind}: "
        f"{followups if followups is not None else SYMBOL} · spärr {report.threshold.value} "
        f"({esc(report.threshold.source)}) · skapad {report.made.isoformat()}</p>",
        f"<p class='method'>{esc(' '.join(report.suppression_notes()))}</p>"]
    if not report.shown:
        parts.append(f"<p><strong>{esc(report.name)} har för få uppföljningar i perioden för "
                     "att något kan visas.</strong> Välj en längre period.</p>")
    parts += [
        "<h2>Svarsfrekvens och bortfall</h2>", table("Svarsfrekvens"),
        "<table><tr><th>Bortfall</th>" + "".join(f"<th class='num'>{esc(DISPOSITIONS[d])}</th>"
                                               for d in kinds) + "</tr>"
        + disposition_rows + "</table>",
        f"<h2>Index</h2><p class='notes'>Medel 1–5 · {HIGH_SHARE}. Trattdiagrammet jämför "
        f"{HIGH_SHARE} med alla enheters, med hänsyn till antalet uppföljningar.</p>",
        table("Index"),
        f"<h2>Andelar</h2><p class='notes'>Här är {HIGH_IS_BAD}: en hög andel är sämre.</p>",
        table("Andelar"),
        "<p class='notes'>Nöjdhet är inte detsamma som kvalitet: läs resultaten med "
        "försiktighet, aldrig ensamma som skäl att avsluta ett avtal.</p></html>"]
    return "\n".join(parts)


COLUMNS = ("avsnitt", "mått", "n", "värde", "n_alla", "värde_alla", "trattdiagram")


def to_csv(report: GroupReport) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow((f"# {report.title}", report.period, f"spärr {report.threshold.value}"))
    writer.writerow(COLUMNS)
    writer.writerows(lines(report))
    return buf.getvalue()


def to_xlsx(report: GroupReport, path: Path | BinaryIO) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Jämförelse"
    ws.append([report.title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["Period", report.period])
    ws.append(["Spärr", report.threshold.value, report.threshold.source])
    ws.append(list(COLUMNS))
    for cell in ws[4]:
        cell.font = Font(bold=True)
    for line in lines(report):
        ws.append(list(line))
    notes = wb.create_sheet("Spärrat")
    for note in report.suppression_notes():
        notes.append([note])
    wb.save(path)


def to_pptx(report: GroupReport, path: Path | BinaryIO) -> None:
    from ubu_tui.results.slides import Deck

    deck = Deck.for_group(report)
    cover = deck.prs.slides.add_slide(deck.blank)
    deck.text(cover, report.title, 2.0, 1.4, 36, bold=True)
    deck.text(cover, f"Period {report.period}\nSpärr: grupper med färre än "
              f"{report.threshold.value} uppföljningar visas inte ({report.threshold.source})"
              f"\nSkapad {report.made.isoformat()}", 3.6, 1.8, 18)
    if not report.shown:
        deck.text(deck.slide("För få uppföljningar"), f"{report.name} har för få uppföljningar "
                  "i perioden för att något kan visas. Välj en längre period.", 1.6, 2.0, 20)
    for section, comps, share in (("Svarsfrekvens", report.responses, True),
                                  ("Index, medel 1–5", report.indices, False),
                                  ("Andelar (högt värde är dåligt)", report.shares, True)):
        shown = [c for c in comps if c.own.shown
                 and (comps is not report.indices or ":" not in c.title)]   # no BBIC areas
        if not shown:
            continue
        deck.paired(f"{report.name} och alla: {section.lower()}",
                    [(f"{c.title.removeprefix('Svarsfrekvens: ')} (n={c.own.n} / "
                      f"{c.everyone.n})",
                      (c.own.share_high if share else c.own.mean) or 0.0,
                      (c.everyone.share_high if share else c.everyone.mean) or 0.0)
                     for c in shown], share, report.name)
    deck.table(f"{report.name}: alla värden", ["Mått", "n", report.name[:24], "n alla", "Alla",
                                               "Trattdiagram"],
               [[m, n, v, an, av, verdict.split(" (")[0]]
                for _s, m, n, v, an, av, verdict in lines(report) if ":" not in m][:14],
               [4.4, 0.9, 2.0, 1.1, 1.6, 2.3])
    deck.save(path)


def write(report: GroupReport, path: Path, fmt_name: str) -> None:
    from ubu_tui.outputs import writing

    with writing(path) as path:
        if fmt_name == "html":
            path.write_text(to_html(report), encoding="utf-8")
        elif fmt_name == "csv":
            path.write_text(to_csv(report), encoding="utf-8")
        else:       # built in memory and written in one go, as the standard report is
            buf = io.BytesIO()
            if fmt_name == "xlsx":
                to_xlsx(report, buf)
            else:
                to_pptx(report, buf)
            path.write_bytes(buf.getvalue())
