"""The standard report as one HTML page: bar charts in CSS grid (labels are never cut), a table
under each chart, and one statement of the disclosure control at the top and the foot."""

from __future__ import annotations

import html
import math

from ubu_tui.results.aggregate import Row, Table
from ubu_tui.results.disclosure import SYMBOL
from ubu_tui.results.render import (
    DISPOSITIONS,
    HIGH_IS_BAD,
    HIGH_SHARE,
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

CSS = """body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;
color:#222;line-height:1.35}
h2{margin-top:2em;border-bottom:2px solid #2f6f9f}h3{margin:1.4em 0 .3em;font-size:1.05em}
table{border-collapse:collapse;margin:.4em 0 1em}td,th{border:1px solid #ccc;padding:2px 8px;
text-align:left;vertical-align:top}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.num{white-space:nowrap}table{display:block;max-width:100%;overflow-x:auto}
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
            "och avbrutna delar av dem som skulle tillfrågas (ungdomsdelen ställs inte till "
            "barn under 12 år). Bortfallet per orsak står i tabellen.</p>")


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
    for ix in main_indices(report.indices):
        tds = []
        for resp in titles:
            r = cells.get((ix.title, resp))
            tds.append(_cell("" if r is None else (f"{fmt(r.mean)} (n={r.n})" if r.shown
                                                   else SYMBOL)))
        body.append("<tr>" + _cell(ix.title, False) + "".join(tds) + "</tr>")
    return (f"<table>{head}{''.join(body)}</table><p class='notes'>Medel av varje svarandes "
            "egna frågor i indexet; tomt där svaranden inte har några frågor i det.</p>")


def _unit_responses(report: Report) -> str:
    """Response rate per unit and respondent, beside the unit comparison."""
    if not report.unit_responses:
        return ""
    titles = [t.title.removeprefix("Svarsfrekvens: ") for t in report.unit_responses]
    by_unit: dict[object, dict[int, Row]] = {}
    for n, t in enumerate(report.unit_responses):
        for r in (*t.rows, t.total):
            by_unit.setdefault(r.key, {})[n] = r
    head = ("<tr><th>Enhet</th><th class='num'>Uppföljningar</th>"
            + "".join(f"<th class='num'>{esc(t)}</th>" for t in titles) + "</tr>")
    body = []
    for rows in by_unit.values():
        first = next(iter(rows.values()))
        body.append("<tr>" + _cell(first.label, False) + _cell(first.n if first.shown else SYMBOL)
                    + "".join(_cell(fmt(rows[n].share_high, "share") if n in rows
                                    and rows[n].shown else SYMBOL)
                              for n in range(len(titles))) + "</tr>")
    return (f"<h3>Svarsfrekvens per enhet</h3><table>{head}{''.join(body)}</table>")


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


def line_chart(trend: Trend) -> str:
    """This year and the year before as two lines over the periods; gaps where hidden."""
    share = is_share(trend.current)
    low, high = (0.0, 1.0) if share else (1.0, 5.0)
    # Scaled to what is there, so that a change can be seen; the axis says where it starts.
    values = [v for t in (trend.current, trend.previous) for r in t.rows
              if r.shown and (v := value_of(t, r)) is not None]
    if values and share:
        high = min(1.0, round(max(values) * 1.25 + 0.05, 1))
    elif values:
        low = max(1.0, math.floor(min(values) * 2 - 1) / 2)
        high = min(5.0, math.ceil(max(values) * 2 + 1) / 2)
    width, height, left, right, top_pad, bottom = 640, 240, 70, 30, 16, 48
    count = len(trend.current.rows)
    step = (width - left - right) / max(1, count - 1) if count > 1 else 0

    def x(i: int) -> float:
        return left + (step * i if count > 1 else (width - left - right) / 2)

    def y(v: float) -> float:
        return top_pad + (1 - (v - low) / (high - low)) * (height - top_pad - bottom)

    out = [f'<svg class="trend" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" role="img" font-size="12">']
    tick = (0.1 if high > 0.3 else 0.05) if share else 0.5
    for k in range(round((high - low) / tick) + 1):
        v = low + tick * k
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
                   f'stroke="#ddd"/><text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end">'
                   f'{fmt(v, "share" if share else "mean")}</text>')
    for i, r in enumerate(trend.current.rows):
        out.append(f'<text x="{x(i):.1f}" y="{height - bottom + 20}" text-anchor="middle">'
                   f'{esc(r.label)}</text>')
    for table, colour, dash in ((trend.previous, "#999", ' stroke-dasharray="5 4"'),
                                (trend.current, "#2f6f9f", "")):
        points = [(x(i), y(value_of(table, r) or low)) for i, r in enumerate(table.rows)
                  if r.shown and value_of(table, r) is not None]
        if len(points) > 1:
            out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2.5"{dash} '
                       f'points="{" ".join(f"{a:.1f},{b:.1f}" for a, b in points)}"/>')
        out += [f'<circle cx="{a:.1f}" cy="{b:.1f}" r="3.5" fill="{colour}"/>'
                for a, b in points]
    year = trend.current.rows[0].label[:4] if trend.current.rows else ""
    before = trend.previous.rows[0].label[:4] if trend.previous.rows else ""
    out.append(f'<line x1="{left}" x2="{left + 24}" y1="{height - 10}" y2="{height - 10}" '
               f'stroke="#2f6f9f" stroke-width="2.5"/><text x="{left + 30}" y="{height - 6}">'
               f'{esc(year)}</text><line x1="{left + 90}" x2="{left + 114}" y1="{height - 10}" '
               f'y2="{height - 10}" stroke="#999" stroke-width="2.5" stroke-dasharray="5 4"/>'
               f'<text x="{left + 120}" y="{height - 6}">{esc(before)}, samma period året '
               "före</text></svg>")
    return "".join(out)


def trend_html(trend: Trend) -> str:
    share = is_share(trend.current)
    kind = "share" if share else "mean"
    head = ("<tr><th>Period</th><th class='num'>n</th><th class='num'>"
            + ("Andel" if share else "Medel") + "</th><th>Året före</th><th class='num'>n</th>"
            "<th class='num'>" + ("Andel" if share else "Medel") + "</th></tr>")
    body = "".join(
        "<tr>" + _cell(a.label, False) + _cell(a.n if a.shown else SYMBOL)
        + _cell(fmt(value_of(trend.current, a), kind)) + _cell(b.label, False)
        + _cell(b.n if b.shown else SYMBOL) + _cell(fmt(value_of(trend.previous, b), kind))
        + "</tr>" for a, b in zip((*trend.current.rows, trend.current.total),
                                  (*trend.previous.rows, trend.previous.total), strict=True))
    return (f"<h3>{esc(trend.title)}</h3>{line_chart(trend)}<table>{head}{body}</table>")


def _coverage(report: Report) -> str:
    if report.coverage is None:
        return ("<p class='notes'>Inga täckningsuppgifter för perioden: set-up-skärmens beslut "
                "räknas, och kommunen anger sina avslutade placeringar i täckningsskärmen (t på "
                "startskärmen) eller med <code>ubu coverage</code>.</p>")
    table, reasons = report.coverage
    chart = bars([(f"{r.label} (n={r.n})", r.share_high or 0.0)
                  for r in (*table.rows, table.total) if r.shown], True)
    body = "".join("<tr>" + _cell(r.label, False) + _cell(r.n if r.shown else SYMBOL)
                   + _cell((r.nonresponse or {}).get("started", 0) if r.shown else SYMBOL)
                   + _cell((r.nonresponse or {}).get("not_due", 0) if r.shown else SYMBOL)
                   + _cell(fmt(r.share_high, "share")) + "</tr>"
                   for r in (*table.rows, table.total))
    why = "".join("<tr>" + _cell(r.label, False) + _cell(r.n) + _cell(fmt(r.share_high, "share"))
                  + "</tr>" for r in reasons.rows)
    return (chart + "<table><tr><th>Kommun</th><th class='num'>Avslutade placeringar</th>"
            "<th class='num'>Påbörjade uppföljningar</th><th class='num'>Ska inte göras</th>"
            f"<th class='num'>Täckning</th></tr>{body}</table>"
            f"<h3>{esc(reasons.title)}</h3><table><tr><th>Skäl</th><th class='num'>Antal</th>"
            f"<th class='num'>Andel</th></tr>{why}</table><p class='notes'>Täckning: påbörjade "
            "uppföljningar av de avslutade placeringar kommunen angett. Besluten räknas utan "
            "koppling till någon person; en placering kan ha flera skäl.</p>")


SECTIONS = (("svar", "Svarsfrekvens och bortfall"), ("tackning", "Täckning"),
            ("index", "Index, alla enheter"), ("tid", "Över tid"),
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
    if report.local_versions is not None:       # counted nowhere above; reported apart
        parts.append("<p>Uppföljningar med en lokal version av instrumentet räknas aldrig in "
                     "i den här rapporten; varje lokal version har en egen rapport.</p>")
        parts.append(table_html(report.local_versions, chart=False))
    parts.append(_responses(report))
    section("tackning")
    parts.append(_coverage(report))
    section("index")
    parts.append(_indices(report))
    section("tid")
    parts.append("<p>Varje kvartal för sig, och samma kvartal ett år tidigare. Varje värde är "
                 "skyddat för sig med samma metod som övriga tabeller.</p>")
    parts += [trend_html(t) for t in report.trends]
    section("svarande")
    parts.append(_by_respondent(report))
    section("enheter")
    parts.append(f"<p>Diagrammen visar högst {UNIT_CHART_LIMIT} enheter, de med flest "
                 "uppföljningar; tabellerna har alla som kan visas.</p>")
    parts.append("<p>Under varje tabell ett trattdiagram: andelen 4–5 per enhet mot antalet "
                 "uppföljningar, med kontrollgränser. Bara en enhet utanför 99,8 %-gränsen "
                 "skiljer sig mer än slumpen förklarar.</p>")
    parts.append(_unit_responses(report))
    parts += [table_html(t, limit=UNIT_CHART_LIMIT) + funnel_svg(t) for t in unit_tables(report)]
    section("krankning")
    parts.append("<p>Andel av de ungdomar som besvarade frågan som svarade ja. Bara svaret "
                 "registreras, aldrig vad som hände eller vem som var inblandad.</p>")
    names = {"unit_type": "per typ av enhet", "municipality": "per kommun", "unit": "per enhet"}
    parts += [table_html(t, limit=UNIT_CHART_LIMIT, bad=n == 0,
                         title=f"{t.title} {names.get(t.by or '', '')}".strip())
              + (funnel_svg(t, bad=True) if t.by == "unit" else "")
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


def nice_step(top: float) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving four to ten ticks up to `top`."""
    raw = top / 5
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def funnel_svg(table: Table, bad: bool = False) -> str:
    """The units' shares against their n, with the 95 % and 99.8 % control limits."""
    from ubu_tui.results import funnel

    pts = funnel.points(table)
    p0 = table.total.share_high
    if len(pts) < 2 or p0 is None:
        return ""
    width, height, left, right, top_pad, bottom = 640, 300, 64, 150, 14, 40
    n_max = max(p.n for p in pts) * 1.1
    y_max = min(1.0, max(max(p.share for p in pts), p0) * 1.2 + 0.05)

    def x(n: float) -> float:
        return left + n / n_max * (width - left - right)

    def y(v: float) -> float:
        return top_pad + (1 - v / y_max) * (height - top_pad - bottom)

    out = [f'<svg class="funnel" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" role="img" font-size="11">']
    y_step = nice_step(y_max)
    for k in range(int(y_max / y_step + 1e-9) + 1):
        v = y_step * k
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
                   f'stroke="#eee"/><text x="{left - 6}" y="{y(v) + 4:.1f}" '
                   f'text-anchor="end">{fmt(v, "share")}</text>')
    n_step = nice_step(n_max)
    for k in range(int(n_max / n_step) + 1):
        n = n_step * k
        out.append(f'<text x="{x(n):.1f}" y="{height - bottom + 16}" text-anchor="middle">'
                   f'{n:.0f}</text>')
    out.append(f'<text x="{(left + width - right) / 2:.0f}" y="{height - 6}" '
               'text-anchor="middle">antal uppföljningar (n)</text>')
    for z, dash in ((funnel.Z95, "4 3"), (funnel.Z998, "")):
        line = funnel.curve(p0, z, round(n_max))
        for side in (1, 2):
            pts_txt = " ".join(f"{x(c[0]):.1f},{y(min(c[side], y_max)):.1f}" for c in line)
            out.append(f'<polyline fill="none" stroke="#888" stroke-width="1.2" '
                       f'stroke-dasharray="{dash}" points="{pts_txt}"/>')
    out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(p0):.1f}" y2="{y(p0):.1f}" '
               'stroke="#2f6f9f" stroke-width="1.5"/>')
    for p in pts:
        colour = "#b5532e" if p.flag else "#2f6f9f"
        out.append(f'<circle cx="{x(p.n):.1f}" cy="{y(p.share):.1f}" r="4" fill="{colour}">'
                   f'<title>{esc(p.label)} (n={p.n}): {fmt(p.share, "share")}</title></circle>')
    legend = width - right + 12
    out.append(f'<text x="{legend}" y="{top_pad + 10}">— alla enheter</text>'
               f'<text x="{legend}" y="{top_pad + 28}">┄ 95 %-gräns</text>'
               f'<text x="{legend}" y="{top_pad + 46}">─ 99,8 %-gräns</text>'
               f'<text x="{legend}" y="{top_pad + 64}" fill="#b5532e">● utanför 99,8 %</text>')
    out.append("</svg>")
    flagged = [p for p in pts if p.flag]
    note = ("Utanför 99,8 %-gränsen: " + "; ".join(
        f"{esc(p.label)} (n={p.n}, {fmt(p.share, 'share')}, {p.flag} än alla)" for p in flagged)
        if flagged else "Ingen enhet ligger utanför 99,8 %-gränsen.")
    what = "en hög andel är sämre" if bad else "andel 4–5"
    return (f"{''.join(out)}<p class='notes'>Trattdiagram ({what}): varje punkt är en enhet. "
            f"Gränserna visar hur långt från alla enheters andel en enhet av samma storlek "
            f"kan hamna av slumpen. {note}</p>")
