"""Grouped counts computed in the database: the only code that reads submitted records.

Every function returns counts per group, never a row per follow-up, each with its cell key: the
sum of the record keys of the follow-ups counted (see results/ptable.py), from which the
results layer perturbs the figure. The SQL is plain enough for SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Engine

from ubu_tui.errors import InputRejected
from ubu_tui.instrument.model import Instrument
from ubu_tui.store.engine import explain

# Background variables: how a follow-up is placed in a group. `item` dimensions read the
# caseworker's coded answer; `partition` says whether every follow-up is in exactly one group.


@dataclass(frozen=True)
class Dimension:
    id: str
    label: str
    item: str | None = None         # the caseworker item holding it, if any
    expr: str = "bg.code"           # SQL for the group key; `bg` is the item's answer row
    partition: bool = True


AGE_BAND = ("CASE WHEN bg.outcome <> 'value' THEN -1 WHEN bg.code < 15 THEN 1 "
            "WHEN bg.code < 18 THEN 2 ELSE 3 END")
BREAKDOWN = ("CASE WHEN bg.outcome <> 'value' THEN -1 WHEN bg.code = 1 THEN 1 "
             "WHEN bg.code BETWEEN 2 AND 5 THEN 2 ELSE -1 END")
VALUE = "CASE WHEN bg.outcome = 'value' THEN bg.code ELSE -1 END"

DIMENSIONS: dict[str, Dimension] = {d.id: d for d in (
    Dimension("unit", "Enhet", expr="s.unit_id"),
    Dimension("municipality", "Kommun", expr="s.municipality"),
    Dimension("unit_type", "Typ av enhet", "cw_unit_type", VALUE),
    Dimension("legal_basis", "Lagrum", "cw_legal_basis", VALUE),
    Dimension("reason", "Skäl för placering", "cw_reason", VALUE),
    Dimension("sex", "Kön", "cw_sex", VALUE),
    Dimension("age_band", "Åldersgrupp", "cw_age", AGE_BAND),
    Dimension("breakdown", "Sammanbrott", "cw_end", BREAKDOWN),
    Dimension("length", "Placeringens längd", "cw_length", VALUE),
    Dimension("method", "Insats", expr="mr.method", partition=False),
)}
AGE_BAND_LABELS = {1: "12–14 år", 2: "15–17 år", 3: "18–21 år"}
BREAKDOWN_LABELS = {1: "Planerat avslut", 2: "Sammanbrott"}
MISSING = -1                         # the group of follow-ups where the variable is not known
PERIOD_FORMAT = "YYYY-MM"


@dataclass(frozen=True)
class Selection:
    """Which follow-ups: a period range (inclusive, YYYY-MM) and filters on dimensions."""

    period_from: str = "0000-00"
    period_to: str = "9999-99"
    filters: tuple[tuple[str, tuple[object, ...]], ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        import re

        for p in (self.period_from, self.period_to):
            if p not in ("0000-00", "9999-99") and not re.fullmatch(
                    r"[0-9]{4}-(0[1-9]|1[0-2])", p):
                raise InputRejected(f"period '{p}' is not a month written {PERIOD_FORMAT}, "
                                    "e.g. 2026-01")
        if self.period_from > self.period_to:
            raise InputRejected(f"the period starts ({self.period_from}) after it ends "
                                f"({self.period_to})")
        for dim, _values in self.filters:
            if dim not in DIMENSIONS:
                raise InputRejected(f"unknown filter '{dim}'; use one of "
                                    f"{', '.join(DIMENSIONS)}")

    def without_filters(self) -> Selection:
        return Selection(self.period_from, self.period_to)

    @property
    def filtered(self) -> bool:
        return bool(self.filters)


def _dimension(dim_id: str | None) -> Dimension | None:
    if dim_id is None:
        return None
    if dim_id not in DIMENSIONS:
        raise InputRejected(f"unknown breakdown '{dim_id}'; use one of {', '.join(DIMENSIONS)}")
    return DIMENSIONS[dim_id]


def _join(dim: Dimension, alias: str, on: str = "s.id") -> str:
    if dim.id == "method":
        return f" JOIN method_record {alias} ON {alias}.submission_id = {on}"
    if dim.item is None:
        return ""
    return (f" LEFT JOIN answer_record {alias} ON {alias}.submission_id = {on} "
            f"AND {alias}.item_id = '{dim.item}'")


def _expr(dim: Dimension, alias: str) -> str:
    return dim.expr.replace("bg.", f"{alias}.").replace("mr.", f"{alias}.")


def _selected(sel: Selection, by: str | None, params: dict[str, object]) -> tuple[str, list[str]]:
    """A CTE `sel(sid, grp, k)`: the selected follow-ups, the group and record key of each.

    Placing each follow-up in its group once, before touching the answers, keeps the big
    join a plain probe on answer_record's submission index.
    """
    joins = ""
    where = ["s.period BETWEEN :pf AND :pt"]
    params.update(pf=sel.period_from, pt=sel.period_to)
    expanding = []
    for n, (dim_id, values) in enumerate(sel.filters):
        fdim = DIMENSIONS[dim_id]
        alias = f"f{n}"
        joins += _join(fdim, alias)
        where.append(f"({_expr(fdim, alias)}) IN :fv{n}")
        params[f"fv{n}"] = list(values)
        expanding.append(f"fv{n}")
    dim = _dimension(by)
    group = "0"
    if dim is not None:
        joins += _join(dim, "g")
        group = _expr(dim, "g")
    cte = (f"sel AS MATERIALIZED (SELECT DISTINCT s.id AS sid, {group} AS grp, "
           "s.record_key AS k "
           f"FROM submission s{joins} WHERE {' AND '.join(where)})")
    return cte, expanding


def _run(engine: Engine, sql: str, params: dict[str, object], expanding: Iterable[str]) -> list:
    from sqlalchemy import exc

    stmt = text(sql).bindparams(*[bindparam(e, expanding=True) for e in expanding])
    try:
        with engine.connect() as conn:
            return list(conn.execute(stmt, params))
    except exc.SQLAlchemyError as err:
        raise explain(err, engine) from None


Cell = tuple[int, int]          # (count, sum of the counted records' keys)


def followups(engine: Engine, sel: Selection, by: str | None = None) -> dict[object, Cell]:
    """Follow-ups per group, with their cell keys."""
    if by is None and not sel.filtered:
        # Every follow-up has exactly one caseworker part: its kept counts are the follow-ups.
        rows = _run(engine, "SELECT 0, COALESCE(SUM(n), 0), COALESCE(SUM(ckey), 0) "
                            "FROM disposition_count WHERE period BETWEEN :pf AND :pt "
                            "AND respondent = 'caseworker'",
                    {"pf": sel.period_from, "pt": sel.period_to}, [])
        return {r[0]: (int(r[1]), int(r[2])) for r in rows}
    params: dict[str, object] = {}
    cte, exp = _selected(sel, by, params)
    rows = _run(engine, f"WITH {cte} SELECT grp, COUNT(*), SUM(k) FROM sel GROUP BY grp",
                params, exp)
    return {r[0]: (int(r[1]), int(r[2])) for r in rows}


def item_counts(engine: Engine, sel: Selection, by: str | None = None,
                items: Iterable[str] | None = None) -> dict[tuple[str, object], dict[int, Cell]]:
    """(item, group) → {code: (count, key)} for values and non-response codes, one query."""
    if by is None and not sel.filtered:
        return _item_totals(engine, sel, items)
    params: dict[str, object] = {}
    cte, exp = _selected(sel, by, params)
    only = ""
    if items is not None:
        params["items"] = list(items)
        exp.append("items")
        only = " AND a.item_id IN :items"
    rows = _run(engine, f"WITH {cte} SELECT a.item_id, sel.grp, a.code, COUNT(*), SUM(sel.k) "
                        "FROM sel JOIN answer_record a ON a.submission_id = sel.sid "
                        f"WHERE a.outcome IN ('value', 'nonresponse'){only} "
                        "GROUP BY a.item_id, sel.grp, a.code", params, exp)
    out: dict[tuple[str, object], dict[int, Cell]] = defaultdict(dict)
    for item_id, grp, code, count, key in rows:
        out[(item_id, grp)][int(code)] = (int(count), int(key))
    return dict(out)


def _item_totals(engine: Engine, sel: Selection, items: Iterable[str] | None
                 ) -> dict[tuple[str, object], dict[int, Cell]]:
    """Item distributions over a period from the counts the database keeps per month."""
    params: dict[str, object] = {"pf": sel.period_from, "pt": sel.period_to}
    exp: list[str] = []
    only = ""
    if items is not None:
        params["items"] = list(items)
        exp.append("items")
        only = " AND item_id IN :items"
    rows = _run(engine, "SELECT item_id, code, SUM(n), SUM(ckey) FROM item_count "
                        f"WHERE period BETWEEN :pf AND :pt{only} GROUP BY item_id, code "
                        "HAVING SUM(n) > 0", params, exp)
    out: dict[tuple[str, object], dict[int, Cell]] = defaultdict(dict)
    for item_id, code, count, key in rows:
        out[(item_id, 0)][int(code)] = (int(count), int(key))
    return dict(out)


IndexCell = tuple[int, float, int, int, int]


def index_scores(engine: Engine, instrument: Instrument, sel: Selection, by: str | None = None
                 ) -> dict[tuple[str, object], IndexCell]:
    """(index, group) → (follow-ups with a score, sum of scores, how many scored 4 or more,
    the key of the first, the key of the last).

    A follow-up's index score is the mean of its answered items in the index, across all
    three respondents.
    """
    params: dict[str, object] = {"ids": [ix.id for ix in instrument.indices]}
    if by in (None, "unit") and not sel.filtered:
        return _index_totals(engine, sel, by, params)
    cte, exp = _selected(sel, by, params)
    sql = (f"WITH {cte} SELECT x.index_id, sel.grp, COUNT(*), SUM(x.total * 1.0 / x.n), "
           "SUM(CASE WHEN x.total >= 4 * x.n THEN 1 ELSE 0 END), SUM(sel.k), "
           "SUM(CASE WHEN x.total >= 4 * x.n THEN sel.k ELSE 0 END) "
           "FROM sel JOIN index_score x ON x.submission_id = sel.sid "
           "WHERE x.index_id IN :ids AND x.n > 0 GROUP BY x.index_id, sel.grp")
    exp.append("ids")
    return {(r[0], r[1]): (int(r[2]), float(r[3]), int(r[4]), int(r[5]), int(r[6]))
            for r in _run(engine, sql, params, exp)}


def _index_totals(engine: Engine, sel: Selection, by: str | None, params: dict[str, object]
                  ) -> dict[tuple[str, object], IndexCell]:
    """Index figures overall or per unit from the sums the database keeps per month."""
    params.update(pf=sel.period_from, pt=sel.period_to)
    group = "unit_id" if by == "unit" else "0"
    rows = _run(engine, f"SELECT index_id, {group}, SUM(n), SUM(total), SUM(high), SUM(ckey), "
                        "SUM(hkey) "
                        "FROM index_count WHERE period BETWEEN :pf AND :pt AND index_id IN :ids "
                        f"GROUP BY index_id{', unit_id' if by == 'unit' else ''} "
                        "HAVING SUM(n) > 0", params, ["ids"])
    return {(r[0], r[1]): (int(r[2]), float(r[3]), int(r[4]), int(r[5]), int(r[6]))
            for r in rows}


def dispositions(engine: Engine, sel: Selection, by: str | None = None
                 ) -> dict[tuple[str, object], dict[str, Cell]]:
    """(respondent, group) → {disposition: (count, key)}."""
    if by is None and not sel.filtered:      # from the counts the database keeps per month
        rows = _run(engine, "SELECT respondent, 0, disposition, SUM(n), SUM(ckey) "
                            "FROM disposition_count "
                            "WHERE period BETWEEN :pf AND :pt GROUP BY respondent, disposition "
                            "HAVING SUM(n) > 0", {"pf": sel.period_from, "pt": sel.period_to},
                    [])
    else:
        rows = _dispositions_grouped(engine, sel, by)
    out: dict[tuple[str, object], dict[str, Cell]] = defaultdict(dict)
    for respondent, grp, disposition, count, key in rows:
        out[(respondent, grp)][disposition] = (int(count), int(key))
    return dict(out)


def _dispositions_grouped(engine: Engine, sel: Selection, by: str | None) -> list:
    params: dict[str, object] = {}
    cte, exp = _selected(sel, by, params)
    return _run(engine, f"WITH {cte} SELECT r.respondent, sel.grp, r.disposition, COUNT(*), "
                        "SUM(sel.k) "
                        "FROM sel JOIN session_record r ON r.submission_id = sel.sid "
                        "GROUP BY r.respondent, sel.grp, r.disposition", params, exp)


def periods(engine: Engine) -> list[str]:
    """The periods that hold submissions, oldest first (for pickers)."""
    return [r[0] for r in _run(engine, "SELECT DISTINCT period FROM submission ORDER BY period",
                               {}, [])]


# --- through the PostgreSQL figure functions (roles that may not read records) ---------------

def restricted(engine: Engine) -> bool:
    """True when this login may not read submitted records: figures come from the functions."""
    if engine.url.get_backend_name() != "postgresql":
        return False
    rows = _run(engine, "SELECT has_table_privilege('public.submission', 'SELECT')", {}, [])
    return not rows[0][0]


def _function_args(sel: Selection) -> tuple[str | None, list[int] | None]:
    if len(sel.filters) > 1:
        raise InputRejected("through the figure functions one filter at a time can be used")
    if not sel.filters:
        return None, None
    dim, values = sel.filters[0]
    return dim, [int(v) for v in values]  # type: ignore[call-overload]


def figures(engine: Engine, function: str, sel: Selection, by: str | None, threshold: int,
            items: list[str] | None = None) -> list:
    """The published rows of ubu_item_figures / ubu_index_figures (results/pg_functions.py)."""
    dim, values = _function_args(sel)
    return _run(engine, f"SELECT * FROM public.{function}(:pf, :pt, :by, :t, :items, :fd, "
                        ":fv)", {"pf": sel.period_from, "pt": sel.period_to,
                                 "by": by or "none", "t": threshold, "items": items,
                                 "fd": dim, "fv": values}, [])


def disposition_figures(engine: Engine, sel: Selection, by: str | None, threshold: int
                        ) -> list:
    dim, values = _function_args(sel)
    return _run(engine, "SELECT * FROM public.ubu_disposition_figures(:pf, :pt, :by, :t, :fd, "
                        ":fv)", {"pf": sel.period_from, "pt": sel.period_to,
                                 "by": by or "none", "t": threshold, "fd": dim, "fv": values},
                [])
