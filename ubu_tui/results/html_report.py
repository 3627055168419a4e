"""The standard report as one HTML page: bar charts in CSS grid (labels are never cut), a table
under each chart, and one statement of the disclosure control at the top and the foot."""

from __future__ import annotations

import html

from ubu_tui.results.aggregate import Row, Table
from ubu_tui.results.disclosure import SYMBOL
from ubu_tui.results.render import (
    DISPOSITIONS,
    HIGH_IS_BAD,
    HIGH_SHARE,
    bars_of,
    fmt,
    is_share,
    response_rows,
    unit_tables,
    value_of,
)
from ubu_tui.results.report import UNIT_CHART_LIMIT, Report
from ubu_tui.results.shares import RESPONDENT_TITLES, applied_share

CSS = """body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;
color:#222;line-height:1.35}
h2{margin-top:2em;border-bottom:2px solid #2f6f9f}h3{margin:1.4em 0 .3em;font-size:1.05em}
table{border-collapse:collapse;margin:.4em 0 1em}td,th{border:1px solid #ccc;padding:2px 8px;
text-align:left;vertical-align:top}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;
white-space:nowrap}
th{background:#eef2f8}.meta,.notes{color:#555}.method{color:#8a4b00;font-size:90%}
.bars{display:grid;grid-template-columns:minmax(8em,max-content) minmax(10em,1fr) 4.5em;
gap:3px 10px;align-items:center;font-size:13px;margin:.4em 0 .8em}
.bars .lab{max-width:26em;text-align:right}.bars .track{background:#edf1f5;height:15px}
.bars .track i{display:block;height:100%;background:#2f6f9f}.bars .track i.bad{background:#b5532e}
.bars .total{font-weight:600}.bars .val{font-variant-numeric:tabular-nums}
.bad-note{color:#b5532e;font-weight:600}nav ul{columns:2}"""


def esc(text: object) -> str:
    return html.escape(str(text))


def bars(rows: list[tuple[str, float]], share: bool, bad: bool = False,
         total_last: bool = True) -> str:
    """A horizontal bar chart; means run over the scale's own range, so 1 is an empty bar."""
    if not rows:
        return ""
    out = ['<div class="bars" role="img">']
    for n, (label, value) in enumerate(rows):
        part = value if share else (value - 1.0) / 4.0
        width = 100 * max(0.0, min(1.0, part))
        total = ' total' if total_last and n == len(rows) - 1 else ""
        out.append(f'<div class="lab{total}">{esc(label)}</div>'
                   f'<div class="track"><i class="{"bad" if bad else ""}" '
                   f'style="width:{width:.1f}%"></i></div>'
                   f'<div class="val">{fmt(value, "share" if share else "mean")}</div>')
    out.append("</div>")
    return "".join(out)


def _cell(value: object, numeric: bool = True) -> str:
    return f'<td class="num">{esc(value)}</td>' if numeric else f"<td>{esc(value)}</td>"


def table_html(table: Table, chart: bool = True, limit: int | None = None,
               bad: bool = False, title: str | None = None) -> str:
    share = is_share(table)
    out = [f"<h3>{esc(title or table.title)}</h3>"]
    if bad:
        out.append(f'<p class="bad-note">Här är {HIGH_IS_BAD}: en hög andel är sämre.</p>')
    if chart:
        out.append(bars(bars_of(table, limit), share, bad))
    value_head = "Andel" if share else "Medel"
    head = (f'<tr><th>{"Svar" if table.kind == "distribution" else "Grupp"}</th>'
            f'<th class="num">n</th><th class="num">{value_head}</th>'
            + ("" if share else f'<th class="num">{HIGH_SHARE}</th>') + "</tr>")
    body = []
    for r in (*table.rows, table.total):
        body.append("<tr>" + _cell(r.label, False) + _cell(r.n if r.shown else SYMBOL)
                    + _cell(fmt(value_of(table, r), "share" if share else "mean"))
                    + ("" if share else _cell(fmt(r.share_high, "share"))) + "</tr>")
    out.append(f"<table>{head}{''.join(body)}</table>")
    return "\n".join(out)


def _responses(report: Report) -> str:
    rows = response_rows(report)
    chart = bars([(f"{name} (n={r.n})", r.share_high or 0.0) for name, r in rows if r.shown],
                 True, total_last=False)
    kinds = [d for d in DISPOSITIONS if any(d in (r.nonresponse or {}) for _n, r in rows)]
    head = ('<tr><th>Svarande</th><th class="num">Uppföljningar</th>'
            '<th class="num">Svarsfrekvens</th>'
            + "".join(f'<th class="num">{esc(DISPOSITIONS[d])}</th>' for d in kinds) + "</tr>")
    body = "".join("<tr>" + _cell(name, False) + _cell(r.n if r.shown else SYMBOL)
                   + _cell(fmt(r.share_high, "share"))
                   + "".join(_cell((r.nonresponse or {}).get(d, 0) if r.shown else SYMBOL)
                             for d in kinds) + "</tr>" for name, r in rows)
    return (chart + f"<table>{head}{body}</table><p class='notes'>Svarsfrekvens: genomförda "
            "och avbrutna delar av alla uppföljningar. Bortfallet per orsak står i tabellen.</p>")


def _indices(report: Report) -> str:
    shown = [t for t in report.indices if t.total.shown]
    chart = bars([(f"{t.title} (n={t.total.n})", t.total.mean or 0.0) for t in shown], False,
                 total_last=False)
    body = "".join("<tr>" + _cell(t.title, False) + _cell(t.total.n if t.total.shown else SYMBOL)
                   + _cell(fmt(t.total.mean)) + _cell(fmt(t.total.share_high, "share")) + "</tr>"
                   for t in report.indices)
    return (chart + f'<table><tr><th>Index</th><th class="num">n</th><th class="num">Medel</th>'
            f'<th class="num">{HIGH_SHARE}</th></tr>{body}</table>'
            f"<p class='notes'>{HIGH_SHARE} för ett index: andelen uppföljningar vars "
            "indexvärde (medel av de besvarade frågorna) är 4 eller högre.</p>")


def _by_respondent(report: Report) -> str:
    if not report.respondents:
        return "<p class='notes'>Index per svarande kan inte tas fram med denna inloggning.</p>"
    cells: dict[tuple[str, str], Row] = {}
    for t in report.respondents:
        ix_title, resp = t.title.rsplit(" – ", 1)
        cells[(ix_title, resp)] = t.total
    titles = list(RESPONDENT_TITLES.values())
    head = ("<tr><th>Index</th>" + "".join(f'<th class="num">{esc(t)}</th>' for t in titles)
            + "</tr>")
    body = []
    for ix in report.indices:
        tds = []
        for resp in titles:
            r = cells.get((ix.title, resp))
            tds.append(_cell("" if r is None else (f"{fmt(r.mean)} (n={r.n})" if r.shown
                                                   else SYMBOL)))
        body.append("<tr>" + _cell(ix.title, False) + "".join(tds) + "</tr>")
    return (f"<table>{head}{''.join(body)}</table><p class='notes'>Medel av varje svarandes "
            "egna frågor i indexet; tomt där svaranden inte har några frågor i det.</p>")


def _methods(report: Report) -> str:
    t = report.methods
    if t is None or not t.total.shown:
        return "<p class='notes'>Inga metoduppgifter att visa.</p>"
    chart = bars([(f"{r.label} (n={r.n})", r.share_high or 0.0) for r in t.rows], True,
                 total_last=False)
    body = "".join("<tr>" + _cell(r.label, False) + _cell(r.n) + _cell(fmt(r.share_high, "share"))
                   + _cell(fmt(applied_share(r), "share")) + "</tr>" for r in t.rows)
    return (chart + '<table><tr><th>Metod</th><th class="num">Uppföljningar</th>'
            '<th class="num">Andel av uppföljningarna</th>'
            f'<th class="num">Tillämpad som avsett</th></tr>{body}</table>'
            f"<p class='notes'>Andel av de {t.total.n} uppföljningar där handläggaren besvarade "
            "frågan om metoder; tillämpad som avsett: andel av de uppföljningar där metoden "
            "användes och svaret är känt.</p>")


def _items(report: Report) -> str:
    out = []
    for resp, title in RESPONDENT_TITLES.items():
        tables = [t for t in report.items if report.respondent_of.get(t.id) == resp
                  and t.total.mean is not None]
        if not tables:
            continue
        body = "".join(
            "<tr>" + _cell(t.title, False) + _cell(t.total.n if t.total.shown else SYMBOL)
            + _cell(fmt(t.total.mean))
            + _cell(fmt(t.total.share_high, "share")
                    + (f" ({HIGH_IS_BAD})" if t.id in report.high_is_bad else ""))
            + "</tr>" for t in tables)
        out.append(f"<h3>{esc(title)}</h3><table><tr><th>Fråga</th><th class='num'>n</th>"
                   f"<th class='num'>Medel</th><th class='num'>{HIGH_SHARE}</th></tr>"
                   f"{body}</table>")
    return "\n".join(out)


SECTIONS = (("svar", "Svarsfrekvens och bortfall"), ("index", "Index, alla enheter"),
            ("svarande", "Index per svarande"), ("enheter", "Jämförelse mellan enheter"),
            ("krankning", "Allvarlig kränkning"), ("sammanbrott", "Sammanbrott"),
            ("metoder", "Metoder"), ("val", "Frågor med svarsalternativ"),
            ("skala", "Frågor på skalan 1–5"), ("skydd", "Röjandeskydd"))


def to_html(report: Report) -> str:
    followups = report.followups if report.followups is not None else SYMBOL
    method = "; ".join(report.suppression_notes())
    parts = [f"<!doctype html><html lang='sv'><meta charset='utf-8'>"
             "<meta name='viewport' content='width=device-width'>"
             f"<title>{esc(report.title)} {esc(report.period)}</title><style>{CSS}</style>",
             f"<h1>{esc(report.title)}</h1>",
             f"<p class='meta'>Period {esc(report.period)} · uppföljningar: {followups} · "
             f"spärr {report.threshold.value} ({esc(report.threshold.source)}) · "
             f"skapad {report.made.isoformat()}</p>",
             f"<p class='method'>{esc(method)}</p>",
             "<nav><ul>" + "".join(f"<li><a href='#{a}'>{esc(t)}</a></li>" for a, t in SECTIONS)
             + "</ul></nav>"]

    def section(anchor: str) -> None:
        parts.append(f"<h2 id='{anchor}'>{esc(dict(SECTIONS)[anchor])}</h2>")

    section("svar")
    parts.append(_responses(report))
    section("index")
    parts.append(_indices(report))
    section("svarande")
    parts.append(_by_respondent(report))
    section("enheter")
    parts.append(f"<p>Diagrammen visar högst {UNIT_CHART_LIMIT} enheter, de med flest "
                 "uppföljningar; tabellerna har alla som kan visas.</p>")
    parts += [table_html(t, limit=UNIT_CHART_LIMIT) for t in unit_tables(report)]
    section("krankning")
    parts.append("<p>Andel av de ungdomar som besvarade frågan som svarade ja. Bara svaret "
                 "registreras, aldrig vad som hände eller vem som var inblandad.</p>")
    names = {"unit_type": "per typ av enhet", "municipality": "per kommun", "unit": "per enhet"}
    parts += [table_html(t, limit=UNIT_CHART_LIMIT, bad=n == 0,
                         title=f"{t.title} {names.get(t.by or '', '')}".strip())
              for n, t in enumerate(report.violation)]
    section("sammanbrott")
    parts.append(table_html(report.breakdown, title=f"{report.breakdown.title} per typ av enhet"))
    section("metoder")
    parts.append(_methods(report))
    section("val")
    parts += [table_html(t) for t in report.distributions]
    section("skala")
    parts.append(_items(report))
    section("skydd")
    parts.append("<ul>" + "".join(f"<li>{esc(n)}</li>" for n in report.suppression_notes())
                 + f"<li>{SYMBOL} = dolt värde. Grupper under spärren saknas i tabellerna men "
                 "räknas med i Samtliga.</li><li>Nöjdhet är inte detsamma som kvalitet: läs "
                 "resultaten med försiktighet, aldrig ensamma som skäl att avsluta ett "
                 "avtal.</li></ul></html>")
    return "\n".join(parts)
