"""Tables of figures per group, with disclosure control applied before anything is returned.

A `Table` is one measure (an item, an index, a disposition summary) over the groups of one
breakdown, plus the total. A hidden row carries its label and the reason, never a figure.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from ubu_tui.instrument.model import NONRESPONSE_BY_CODE, AnswerType, Instrument, Item
from ubu_tui.results import query
from ubu_tui.results.disclosure import REASONS, Threshold, revealing, small, suppress
from ubu_tui.results.query import DIMENSIONS, MISSING, Selection

TOTAL = "__total__"


@dataclass(frozen=True)
class Row:
    key: object
    label: str
    n: int | None = None                       # follow-ups behind the figures
    asked: int | None = None                   # n plus those coded as non-response
    mean: float | None = None                  # 1–5 scales and indices
    share_high: float | None = None            # share answering 4 or 5 (index: scoring ≥ 4)
    distribution: dict[int, int] | None = None     # counts per option code
    nonresponse: dict[str, int] | None = None      # refused / dont_know / not_applicable
    hidden: str | None = None                  # reason key from disclosure.REASONS

    @property
    def shown(self) -> bool:
        return self.hidden is None


@dataclass(frozen=True)
class Table:
    id: str
    title: str
    by: str | None
    rows: tuple[Row, ...]
    total: Row
    threshold: int
    kind: str = "item"                          # item / index / share / disposition

    def notes(self) -> list[str]:
        """What was suppressed and why, for the foot of every table and chart."""
        hidden = [r for r in (*self.rows, self.total) if r.hidden]
        return [f"{r.label}: " + REASONS[r.hidden].format(t=self.threshold)  # type: ignore[index]
                for r in hidden]


def group_label(dim_id: str | None, key: object, instrument: Instrument,
                units: dict[int, str]) -> str:
    if dim_id is None or key == TOTAL:
        return "Samtliga"
    if key == MISSING or key is None:
        return "Uppgift saknas"
    if dim_id == "unit":
        return units.get(int(key), f"Enhet {key}")  # type: ignore[call-overload]
    if dim_id == "municipality":
        return f"Kommun {key}"
    if dim_id == "age_band":
        return query.AGE_BAND_LABELS.get(int(key), str(key))  # type: ignore[call-overload]
    if dim_id == "breakdown":
        return query.BREAKDOWN_LABELS.get(int(key), str(key))  # type: ignore[call-overload]
    dim = DIMENSIONS[dim_id]
    item_id = dim.item or "cw_methods"
    option = instrument.item(item_id).option(int(key))  # type: ignore[call-overload]
    return option.label if option else str(key)


def _row_from_counts(key: object, label: str, item: Item, counts: dict[int, int]) -> Row:
    values = {c: n for c, n in counts.items() if c >= 0}
    n = sum(values.values())
    nonresponse = {NONRESPONSE_BY_CODE[c].key: k for c, k in counts.items() if c < 0}
    mean = share = None
    if n and item.type is AnswerType.SCALE:
        mean = sum(c * k for c, k in values.items()) / n
        share = sum(k for c, k in values.items() if c >= 4) / n
    return Row(key, label, n, n + sum(nonresponse.values()), mean, share, values, nonresponse)


def _hide(row: Row, reason: str) -> Row:
    return Row(row.key, row.label, hidden=reason)


def _apply(rows: dict[object, Row], total: Row, threshold: int, *, partition: bool,
           complement: dict[object, tuple[int, ...]] | None,
           total_complement: tuple[int, ...] | None) -> tuple[
               tuple[Row, ...], Row]:
    def counts(r: Row) -> tuple[int, int]:
        return (r.asked if r.asked is not None else r.n or 0, r.n or 0)

    ns = {k: counts(r) for k, r in rows.items()}
    hidden = suppress(ns, threshold, partition=partition, total=counts(total),
                      complement=complement)
    out = tuple(_hide(r, hidden[k]) if k in hidden else r for k, r in rows.items())
    if any(small(c, threshold) for c in counts(total)):
        total = _hide(total, "primary")
    elif partition and revealing(ns, hidden, threshold):
        total = _hide(total, "secondary")     # no shown group was left to hide instead
    elif total_complement is not None and any(small(c, threshold) for c in total_complement):
        total = _hide(total, "complement")
    return out, total


@dataclass
class Context:
    engine: Engine
    instrument: Instrument
    selection: Selection
    threshold: Threshold
    units: dict[int, str]

    @classmethod
    def open(cls, engine: Engine, instrument: Instrument, selection: Selection,
             threshold: Threshold | None = None) -> Context:
        from ubu_tui.store.registry import unit_names

        return cls(engine, instrument, selection, threshold or Threshold(), unit_names(engine))

    def label(self, by: str | None, key: object) -> str:
        return group_label(by, key, self.instrument, self.units)


def _sorted(keys: list[object]) -> list[object]:
    return sorted(keys, key=lambda k: (k == MISSING, str(type(k)), k))  # type: ignore[arg-type]


def item_tables(ctx: Context, by: str | None = None,
                items: list[str] | None = None) -> list[Table]:
    """One table per single-choice or scale item (all of them unless `items` names some).

    Items of other versions in the selection that the mapping does not combine with this
    version's are reported apart, after these, titled with their version.
    """
    from ubu_tui.instrument.versions import reported_apart

    wanted = [i for i in ctx.instrument.items.values()
              if i.type in (AnswerType.SCALE, AnswerType.SINGLE)
              and (items is None or i.id in items)]
    versions: dict[str, str] = {}
    if items is None:
        apart = reported_apart(ctx.instrument, query.versions_present(ctx.engine, ctx.selection))
        wanted += [i for i, _v in apart if i.type in (AnswerType.SCALE, AnswerType.SINGLE)]
        versions = {i.id: v for i, v in apart}
    ids = [i.id for i in wanted]
    grouped = query.item_counts(ctx.engine, ctx.selection, by, ids) if by else {}
    if _partition(by):
        totals: dict[tuple[str, object], dict[int, int]] = defaultdict(dict)
        for (item_id, _grp), counts in grouped.items():
            merged = totals[(item_id, 0)]
            for code, n in counts.items():
                merged[code] = merged.get(code, 0) + n
    else:
        totals = query.item_counts(ctx.engine, ctx.selection, None, ids)
    outside_total: dict[tuple[str, object], dict[int, int]] = {}
    outside: dict[tuple[str, object], dict[int, int]] = {}
    if ctx.selection.filtered:
        whole = ctx.selection.without_filters()
        outside_total = query.item_counts(ctx.engine, whole, None, ids)
        if by:
            outside = query.item_counts(ctx.engine, whole, by, ids)
    by_item: dict[str, dict[object, dict[int, int]]] = defaultdict(dict)
    for (item_id, grp), counts in grouped.items():
        by_item[item_id][grp] = counts
    tables = []
    dim = DIMENSIONS[by] if by else None
    t = ctx.threshold.value
    for item in wanted:
        total = _row_from_counts(TOTAL, "Samtliga", item, totals.get((item.id, 0), {}))
        rows = {k: _row_from_counts(k, ctx.label(by, k), item, c)
                for k, c in sorted(by_item[item.id].items(),
                                   key=lambda kv: _sort_key(kv[0]))}
        complement: dict[object, tuple[int, ...]] | None = None
        total_complement = None
        if ctx.selection.filtered:
            total_complement = _minus(outside_total.get((item.id, 0), {}), total)
            complement = {k: _minus(outside.get((item.id, k), {}), r) for k, r in rows.items()}
        shown, total = _apply(rows, total, t, partition=dim.partition if dim else True,
                              complement=complement, total_complement=total_complement)
        title = f"{item.text} (bara {versions[item.id]})" if item.id in versions else item.text
        tables.append(Table(item.id, title, by, shown, total, t))
    return tables


def _minus(whole: dict[int, int], part: Row) -> tuple[int, int]:
    """(asked, answered) outside the filter: the whole selection minus the filtered part."""
    answered = sum(n for c, n in whole.items() if c >= 0)
    return (sum(whole.values()) - (part.asked or 0), answered - (part.n or 0))


def _partition(by: str | None) -> bool:
    """Totals can be summed from the groups: every follow-up is in exactly one."""
    return by is not None and DIMENSIONS[by].partition


def _sort_key(key: object) -> tuple[bool, str, object]:
    return (key == MISSING, type(key).__name__, key)


def index_tables(ctx: Context, by: str | None = None) -> list[Table]:
    grouped = query.index_scores(ctx.engine, ctx.instrument, ctx.selection, by) if by else {}
    if _partition(by):
        totals: dict[tuple[str, object], tuple[int, float, int]] = {}
        for (ix_id, _grp), (n, s, high) in grouped.items():
            was = totals.get((ix_id, 0), (0, 0.0, 0))
            totals[(ix_id, 0)] = (was[0] + n, was[1] + s, was[2] + high)
    else:
        totals = query.index_scores(ctx.engine, ctx.instrument, ctx.selection, None)
    outside_total: dict[tuple[str, object], tuple[int, float, int]] = {}
    outside: dict[tuple[str, object], tuple[int, float, int]] = {}
    if ctx.selection.filtered:
        whole = ctx.selection.without_filters()
        outside_total = query.index_scores(ctx.engine, ctx.instrument, whole, None)
        if by:
            outside = query.index_scores(ctx.engine, ctx.instrument, whole, by)
    dim = DIMENSIONS[by] if by else None
    t = ctx.threshold.value
    tables = []
    for ix in ctx.instrument.indices:
        def row(key: object, label: str, got: tuple[int, float, int] | None) -> Row:
            if not got or not got[0]:
                return Row(key, label, 0)
            n, total, high = got
            return Row(key, label, n, n, total / n, high / n)

        total = row(TOTAL, "Samtliga", totals.get((ix.id, 0)))
        keys = _sorted([k for (i, k) in grouped if i == ix.id])
        rows = {k: row(k, ctx.label(by, k), grouped[(ix.id, k)]) for k in keys}
        complement: dict[object, tuple[int, ...]] | None = None
        total_complement = None
        if ctx.selection.filtered:
            total_complement = (outside_total.get((ix.id, 0), (0, 0, 0))[0] - (total.n or 0),)
            complement = {k: (outside.get((ix.id, k), (0, 0, 0))[0] - (r.n or 0),)
                          for k, r in rows.items()}
        shown, total = _apply(rows, total, t, partition=dim.partition if dim else True,
                              complement=complement, total_complement=total_complement)
        tables.append(Table(ix.id, ix.label, by, shown, total, t, kind="index"))
    return tables


RESPONDED = ("completed", "broke_off")


def disposition_tables(ctx: Context, by: str | None = None) -> list[Table]:
    """Per respondent type: dispositions and the response rate (completed or broken off)."""
    grouped = query.dispositions(ctx.engine, ctx.selection, by) if by else {}
    totals = query.dispositions(ctx.engine, ctx.selection, None)
    dim = DIMENSIONS[by] if by else None
    t = ctx.threshold.value
    titles = {"youth": "Ungdomen", "guardian": "Förälder/vårdnadshavare",
              "caseworker": "Handläggaren"}
    tables = []

    def row(key: object, label: str, counts: dict[str, int]) -> Row:
        n = sum(counts.values())
        rate = sum(counts.get(d, 0) for d in RESPONDED) / n if n else None
        return Row(key, label, n, n, None, rate, None, dict(counts))

    for respondent, title in titles.items():
        total = row(TOTAL, "Samtliga", totals.get((respondent, 0), {}))
        keys = _sorted([k for (r, k) in grouped if r == respondent])
        rows = {k: row(k, ctx.label(by, k), grouped[(respondent, k)]) for k in keys}
        shown, total = _apply(rows, total, t, partition=dim.partition if dim else True,
                              complement=None, total_complement=None)
        tables.append(Table(f"response_{respondent}", f"Svarsfrekvens: {title}", by, shown,
                            total, t, kind="disposition"))
    return tables


def breakdown_table(ctx: Context, by: str | None = "unit_type") -> Table:
    """Share of placements that ended in breakdown (caseworker item cw_end, codes 2–5)."""
    table = item_tables(ctx, by, ["cw_end"])[0]

    def share(r: Row) -> Row:
        if not r.shown or not r.n:
            return r
        broke = sum(k for c, k in (r.distribution or {}).items() if c >= 2)
        return Row(r.key, r.label, r.n, r.asked, None, broke / r.n, r.distribution,
                   r.nonresponse)

    return Table("breakdown", "Andel placeringar som slutade i sammanbrott", by,
                 tuple(share(r) for r in table.rows), share(table.total), table.threshold,
                 kind="share")


def share_tables(ctx: Context, by: str | None = None) -> list[Table]:
    """The instrument's declared shares (2026.2: who report a serious violation), each the share
    of substantive answers with its codes, suppressed exactly as the item's own table."""
    shares = [sh for sh in ctx.instrument.shares]
    tables = {t.id: t for t in item_tables(ctx, by, [sh.item for sh in shares])} if shares else {}
    out = []
    for sh in shares:
        table = tables[sh.item]

        def share(r: Row, codes: frozenset[int] = sh.codes) -> Row:
            if not r.shown or not r.n:
                return r
            hit = sum(k for c, k in (r.distribution or {}).items() if c in codes)
            return Row(r.key, r.label, r.n, r.asked, None, hit / r.n, r.distribution,
                       r.nonresponse)

        out.append(Table(f"share.{sh.id}", sh.label, by, tuple(share(r) for r in table.rows),
                         share(table.total), table.threshold, kind="share"))
    return out


@dataclass(frozen=True)
class ProfileLine:
    title: str
    unit: Row          # hidden when the unit's own figure is suppressed
    everyone: Row      # all units together


def unit_profile(ctx: Context, unit_id: int) -> list[ProfileLine]:
    """One unit's index scores beside all units', suppressed exactly as in the unit table."""
    lines = []
    for table in index_tables(ctx, "unit"):
        row = next((r for r in table.rows if r.key == unit_id),
                   Row(unit_id, ctx.label("unit", unit_id), 0))
        lines.append(ProfileLine(table.title, row, table.total))
    return lines
