"""The standard report for a period: built once, then written as HTML, CSV, XLSX or slides."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Engine

from ubu_tui.instrument.model import Instrument
from ubu_tui.results import aggregate, ptable
from ubu_tui.results.aggregate import Context, Table
from ubu_tui.results.disclosure import Threshold, hidden, method_text
from ubu_tui.results.query import Selection, followups

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

    @property
    def period(self) -> str:
        s = self.selection
        if s.period_from == s.period_to:
            return s.period_from
        return f"{s.period_from} – {s.period_to}"

    def all_tables(self) -> list[Table]:
        return [*self.responses, *self.indices, *self.units, self.breakdown, *self.items]

    def suppression_notes(self) -> list[str]:
        return [f"Röjandeskydd: {method_text(self.threshold.value)} (spärr "
                f"{self.threshold.value}: {self.threshold.source}). Alla tal är störda med samma "
                "metod; dolda grupper saknas i tabellerna men räknas med i Samtliga."]


def standard_report(engine: Engine, instrument: Instrument, selection: Selection,
                    threshold: Threshold | None = None, made: date | None = None) -> Report:
    ctx = Context.open(engine, instrument, selection, threshold)
    t = ctx.threshold.value
    responses = aggregate.disposition_tables(ctx)
    if ctx.functions:     # every follow-up has one caseworker part: its published total
        count = next(r.total.n for r in responses if r.id == "response_caseworker")
    else:
        n, key = followups(engine, selection).get(0, (0, 0))
        count = None if hidden(n, key, t) else ptable.count(n, key)
    units = aggregate.index_tables(ctx, "unit")
    return Report(
        title="UBU – uppföljning av avslutade placeringar",
        selection=selection, threshold=ctx.threshold, made=made or date.today(),
        followups=count,
        responses=responses,
        indices=[Table(u.id, u.title, None, (), u.total, u.threshold, "index") for u in units],
        units=units,
        breakdown=aggregate.breakdown_table(ctx, "unit_type"),
        items=aggregate.share_tables(ctx) + aggregate.item_tables(ctx),
    )
