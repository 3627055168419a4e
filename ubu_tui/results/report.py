"""The standard report for a period: built once, then written as HTML, CSV, XLSX or slides."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.engine import Engine

from ubu_tui.instrument.model import Instrument
from ubu_tui.results import aggregate, ptable, shares
from ubu_tui.results.aggregate import Context, Table
from ubu_tui.results.coverage import coverage_tables
from ubu_tui.results.disclosure import Threshold, hidden, method_text
from ubu_tui.results.query import Selection, followups
from ubu_tui.results.trend import Trend

UNIT_CHART_LIMIT = 25        # units per comparison chart; the rest are in the tables


@dataclass(frozen=True)
class Report:
    title: str
    selection: Selection
    threshold: Threshold
    made: date
    followups: int | None              # published (perturbed); None when below the threshold
    responses: list[Table]             # per respondent type
    indices: list[Table]               # per index, overall
    units: list[Table]                 # per index, by unit (the unit comparison)
    breakdown: Table                   # share ending in breakdown, by unit type
    items: list[Table]                 # declared shares, then per item, overall
    # Items without a mean, and indices per respondent (results/shares.py):
    distributions: list[Table] = field(default_factory=list)  # single-choice items, per option
    violation: list[Table] = field(default_factory=list)      # share yes, per breakdown
    unit_responses: list[Table] = field(default_factory=list)  # response rates per unit
    methods: Table | None = None                              # share of follow-ups per method
    respondents: list[Table] = field(default_factory=list)    # each index per respondent
    coverage: tuple[Table, Table] | None = None   # per municipality; reasons for not due
    trends: list[Trend] = field(default_factory=list)        # by quarter, a year earlier beside
    high_is_bad: frozenset[str] = frozenset()     # items where a high value is the bad end
    respondent_of: dict[str, str] = field(default_factory=dict)   # item → who answers it
    # Local versions in the period, with their follow-ups: never in any figure above, each has
    # a report of its own (`ubu report --version 2026.2+0180`). None when there are none.
    local_versions: Table | None = None

    @property
    def period(self) -> str:
        s = self.selection
        if s.period_from == s.period_to:
            return s.period_from
        return f"{s.period_from} – {s.period_to}"

    def all_tables(self) -> list[Table]:
        return [*self.responses, *self.indices, *self.units, self.breakdown, *self.items,
                *self.respondents, *self.violation, *self.unit_responses,
                *self.distributions,
                *([self.methods] if self.methods else []), *(self.coverage or ()),
                *(t for trend in self.trends for t in (trend.current, trend.previous)),
                *([self.local_versions] if self.local_versions else [])]

    def suppression_notes(self) -> list[str]:
        return [f"Röjandeskydd: {method_text(self.threshold.value)} (spärr "
                f"{self.threshold.value}: {self.threshold.source}). Alla tal är störda med samma "
                "metod, vart och ett för sig, så att delar inte summerar exakt till helheten "
                "(en del kan någon gång visa mer än helheten); dolda grupper saknas i tabellerna "
                "men räknas med i Samtliga."]


def standard_report(engine: Engine, instrument: Instrument, selection: Selection,
                    threshold: Threshold | None = None, made: date | None = None) -> Report:
    """The report of the national versions; for a local instrument, of that version's
    records alone (the two never meet in one figure)."""
    with gc_paused():
        return _standard_report(engine, instrument, selection, threshold, made)


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a report is built: it makes some 100 000 small
    tuples and rows, none of them in a cycle, and the collections those allocations set off
    (each walking every object of the process, the screen's included) were a sixth of the
    report's CPU at 100 000 follow-ups. Reference counting frees everything as before."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _standard_report(engine: Engine, instrument: Instrument, selection: Selection,
                     threshold: Threshold | None, made: date | None) -> Report:
    from dataclasses import replace

    title = "UBU – uppföljning av avslutade placeringar"
    if not instrument.national:
        selection = replace(selection, version=instrument.version)
        title += f", lokal version {instrument.version} (redovisas för sig, aldrig i riket)"
    ctx = Context.open(engine, instrument, selection, threshold)
    t = ctx.threshold.value
    responses = aggregate.disposition_tables(ctx)
    if ctx.functions:     # every follow-up has one caseworker part: its published total
        count = next(r.total.n for r in responses if r.id == "response_caseworker")
    else:
        n, key = followups(engine, selection).get(0, (0, 0))
        count = None if hidden(n, key, t) else ptable.count(n, key)
    units = aggregate.index_tables(ctx, "unit")
    # response rates per unit beside the unit comparison, hidden with it
    violation = [*shares.violation_tables(ctx), *aggregate.disposition_tables(ctx, "unit")]
    # One release: a group hidden in one table of a breakdown is hidden in all of them.
    units, breakdown, violation = consistent_by_breakdown(
        units, aggregate.breakdown_table(ctx, "unit_type"), violation)
    unit_responses = [t for t in violation if t.kind == "disposition"]
    violation = [t for t in violation if t.kind != "disposition"]
    return Report(
        title=title,
        selection=selection, threshold=ctx.threshold, made=made or date.today(),
        followups=count,
        responses=responses,
        indices=[Table(u.id, u.title, None, (), u.total, u.threshold, "index") for u in units],
        units=units,
        breakdown=breakdown,
        items=aggregate.share_tables(ctx) + aggregate.item_tables(ctx),
        # why respondents declined first: dropout is read before the answers
        distributions=shares.decline_tables(ctx) + shares.distribution_tables(ctx),
        violation=violation,
        unit_responses=unit_responses,
        methods=shares.method_table(ctx),
        respondents=shares.respondent_index_tables(ctx),
        trends=report_trends(ctx),
        coverage=coverage_tables(ctx),
        high_is_bad=frozenset(i.id for i in instrument.items.values() if i.high_is_bad),
        respondent_of={i.id: i.respondent for i in instrument.items.values()},
        local_versions=None if selection.version else local_versions_table(ctx),
    )


def local_versions_table(ctx: Context) -> Table | None:
    """The local versions in the period and their follow-ups, published as any count: each
    version's count is a cell of its own (perturbed, hidden under the threshold)."""
    from ubu_tui.results.aggregate import Row
    from ubu_tui.results.disclosure import HIDDEN, hidden
    from ubu_tui.results.query import local_versions

    if ctx.functions:        # a restricted login reads no record, and so no version either
        return None
    found = local_versions(ctx.engine, ctx.selection)
    if not found:
        return None
    t = ctx.threshold.value
    rows = tuple(Row(key, key, hidden=HIDDEN) if hidden(n, k, t) else
                 Row(key, key, ptable.count(n, k), ptable.count(n, k))
                 for key, (n, k) in sorted(found.items()))
    n = sum(c[0] for c in found.values())
    k = sum(c[1] for c in found.values())
    total = Row(aggregate.TOTAL, "Samtliga", hidden=HIDDEN) if hidden(n, k, t) else \
        Row(aggregate.TOTAL, "Samtliga", ptable.count(n, k), ptable.count(n, k))
    return Table("local_versions", "Lokala versioner: uppföljningar som inte räknas in i "
                 "rapporten (var och en har en egen rapport)", None,
                 tuple(r for r in rows if r.shown), total, t, kind="distribution")


def report_trends(ctx: Context) -> list[Trend]:
    """Every main index and the serious-violation share by quarter, a year earlier beside."""
    from ubu_tui.results import trend

    if ctx.selection.period_from == "0000-00" or ctx.selection.period_to == "9999-99":
        return []
    measures = [f"index:{ix.id}" for ix in ctx.instrument.indices if ":" not in ix.label]
    *out, violation = trend.trends(ctx, [*measures, f"item:{shares.VIOLATION_ITEM}"])
    out.append(shares.as_share(violation, shares.VIOLATION_YES,
                               "Andel ungdomar som upplevt en allvarlig kränkning"))
    return out


def consistent_by_breakdown(units: list[Table], breakdown: Table, violation: list[Table]
                            ) -> tuple[list[Table], Table, list[Table]]:
    """Apply the consistency rule across every table of the report that shares a breakdown."""
    tables = [*units, breakdown, *violation]
    out: dict[int, Table] = {}
    for by in {t.by for t in tables}:
        same = [n for n, t in enumerate(tables) if t.by == by]
        for n, t in zip(same, aggregate._consistent([tables[n] for n in same]), strict=True):
            out[n] = t
    fixed = [out[n] for n in range(len(tables))]
    return fixed[:len(units)], fixed[len(units)], fixed[len(units) + 1:]
