"""Any measure over time: by quarter or by year, with the same periods a year earlier beside it.

Each period's figure is the total row of the ordinary tables for that period, so it goes
through the same cell-key method and threshold as every other figure: the quarters of a year
and the year itself are different cells with their own keys, and differencing them gives noise.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ubu_tui.errors import InputRejected
from ubu_tui.i18n import _
from ubu_tui.results import aggregate
from ubu_tui.results.aggregate import Context, Table
from ubu_tui.results.query import Selection

GRAINS = ("quarter", "year")


@dataclass(frozen=True)
class Period:
    label: str                  # "2026 K1", "2026"
    first: str                  # YYYY-MM
    last: str

    def year_before(self) -> Period:
        def back(month: str) -> str:
            return f"{int(month[:4]) - 1:04d}{month[4:]}"

        label = f"{int(self.label[:4]) - 1}{self.label[4:]}"
        return Period(label, back(self.first), back(self.last))


@dataclass(frozen=True)
class Trend:
    id: str
    title: str
    grain: str
    current: Table              # one row per period, oldest first
    previous: Table             # the same periods a year earlier, keyed by the current label


def periods(sel: Selection, grain: str = "quarter") -> list[Period]:
    """The quarters or years that the selection's months fall in, cut to the selection."""
    if grain not in GRAINS:
        raise InputRejected(_("okänd tidsindelning '{grain}'; använd en av {known}")
                            .format(grain=grain, known=', '.join(GRAINS)))
    if sel.period_from == "0000-00" or sel.period_to == "9999-99":
        raise InputRejected(_("en trend behöver en period med en första och en sista månad"))
    out: list[Period] = []
    year, month = int(sel.period_from[:4]), int(sel.period_from[5:])
    end = (int(sel.period_to[:4]), int(sel.period_to[5:]))
    while (year, month) <= end:
        if grain == "quarter":
            q = (month - 1) // 3
            last = (year, min(q * 3 + 3, end[1] if year == end[0] else 12))
            out.append(Period(f"{year} K{q + 1}", f"{year:04d}-{month:02d}",
                              f"{last[0]:04d}-{last[1]:02d}"))
            year, month = (year + 1, 1) if q == 3 else (year, q * 3 + 4)
        else:
            last_month = end[1] if year == end[0] else 12
            out.append(Period(str(year), f"{year:04d}-{month:02d}",
                              f"{year:04d}-{last_month:02d}"))
            year, month = year + 1, 1
    # a selection shorter than the grain (a month by quarter, a quarter by year) is one point,
    # named for what it is rather than for the quarter or year it lies in
    from ubu_tui.results import periods as grid

    return [replace(p, label=grid.Period(p.first, p.last, k).label)
            if (k := grid.kind(p.first, p.last)) not in (None, grain) else p for p in out]


def _tables(ctx: Context, measures: list[str]) -> dict[str, Table]:
    """The tables of the selection's measures, one query for all indices and one for items."""
    out: dict[str, Table] = {}
    if any(m.startswith("index:") for m in measures):
        out.update((f"index:{t.id}", t) for t in aggregate.index_tables(ctx))
    items = [m.partition(":")[2] for m in measures if m.startswith("item:")]
    if items:
        out.update((f"item:{t.id}", t) for t in aggregate.item_tables(ctx, None, items))
    for m in measures:
        if m not in out:
            raise InputRejected(_("okänt mått '{measure}'; använd index:ID eller item:ID (en fråga "
                                  "med skala 1–5 eller ett svarsalternativ; se ubu codebook)")
                                .format(measure=m))
    return out


def trends(ctx: Context, measures: list[str], grain: str = "quarter") -> list[Trend]:
    """Each measure per period of the selection, and a year earlier; the totals are the whole
    selection's and the whole of the same months a year earlier."""

    def at(first: str, last: str) -> dict[str, Table]:
        return _tables(replace(ctx, selection=Selection(first, last, ctx.selection.filters,
                                                          ctx.selection.version)),
                       measures)

    spans = periods(ctx.selection, grain)
    now = [at(p.first, p.last) for p in spans]
    before = [at(p.year_before().first, p.year_before().last) for p in spans]
    whole = Period(ctx.selection.period_from[:4], ctx.selection.period_from,
                   ctx.selection.period_to)
    total_now = _tables(ctx, measures)
    total_before = at(whole.year_before().first, whole.year_before().last)
    out = []
    for m in measures:
        title = total_now[m].title
        kind = "index" if m.startswith("index:") else "item"
        t = ctx.threshold.value
        current = tuple(replace(tables[m].total, key=p.label, label=p.label)
                        for p, tables in zip(spans, now, strict=True))
        previous = tuple(replace(tables[m].total, key=p.label, label=p.year_before().label)
                         for p, tables in zip(spans, before, strict=True))
        out.append(Trend(m, title, grain,
                         Table(m, title, grain, current, total_now[m].total, t, kind),
                         Table(m, title, grain, previous, total_before[m].total, t, kind)))
    return out


def trend(ctx: Context, measure: str, grain: str = "quarter") -> Trend:
    return trends(ctx, [measure], grain)[0]
