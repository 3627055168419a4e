"""Tables of figures per group, with disclosure control applied before anything is returned.

A `Table` is one measure (an item, an index, a disposition summary) over the groups of one
breakdown, plus the total. Every figure is perturbed by the cell-key method (disclosure.py);
a group under the threshold has no row at all, and a hidden total carries no figure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine

from ubu_tui.instrument.model import NONRESPONSE_BY_CODE, AnswerType, Instrument, Item
from ubu_tui.results import ptable, query
from ubu_tui.results.disclosure import (
    DEFAULT_THRESHOLD,
    HIDDEN,
    Threshold,
    hidden,
    method_text,
    published_parts,
)
from ubu_tui.results.query import DIMENSIONS, MISSING, Cell, IndexCell, Selection

TOTAL = "__total__"
SCALE_SPAN = 4.0         # items and index scores lie on the 1–5 scale


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
    hidden: str | None = None                  # disclosure.HIDDEN: no figure at all

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
        """The method in force, for the foot of every table and chart: one note for all, no
        reason per group (a reason would state a bound)."""
        return [method_text(self.threshold)]


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
    if dim.registry == "unit_type":
        # the registry's codes are the caseworker item's (checked at submission): its labels,
        # which reports and the results screen have always shown
        item_id = "cw_unit_type"
    elif dim.registry is not None:
        from ubu_tui.store.registry import REGISTRY_LABELS

        return REGISTRY_LABELS[dim.registry].get(int(key), str(key))  # type: ignore[call-overload]
    else:
        item_id = dim.item or "cw_methods"
    option = instrument.item(item_id).option(int(key))  # type: ignore[call-overload]
    return option.label if option else str(key)


# A sensitive item (y_violation) publishes its sensitive answer ("Ja") as a cell and no other
# answer code: n minus "Nej" was the yes count plus the noise of two draws, and every grid
# period and one-value filter whose cell held the youth who said yes was a fresh draw of it
# while the yes cell (the same records) stayed published as 0 everywhere; averaged, it told the
# units where a youth said yes (tests/test_pg_attack.py). The other answer is shown as n minus
# the published yes, a figure derived from published ones (sensitive_parts).
SENSITIVE_ANSWER = ptable.SENSITIVE_ANSWER


def sensitive_parts(item: Item, n: int, distribution: dict[int, int]) -> dict[int, int]:
    """A sensitive item's distribution: its sensitive answer as published, and its other
    answer (one option: a yes/no item) as the published n minus that, when above 0."""
    yes = distribution.get(SENSITIVE_ANSWER, 0)
    out = {SENSITIVE_ANSWER: yes} if yes else {}
    other = [o.code for o in item.options if o.code != SENSITIVE_ANSWER]
    if len(other) == 1 and n - yes > 0:
        out[other[0]] = n - yes
    return out


def _row_from_counts(key: object, label: str, item: Item, counts: dict[int, Cell],
                     threshold: int) -> Row:
    """A row of published figures from the cells of one group; hidden under the threshold.

    The codes draw from another stream than n (ptable.CODE_STREAM): where one code held every
    answer, its count equal to n told that no other code had one."""
    values = {c: cell for c, cell in counts.items() if c >= 0}
    n, nkey = _merge(values.values())
    n_stream, part_stream = ptable.streams(item.sensitive)
    nkey = ptable.stream(nkey, n_stream)
    if hidden(n, nkey, threshold):
        return Row(key, label, hidden=HIDDEN)
    published = ptable.count(n, nkey)
    parts = {c: (k, ptable.stream(ck, part_stream)) for c, (k, ck) in counts.items()}
    distribution = published_parts({c: cell for c, cell in parts.items() if c >= 0})
    if item.sensitive:
        distribution = sensitive_parts(item, published, distribution)
    nonresponse = {NONRESPONSE_BY_CODE[c].key: k for c, k in
                   published_parts({c: cell for c, cell in parts.items() if c < 0}).items()}
    mean = share = None
    if item.type is AnswerType.SCALE:
        total = sum(c * cell[0] for c, cell in values.items())
        # over the published count, never the true n: a mean or share divided by the true n
        # gives n away through its denominator (3.142857… can only be 22/7)
        # in the item's own stream (ptable.measure_stream): two items answered by the same
        # follow-ups published the exact difference of their sums
        mkey = ptable.stream(nkey, ptable.measure_stream(item.id))
        mean = _clip((total + ptable.sum_noise(mkey, SCALE_SPAN)) / published, 1.0, 5.0)
        share = ptable.share(sum(cell[0] for c, cell in values.items() if c >= 4), published,
                             mkey)
    # asked: n plus the published non-response parts, not a cell of its own: asked != n told
    # that someone refused or did not know where those parts, published as 0, had no row
    return Row(key, label, published, published + sum(nonresponse.values()), mean, share,
               distribution, nonresponse)


def _merge(cells: Iterable[Cell]) -> Cell:
    """The cell of several disjoint cells: counts and keys add up."""
    n = key = 0
    for c, k in cells:
        n += c
        key += k
    return n, key


def _clip(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))


def _consistent(tables: list[Table]) -> list[Table]:
    """A group hidden in one table of the set is hidden in all of them, and so is a group
    with no row in a table whose total is shown: left out only where hidden, a group kept for
    item A when item B had no answer there and dropped when B had one or two, so the set told
    "none" from "one or two" beside A's table alone (pg_functions._gone does the same)."""
    gone = {r.key for t in tables for r in t.rows if not r.shown}
    keys = {r.key for t in tables for r in t.rows if r.key is not None}
    for t in tables:
        if t.total.shown:
            gone |= keys - {r.key for r in t.rows}
    return [Table(t.id, t.title, t.by, tuple(r for r in t.rows if r.key not in gone), t.total,
                  t.threshold, t.kind) for t in tables]


@dataclass
class Context:
    engine: Engine
    instrument: Instrument
    selection: Selection
    threshold: Threshold
    units: dict[int, str]
    functions: bool = False      # figures through the PostgreSQL functions (restricted login)

    @classmethod
    def open(cls, engine: Engine, instrument: Instrument, selection: Selection,
             threshold: Threshold | None = None, functions: bool | None = None) -> Context:
        from ubu_tui.store.registry import unit_names

        if not instrument.national and selection.version != instrument.version:
            # a local version's figures are of its own records alone, never the national ones
            from dataclasses import replace

            selection = replace(selection, version=instrument.version)
        if functions is None:
            functions = query.restricted(engine)
            if functions:
                # a login: the figure functions refuse it too; this says it in reader's words
                from ubu_tui.results.periods import check_published

                check_published(selection.period_from, selection.period_to)
        return cls(engine, instrument, selection, threshold or Threshold(), unit_names(engine),
                   functions)

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
    # A restricted login may not read the records that say which versions a period holds: the
    # figure functions report the current version's items only.
    if items is None and not ctx.functions:
        apart = reported_apart(ctx.instrument, query.versions_present(ctx.engine, ctx.selection))
        wanted += [i for i, _v in apart if i.type in (AnswerType.SCALE, AnswerType.SINGLE)]
        versions = {i.id: v for i, v in apart}
    ids = [i.id for i in wanted]
    if ctx.functions:
        return _function_tables(ctx, "ubu_item_figures", by, wanted, "item")
    grouped = query.item_counts(ctx.engine, ctx.selection, by, ids) if by else {}
    if _partition(by):      # every follow-up in one group: the total is the groups' sum
        totals: dict[tuple[str, object], dict[int, Cell]] = defaultdict(dict)
        for (item_id, _grp), counts in grouped.items():
            merged = totals[(item_id, 0)]
            for code, cell in counts.items():
                merged[code] = _merge((merged.get(code, (0, 0)), cell))
    else:
        totals = query.item_counts(ctx.engine, ctx.selection, None, ids)
    by_item: dict[str, dict[object, dict[int, Cell]]] = defaultdict(dict)
    for (item_id, grp), counts in grouped.items():
        by_item[item_id][grp] = counts
    t = ctx.threshold.value
    tables = []
    for item in wanted:
        total = _row_from_counts(TOTAL, "Samtliga", item, totals.get((item.id, 0), {}), t)
        rows = tuple(_row_from_counts(k, ctx.label(by, k), item, c, t)
                     for k, c in sorted(by_item[item.id].items(),
                                        key=lambda kv: _sort_key(kv[0])))
        tables.append(Table(item.id, _title(item, versions), by, rows, total, t))
    return _consistent(tables)


def _title(item: Item, versions: dict[str, str]) -> str:
    """An older version's question reported apart says so in its title."""
    return f"{item.text} (bara {versions[item.id]})" if item.id in versions else item.text


def _partition(by: str | None) -> bool:
    """Totals can be summed from the groups: every follow-up is in exactly one."""
    return by is not None and DIMENSIONS[by].partition


def _sort_key(key: object) -> tuple[bool, str, object]:
    return (key == MISSING, type(key).__name__, key)


def _index_row(key: object, label: str, got: IndexCell | None, threshold: int,
               measure: str) -> Row:
    if not got or got[0] < DEFAULT_THRESHOLD:     # disclosure.hidden
        return Row(key, label, hidden=HIDDEN)
    n, total, high, nkey, _hkey = got
    published = ptable.count(n, nkey)
    if published < threshold:       # disclosure.hidden, with the count looked up once
        return Row(key, label, hidden=HIDDEN)
    mkey = ptable.stream(nkey, ptable.measure_stream(measure))   # as an item's (above)
    mean = _clip((ptable.exact_total(total) + ptable.sum_noise(mkey, SCALE_SPAN)) / published,
                 1.0, 5.0)
    share = ptable.share(high, published, mkey)   # over the published count, as above
    return Row(key, label, published, published, mean, share)


def index_tables(ctx: Context, by: str | None = None) -> list[Table]:
    if ctx.functions:
        return _function_tables(ctx, "ubu_index_figures", by, ctx.instrument.indices, "index")
    grouped = query.index_scores(ctx.engine, ctx.instrument, ctx.selection, by) if by else {}
    if _partition(by):
        totals: dict[tuple[str, object], IndexCell] = {}
        for (ix_id, _grp), cell in grouped.items():
            was = totals.get((ix_id, 0), (0, 0.0, 0, 0, 0))
            totals[(ix_id, 0)] = tuple(a + b for a, b in zip(was, cell, strict=True)
                                       )  # type: ignore[assignment]
    else:
        totals = query.index_scores(ctx.engine, ctx.instrument, ctx.selection, None)
    t = ctx.threshold.value
    keys_of: dict[str, list[object]] = defaultdict(list)     # one pass, not one per index
    for i, k in grouped:
        keys_of[i].append(k)
    labels = {k: ctx.label(by, k) for keys in keys_of.values() for k in keys}
    tables = []
    for ix in ctx.instrument.indices:
        total = _index_row(TOTAL, "Samtliga", totals.get((ix.id, 0)), t, ix.id)
        keys = _sorted(keys_of[ix.id])
        rows = tuple(_index_row(k, labels[k], grouped[(ix.id, k)], t, ix.id) for k in keys)
        tables.append(Table(ix.id, ix.label, by, rows, total, t, kind="index"))
    return _consistent(tables)


RESPONDED = ("completed", "broke_off")
NOT_ASKED = "not_eligible"      # the youth form is not asked outside ages 12–21


def disposition_tables(ctx: Context, by: str | None = None) -> list[Table]:
    """Per respondent type: dispositions and the response rate (completed or broken off).

    The rate is of the parts that were to be asked: a child under 12 (or over 21) is never
    asked the youth form, so counting them would make the youth rate look worse than it is.
    The row's `n` is every part (the follow-ups), `asked` those that were to be asked; a rate
    whose own base is under the threshold is not given (it would say how the few answered).
    """
    if ctx.functions:
        return _function_dispositions(ctx, by)
    grouped = query.dispositions(ctx.engine, ctx.selection, by) if by else {}
    totals = query.dispositions(ctx.engine, ctx.selection, None)
    t = ctx.threshold.value
    titles = {"youth": "Ungdomen", "guardian": "Förälder/vårdnadshavare",
              "caseworker": "Handläggaren"}
    tables = []

    def row(respondent: str, key: object, label: str, counts: dict[str, Cell]) -> Row:
        n, nkey = _merge(counts.values())
        if hidden(n, nkey, t):
            return Row(key, label, hidden=HIDDEN)
        published = ptable.count(n, nkey)
        en, ekey = _merge(cell for d, cell in counts.items() if d != NOT_ASKED)
        # The dispositions draw from a stream of their own (ptable.DISPOSITION_STREAM): in
        # one stream "completed" equal to n said that every one answered. The base is n
        # minus the published not-eligible part, not a cell of its own: drawn apart (0170's
        # ASKED_STREAM) it was a third draw of the same follow-ups' count in every call (n,
        # "completed" and the base), and in n's stream, equal to n, it said that no child
        # outside 12-21 was among them, which the part's missing row is there to hide.
        parts = published_parts({d: (k, ptable.stream(ck, ptable.DISPOSITION_STREAM))
                                 for d, (k, ck) in counts.items()})
        base = max(0, published - parts.get(NOT_ASKED, 0))
        answered = sum(counts[d][0] for d in RESPONDED if d in counts)
        # the rate's noise in its respondent's stream: two respondents asked at the same
        # follow-ups published the exact difference of their answered counts
        rate = None if en < DEFAULT_THRESHOLD or base < t else ptable.share(
            answered, base, ptable.stream(ekey, ptable.measure_stream(f"rate.{respondent}")))
        return Row(key, label, published, base, None, rate, None, parts)

    for respondent, title in titles.items():
        total = row(respondent, TOTAL, "Samtliga", totals.get((respondent, 0), {}))
        keys = _sorted([k for (r, k) in grouped if r == respondent])
        rows = tuple(row(respondent, k, ctx.label(by, k), grouped[(respondent, k)])
                     for k in keys)
        tables.append(Table(f"response_{respondent}", f"Svarsfrekvens: {title}", by, rows,
                            total, t, kind="disposition"))
    return _consistent(tables)


def breakdown_table(ctx: Context, by: str | None = "unit_type") -> Table:
    """Share of placements that ended in breakdown (caseworker item cw_end, codes 2–5)."""
    table = item_tables(ctx, by, ["cw_end"])[0]

    def share(r: Row) -> Row:
        if not r.shown or not r.n:
            return r
        # The published code counts: a share of perturbed counts, never of exact ones.
        broke = sum(k for c, k in (r.distribution or {}).items() if c >= 2)
        whole = sum((r.distribution or {}).values())
        return Row(r.key, r.label, r.n, r.asked, None, broke / whole if whole else None,
                   r.distribution, r.nonresponse)

    return Table("breakdown", "Andel placeringar som slutade i sammanbrott", by,
                 tuple(share(r) for r in table.rows), share(table.total), table.threshold,
                 kind="share")


def share_tables(ctx: Context, by: str | None = None) -> list[Table]:
    """The instrument's declared shares (2026.2: who report a serious violation), each the share
    of substantive answers with its codes, shown for exactly the groups of the item's own table.

    The share is computed from the item table's published counts only (the counts of the codes
    over the published n), so it discloses nothing those counts do not, and a restricted login
    (through the figure functions, where no exact count is readable) gets the same figure as
    the owner. A share by the cell-key method's own noise would need a figure function of its
    own: see the closing note.
    """
    from dataclasses import replace

    shares = list(ctx.instrument.shares)
    if not shares:
        return []
    tables = {t.id: t for t in item_tables(ctx, by, [sh.item for sh in shares])}
    out = []
    for sh in shares:
        table = tables[sh.item]

        def share(r: Row, codes: frozenset[int] = sh.codes) -> Row:
            if not r.shown or not r.n:
                return r
            hit = sum(k for c, k in (r.distribution or {}).items() if c in codes)
            return replace(r, mean=None, share_high=min(1.0, hit / r.n))

        out.append(Table(f"share.{sh.id}", sh.label, by, tuple(share(r) for r in table.rows),
                         share(table.total), table.threshold, kind="share"))
    return out


# --- the same tables from the PostgreSQL figure functions (results/pg_functions.py) ---------

def _group_key(by: str | None, grp: str) -> object:
    if grp == TOTAL:
        return TOTAL
    return grp if by == "municipality" else int(grp)


def _function_tables(ctx: Context, function: str, by: str | None, measures: Iterable,
                     kind: str) -> list[Table]:
    """Tables built from what a figure function published; no exact figure is ever read."""
    measures = list(measures)
    t = ctx.threshold.value
    rows = query.figures(ctx.engine, function, ctx.selection, by, t,
                         [m.id for m in measures])
    summary: dict[tuple[str, object], tuple] = {}
    codes: dict[tuple[str, object], dict[int, int]] = defaultdict(dict)
    # per measure, its groups; labels once per group: the unit comparison publishes some
    # 15 000 rows, and scanning every row per measure and labelling each unit once per index
    # was a fifth of the client's time
    groups: dict[str, list[object]] = defaultdict(list)
    labels: dict[object, str] = {}
    for mid, grp, code, n, asked, mean, share in rows:
        key = _group_key(by, grp)
        if code is None:
            summary[(mid, key)] = (n, asked, mean, share)
            if key != TOTAL:
                groups[mid].append(key)
                if key not in labels:
                    labels[key] = ctx.label(by, key)
        else:
            codes[(mid, key)][int(code)] = int(n)
    tables = []
    order: dict[tuple[object, ...], list[object]] = {}
    for m in measures:
        scale = kind == "index" or m.type is AnswerType.SCALE

        def row(key: object, label: str, m_id: str = m.id, scale: bool = scale,
                measure: Any = m) -> Row:
            got = summary.get((m_id, key))
            if got is None or got[0] is None:
                return Row(key, label, hidden=HIDDEN)
            n, asked, mean, share = got
            if kind == "index":
                return Row(key, label, n, n, mean, share)
            counts = codes.get((m_id, key), {})
            answers = {c: k for c, k in counts.items() if c >= 0}
            if measure.sensitive:      # the function publishes the sensitive answer only
                answers = sensitive_parts(measure, n, answers)
            return Row(key, label, n, asked, mean if scale else None,
                       share if scale else None, answers,
                       {NONRESPONSE_BY_CODE[c].key: k for c, k in counts.items() if c < 0})

        mine = tuple(groups.get(m.id, ()))
        if mine not in order:       # the measures of a call mostly share their groups
            order[mine] = _sorted(list(mine))
        title = m.label if kind == "index" else m.text
        tables.append(Table(m.id, title, by, tuple(row(k, labels[k]) for k in order[mine]),
                            row(TOTAL, "Samtliga"), t, kind=kind))
    return tables


def _function_dispositions(ctx: Context, by: str | None) -> list[Table]:
    t = ctx.threshold.value
    from ubu_tui.results.pg_functions import ASKED_ROW

    summary: dict[tuple[str, object], tuple] = {}
    counts: dict[tuple[str, object], dict[str, int]] = defaultdict(dict)
    for resp, grp, disposition, n, rate in query.disposition_figures(
            ctx.engine, ctx.selection, by, t):
        key = _group_key(by, grp)
        if disposition is None:
            summary[(resp, key)] = (n, rate)
        else:
            counts[(resp, key)][disposition] = int(n)
    titles = {"youth": "Ungdomen", "guardian": "Förälder/vårdnadshavare",
              "caseworker": "Handläggaren"}

    def row(resp: str, key: object, label: str) -> Row:
        got = summary.get((resp, key))
        if got is None or got[0] is None:
            return Row(key, label, hidden=HIDDEN)
        own = dict(counts[(resp, key)])
        asked = own.pop(ASKED_ROW, got[0])
        return Row(key, label, got[0], asked, None, got[1], None, own)

    return [Table(f"response_{resp}", f"Svarsfrekvens: {title}", by,
                  tuple(row(resp, k, ctx.label(by, k))
                        for k in _sorted([k for (r, k) in summary if r == resp and k != TOTAL])),
                  row(resp, TOTAL, "Samtliga"), t, kind="disposition") for resp, title in
            titles.items()]


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
                   Row(unit_id, ctx.label("unit", unit_id), hidden=HIDDEN))
        lines.append(ProfileLine(table.title, row, table.total))
    return lines
