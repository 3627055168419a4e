"""One unit's or one municipality's results beside all of them: the report sent to a provider,
or read by a municipality about its own placements.

Every figure is a row of the ordinary tables broken down by unit (or municipality), so it is
perturbed and hidden exactly as there; within the report the consistency rule holds across all
of its tables, so the group is shown everywhere or nowhere. The all-units figures include the
group itself, as the standard report's Samtliga does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Engine

from ubu_tui.errors import InputRejected
from ubu_tui.i18n import _
from ubu_tui.instrument.model import Instrument
from ubu_tui.results import aggregate, shares
from ubu_tui.results.aggregate import Context, Row, Table
from ubu_tui.results.disclosure import HIDDEN, Threshold, method_text
from ubu_tui.results.query import Selection

KINDS = {"unit": "Enhet", "municipality": "Kommun"}


@dataclass(frozen=True)
class Comparison:
    id: str
    title: str
    kind: str              # index / share / disposition
    own: Row               # hidden when the group's figure cannot be published
    everyone: Row
    funnel: str = ""       # funnel-plot verdict for the group: "", "över", "under" (funnel.py)


@dataclass(frozen=True)
class GroupReport:
    by: str                # unit / municipality
    key: object
    name: str
    selection: Selection
    threshold: Threshold
    made: date
    responses: list[Comparison]
    indices: list[Comparison]
    shares: list[Comparison]
    high_is_bad: frozenset[str] = frozenset()

    @property
    def title(self) -> str:
        return f"UBU – {self.name} jämfört med alla"

    @property
    def period(self) -> str:
        s = self.selection
        return s.period_from if s.period_from == s.period_to else \
            f"{s.period_from} – {s.period_to}"

    @property
    def shown(self) -> bool:
        return any(c.own.shown for c in (*self.responses, *self.indices, *self.shares))

    def comparisons(self) -> list[Comparison]:
        return [*self.responses, *self.indices, *self.shares]

    def suppression_notes(self) -> list[str]:
        return [f"Röjandeskydd: {method_text(self.threshold.value)} (spärr "
                f"{self.threshold.value}: {self.threshold.source}). Alla tal är störda med samma "
                "metod, vart och ett för sig, så att delar inte summerar exakt till helheten. Ett "
                "dolt värde för gruppen visas som •; då är gruppen dold i hela rapporten."]


def _pick(table: Table, key: object, label: str) -> Comparison:
    own = next((r for r in table.rows if r.key == key), Row(key, label, hidden=HIDDEN))
    return Comparison(table.id, table.title, table.kind, own, table.total)


def group_report(engine: Engine, instrument: Instrument, selection: Selection, by: str,
                 key: object, threshold: Threshold | None = None,
                 made: date | None = None) -> GroupReport:
    """The report for one unit (by='unit', key=unit id) or municipality (key='0180')."""
    if by not in KINDS:
        raise InputRejected(_("en grupprapport gäller en enhet eller kommun, inte '{by}'")
                            .format(by=by))
    ctx = Context.open(engine, instrument, selection, threshold)
    if by == "unit" and key not in ctx.units:
        raise InputRejected(_("enheten {unit} finns inte i registret; se `ubu registry list`")
                            .format(unit=key))
    name = ctx.label(by, key)
    responses = aggregate.disposition_tables(ctx, by)
    indices = aggregate.index_tables(ctx, by)
    share = [*shares.share_tables(ctx, shares.VIOLATION_ITEM, shares.VIOLATION_YES,
                                  "Andel ungdomar som upplevt en allvarlig kränkning", (by,)),
             aggregate.breakdown_table(ctx, by)]
    # one release: hidden in one table of the report, hidden in all of them
    every = aggregate._consistent([*responses, *indices, *share])
    responses, indices, share = (every[:len(responses)],
                                 every[len(responses):len(responses) + len(indices)],
                                 every[len(responses) + len(indices):])
    from ubu_tui.results.funnel import verdict

    def compare(table: Table) -> Comparison:
        c = _pick(table, key, name)
        return Comparison(c.id, c.title, c.kind, c.own, c.everyone, verdict(table, c.own))

    return GroupReport(
        by, key, name if by == "unit" else f"Kommun {key}", selection, ctx.threshold,
        made or date.today(),
        [compare(t) for t in responses], [compare(t) for t in indices],
        [compare(t) for t in share],
        frozenset({shares.VIOLATION_ITEM + "_" + by, "breakdown"}))

