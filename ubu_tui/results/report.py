"""The standard report for a period: built once, then written as HTML, CSV, XLSX or slides."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Engine

from ubu_tui.instrument.model import Instrument
from ubu_tui.results import aggregate
from ubu_tui.results.aggregate import Context, Table
from ubu_tui.results.disclosure import Threshold, small
from ubu_tui.results.query import Selection, followups

UNIT_CHART_LIMIT = 25        # units per comparison chart; the rest are in the tables


@dataclass(frozen=True)
class Report:
    title: str
    selection: Selection
    threshold: Threshold
    made: date
    followups: int | None              # None when below the threshold
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
        notes = [f"Spärr: figurer byggda på färre än {self.threshold.value} uppföljningar visas "
                 f"inte ({self.threshold.source}). Dolda grupper räknas med i totalen."]
        for table in self.all_tables():
            notes += [f"{table.title} – {note}" for note in table.notes()]
        return notes


def standard_report(engine: Engine, instrument: Instrument, selection: Selection,
                    threshold: Threshold | None = None, made: date | None = None) -> Report:
    ctx = Context.open(engine, instrument, selection, threshold)
    count = sum(followups(engine, selection).values())
    t = ctx.threshold.value
    units = aggregate.index_tables(ctx, "unit")
    return Report(
        title="UBU – uppföljning av avslutade placeringar",
        selection=selection, threshold=ctx.threshold, made=made or date.today(),
        followups=None if small(count, t) else count,
        responses=aggregate.disposition_tables(ctx),
        indices=[Table(u.id, u.title, None, (), u.total, u.threshold, "index") for u in units],
        units=units,
        breakdown=aggregate.breakdown_table(ctx, "unit_type"),
        items=aggregate.share_tables(ctx) + aggregate.item_tables(ctx),
    )
