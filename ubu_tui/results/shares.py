"""Distributions and shares for the items that have no mean, and index figures per respondent.

Single-choice and yes/no items are read as the share of each option; the serious-violation
item as the share answering yes, per unit type, municipality and unit; the methods item as the
share of follow-ups where each method was used and how often it was applied as intended. All of
it is built from the published (perturbed) cells of results/aggregate.py and hidden by the same
rule, so nothing here publishes a figure the standard tables would not.
"""

from __future__ import annotations

from ubu_tui.instrument.model import APPLIED, AnswerType, Item
from ubu_tui.results import aggregate, ptable, query, split_query
from ubu_tui.results.aggregate import TOTAL, Context, Row, Table, _clip, _merge, _sorted
from ubu_tui.results.disclosure import HIDDEN, hidden, published_parts
from ubu_tui.results.query import Cell
from ubu_tui.results.trend import Trend

RESPONDENT_TITLES = {"youth": "Ungdomen", "guardian": "Förälder/vårdnadshavare",
                     "caseworker": "Handläggaren"}
VIOLATION_ITEM = "y_violation"
VIOLATION_YES = frozenset({1})
METHODS_ITEM = "cw_methods"
VIOLATION_BREAKDOWNS = ("unit_type", "municipality", "unit")


def choice_items(ctx: Context) -> list[Item]:
    return [i for i in ctx.instrument.items.values() if i.type is AnswerType.SINGLE]


def distribution_table(table: Table, item: Item) -> Table:
    """One row per option of a single-choice item: its published count and share of answers.

    Shares are of the sum of the published option counts, so that they add up to 100 %."""
    total = table.total
    if not total.shown:
        return Table(table.id, table.title, None, (), total, table.threshold, "distribution")
    dist = total.distribution or {}
    whole = sum(dist.values())
    rows = tuple(Row(o.code, o.label, dist.get(o.code, 0), total.asked, None,
                     dist.get(o.code, 0) / whole if whole else None) for o in item.options)
    return Table(table.id, table.title, None, rows,
                 Row(TOTAL, "Samtliga", total.n, total.asked, None, 1.0 if whole else None,
                     dist, total.nonresponse), table.threshold, "distribution")


def distribution_tables(ctx: Context) -> list[Table]:
    """Every single-choice and yes/no item, all units together."""
    wanted = {i.id: i for i in choice_items(ctx)}
    return [distribution_table(t, wanted[t.id])
            for t in aggregate.item_tables(ctx, None, list(wanted))]


NO_REASON = 0      # a decline without a recorded reason (versions before 2026.2)


def decline_tables(ctx: Context) -> list[Table]:
    """Why respondents declined, per respondent whose form lists reasons: each reason's
    published count and share of the declines, as a single-choice item's distribution.

    The total is the declined parts, the same cell (same records, same key) as the "declined"
    count of the response table, so the two publish the same number; each reason is a cell of
    its own, perturbed by the same method from the stream of an item's codes (a reason's
    count equal to the total told that no other reason was given: ptable.CODE_STREAM), and a
    hidden total hides the reasons with it.
    """
    t = ctx.threshold.value
    if ctx.functions:        # published by ubu_decline_figures from the same cells
        return _function_declines(ctx)
    cells = query.declines(ctx.engine, ctx.selection)
    out = []
    for respondent, form in ctx.instrument.forms.items():
        if not form.decline_reasons:
            continue
        labels = {r.code: r.label for r in form.decline_reasons}
        mine = {code: cell for (who, code), cell in cells.items() if who == respondent}
        if NO_REASON in mine:
            labels[NO_REASON] = "Skäl inte registrerat (före 2026.2)"
        n, key = _merge(mine.values())
        key = ptable.stream(key, ptable.DISPOSITION_STREAM)    # as the "declined" part
        title = f"Skäl att avböja: {RESPONDENT_TITLES[respondent]}"
        table_id = f"decline_{respondent}"
        if hidden(n, key, t):
            total = Row(TOTAL, "Samtliga", hidden=HIDDEN)
            out.append(Table(table_id, title, None, (), total, t, "distribution"))
            continue
        counts = published_parts({code: (k, ptable.stream(ck, ptable.CODE_STREAM))
                                  for code, (k, ck) in mine.items()})
        out.append(_decline_table(respondent, title, labels, ptable.count(n, key), counts, t))
    return out


def _function_declines(ctx: Context) -> list[Table]:
    t = ctx.threshold.value
    wanted = [r for r, f in ctx.instrument.forms.items() if f.decline_reasons]
    summary: dict[str, int | None] = {}
    codes: dict[str, dict[int, int]] = {}
    for mid, _grp, code, n, _asked, _mean, _share in query.figures(
            ctx.engine, "ubu_decline_figures", ctx.selection, None, t,
            [f"decline.{r}" for r in wanted]):
        who = str(mid).removeprefix("decline.")
        if code is None:
            summary[who] = n
        else:
            codes.setdefault(who, {})[int(code)] = int(n)
    out = []
    for respondent in wanted:
        form = ctx.instrument.forms[respondent]
        title = f"Skäl att avböja: {RESPONDENT_TITLES[respondent]}"
        n = summary.get(respondent)
        if n is None:
            out.append(Table(f"decline_{respondent}", title, None, (),
                             Row(TOTAL, "Samtliga", hidden=HIDDEN), t, "distribution"))
            continue
        counts = codes.get(respondent, {})
        labels = {r.code: r.label for r in form.decline_reasons}
        if NO_REASON in counts:
            labels[NO_REASON] = "Skäl inte registrerat (före 2026.2)"
        out.append(_decline_table(respondent, title, labels, n, counts, t))
    return out


def _decline_table(respondent: str, title: str, labels: dict[int, str], n: int,
                   counts: dict[int, int], t: int) -> Table:
    whole = sum(counts.values())
    rows = tuple(Row(code, label, counts.get(code, 0), None, None,
                     counts.get(code, 0) / whole if whole else None)
                 for code, label in labels.items())
    total = Row(TOTAL, "Samtliga", n, None, None, 1.0 if whole else None, counts)
    return Table(f"decline_{respondent}", title, None, rows, total, t, "distribution")


def _share_row(r: Row, codes: frozenset[int]) -> Row:
    if not r.shown or not r.n:
        return r
    # A share of published code counts, never of exact ones.
    part = sum(k for c, k in (r.distribution or {}).items() if c in codes)
    whole = sum((r.distribution or {}).values())
    return Row(r.key, r.label, r.n, r.asked, None, part / whole if whole else None,
               r.distribution, r.nonresponse)


def share_tables(ctx: Context, item_id: str, codes: frozenset[int], title: str,
                 breakdowns: tuple[str, ...]) -> list[Table]:
    """The share answering one of `codes`, per group of each breakdown (with the total)."""
    out = []
    for by in breakdowns:
        table = aggregate.item_tables(ctx, by, [item_id])[0]
        out.append(Table(f"{item_id}_{by}", title, by,
                         tuple(_share_row(r, codes) for r in table.rows),
                         _share_row(table.total, codes), table.threshold, kind="share"))
    return out


def violation_tables(ctx: Context) -> list[Table]:
    """Share of young people who answered yes to the serious-violation item."""
    return share_tables(ctx, VIOLATION_ITEM, VIOLATION_YES,
                        "Andel ungdomar som upplevt en allvarlig kränkning",
                        VIOLATION_BREAKDOWNS)


def method_table(ctx: Context, item_id: str = METHODS_ITEM) -> Table | None:
    """Per method: the share of follow-ups where it was used (of those where the caseworker
    answered the item) and, in `distribution`, how often it was applied as intended."""
    item = ctx.instrument.item(item_id)
    t = ctx.threshold.value
    if ctx.functions:      # ubu_item_figures and ubu_method_figures (schema 0093)
        return _function_method_table(ctx, item)
    # item_tables leaves multiple-choice items out; the answered count comes the same way
    answered = query.item_counts(ctx.engine, ctx.selection, None, [item_id])
    base_row = aggregate._row_from_counts(TOTAL, "Samtliga", item,
                                          answered.get((item_id, 0), {}), t)
    counts = split_query.method_counts(ctx.engine, ctx.selection, item_id)
    rows = []
    for option in item.options:
        cells: dict[int, Cell] = counts.get((option.code, 0), {})
        n, key = _merge(cells.values())
        if not base_row.shown or hidden(n, key, t):
            continue        # hidden and absent look the same, as in every table
        used = ptable.count(n, key)
        rows.append(Row(option.code, option.label, used, base_row.n, None,
                        _clip(used / base_row.n, 0.0, 1.0) if base_row.n else None,
                        published_parts({a: cells[a] for a in APPLIED if a in cells})))
    return Table(item_id, "Metoder som användes", None, tuple(rows),
                 Row(TOTAL, "Samtliga", base_row.n, base_row.asked, None, None,
                     hidden=base_row.hidden), t, kind="method")


def _function_method_table(ctx: Context, item: Item) -> Table:
    """method_table from what the figure functions publish: the item's published total as
    the base, each shown method's published count and its applied-as-intended counts."""
    from collections import defaultdict

    t = ctx.threshold.value
    base_row = aggregate._function_tables(ctx, "ubu_item_figures", None, [item], "item")[0].total
    dim, values = query._function_args(ctx.selection)
    used: dict[int, int] = {}
    applied: dict[int, dict[int, int]] = defaultdict(dict)
    for method, app, n in query._run(
            ctx.engine, "SELECT * FROM public.ubu_method_figures(:pf, :pt, :t, :item, :fd, "
                        ":fv)", {"pf": ctx.selection.period_from, "pt": ctx.selection.period_to,
                                 "t": t, "item": item.id, "fd": dim, "fv": values}, []):
        if app is None:
            used[int(method)] = int(n)
        else:
            applied[int(method)][int(app)] = int(n)
    rows = []
    for option in item.options:
        if not base_row.shown or option.code not in used:
            continue
        n = used[option.code]
        rows.append(Row(option.code, option.label, n, base_row.n, None,
                        _clip(n / base_row.n, 0.0, 1.0) if base_row.n else None,
                        {a: k for a, k in applied[option.code].items() if a in APPLIED}))
    return Table(item.id, "Metoder som användes", None, tuple(rows),
                 Row(TOTAL, "Samtliga", base_row.n, base_row.asked, None, None,
                     hidden=base_row.hidden), t, kind="method")


def applied_share(row: Row) -> float | None:
    """Share of a method's uses applied as intended, of those where it is known."""
    dist = row.distribution or {}
    whole = sum(dist.values())
    return dist.get(1, 0) / whole if whole else None


def respondent_index_tables(ctx: Context, by: str | None = None) -> list[Table]:
    """Every main index split by respondent: one table per index and respondent that has
    items in it, the groups of `by` as rows; consistent with each other as any set of tables is.

    Each part is scored when a record is stored (Instrument.scored_indices, schema 0092), so
    the figures come from the kept sums like any index's, and through ubu_index_figures for a
    login that may not read records: the same figures, the same disclosure control."""
    parts = ctx.instrument.respondent_indices()
    if not parts:
        return []
    if ctx.functions:
        got = {t.id: t for t in aggregate._function_tables(
            ctx, "ubu_index_figures", by, [part for _ix, _r, part in parts], "index")}
        tables = [Table(f"{ix.id}@{resp}", f"{ix.label} – {RESPONDENT_TITLES[resp]}", by,
                        got[part.id].rows, got[part.id].total, got[part.id].threshold,
                        kind="index") for ix, resp, part in parts]
        return aggregate._consistent(tables)
    ids = [part.id for _ix, _r, part in parts]
    grouped = query.index_scores(ctx.engine, ctx.instrument, ctx.selection, by, ids) \
        if by is not None else {}
    totals = query.index_scores(ctx.engine, ctx.instrument, ctx.selection, None, ids)
    keys_of: dict[str, list[object]] = {i: [] for i in ids}
    for i, k in grouped:
        keys_of[i].append(k)
    t = ctx.threshold.value
    tables = []
    for ix, resp, part in parts:
        total = aggregate._index_row(TOTAL, "Samtliga", totals.get((part.id, 0)), t, part.id)
        rows = tuple(aggregate._index_row(k, ctx.label(by, k), grouped[(part.id, k)], t,
                                          part.id)
                     for k in _sorted(keys_of[part.id]))
        tables.append(Table(f"{ix.id}@{resp}", f"{ix.label} – {RESPONDENT_TITLES[resp]}", by,
                            rows, total, t, kind="index"))
    return aggregate._consistent(tables)


def as_share(trend: Trend, codes: frozenset[int], title: str) -> Trend:
    """A trend of a choice item read as the share answering one of `codes`."""

    def table(t: Table) -> Table:
        return Table(t.id, title, t.by, tuple(_share_row(r, codes) for r in t.rows),
                     _share_row(t.total, codes), t.threshold, kind="share")

    return Trend(trend.id, title, trend.grain, table(trend.current), table(trend.previous))
