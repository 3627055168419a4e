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
from ubu_tui.i18n import _
from ubu_tui.instrument.model import Instrument
from ubu_tui.store.engine import explain

# Background variables: how a follow-up is placed in a group. `item` dimensions read the
# caseworker's coded answer; `registry` dimensions read the unit register (the `unit` row of
# the follow-up's unit) with the grouping in force when the figures are made: in the shared
# database a login's change of a unit's grouping (and its deletion of a unit) is held and comes
# into force only at the next release, at most once a month (store/pg_registry.py), so that
# regrouping the units call after call draws no fresh noise; the owner's edits and an office's
# own SQLite store act at once. `partition` says whether every follow-up is in exactly one
# group.


def registry_expr(column: str, schema: str = "") -> str:
    """The group of a follow-up `s` from its unit's registry row; MISSING when the unit is not
    registered or the attribute not recorded. `schema`: "public." inside the PG functions."""
    return (f"COALESCE((SELECT u.{column} FROM {schema}unit u WHERE u.id = s.unit_id), "
            f"{MISSING})")


@dataclass(frozen=True)
class Dimension:
    id: str
    label: str
    item: str | None = None         # the caseworker item holding it, if any
    expr: str = "bg.code"           # SQL for the group key; `bg` is the item's answer row
    partition: bool = True
    registry: str | None = None     # the `unit` column holding it, if it is the registry's


# The caseworker's background answers are on the submission row as their groups
# (store/background.py: bg_*), so placing a follow-up in its group reads no answer.
# Unit type, operating form and orientation are the registry's (issue #16): the caseworker's
# unit-type answer (bg_unit_type) is checked against the registry at submission but may have
# been kept wrong, and the registry is what a manager compares providers by. A unit's figures
# follow its current registry row, history included.
MISSING = -1                         # the group of follow-ups where the variable is not known
DIMENSIONS: dict[str, Dimension] = {d.id: d for d in (
    Dimension("unit", "Enhet", expr="s.unit_id"),
    Dimension("municipality", "Kommun", expr="s.municipality"),
    Dimension("unit_type", "Typ av enhet", expr=registry_expr("unit_type"),
              registry="unit_type"),
    Dimension("operating_form", "Driftform", expr=registry_expr("operating_form"),
              registry="operating_form"),
    Dimension("orientation", "Inriktning", expr=registry_expr("orientation"),
              registry="orientation"),
    Dimension("legal_basis", "Lagrum", "cw_legal_basis", "s.bg_legal_basis"),
    Dimension("reason", "Skäl för placering", "cw_reason", "s.bg_reason"),
    Dimension("sex", "Kön", "cw_sex", "s.bg_sex"),
    Dimension("age_band", "Åldersgrupp", "cw_age", "s.bg_age_band"),
    Dimension("breakdown", "Sammanbrott", "cw_end", "s.bg_breakdown"),
    Dimension("length", "Placeringens längd", "cw_length", "s.bg_length"),
    Dimension("method", "Insats", expr="mr.method", partition=False),
)}
AGE_BAND_LABELS = {1: "12–14 år", 2: "15–17 år", 3: "18–21 år"}
BREAKDOWN_LABELS = {1: "Planerat avslut", 2: "Sammanbrott"}
PERIOD_FORMAT = "YYYY-MM"
# Records of a local instrument version are never pooled into these figures (versions.is_local).
NATIONAL_ONLY = "s.instrument_version NOT LIKE '%+%'"


@dataclass(frozen=True)
class Selection:
    """Which follow-ups: a period (inclusive, YYYY-MM; a calendar month, quarter, half-year or
    year, results/periods.py, or open at both ends) and filters on dimensions."""

    period_from: str = "0000-00"
    period_to: str = "9999-99"
    filters: tuple[tuple[str, tuple[object, ...]], ...] = field(default_factory=tuple)
    # None: the national versions, pooled. A local version ("2026.2+0180"): its records alone,
    # reported apart; the two never meet in one figure.
    version: str | None = None

    def __post_init__(self) -> None:
        import re

        for p in (self.period_from, self.period_to):
            if p not in ("0000-00", "9999-99") and not re.fullmatch(
                    r"[0-9]{4}-(0[1-9]|1[0-2])", p):
                raise InputRejected(_("Perioden '{period}' är ingen månad skriven {format}, till "
                                      "exempel 2026-01.").format(period=p, format=PERIOD_FORMAT))
        if self.period_from > self.period_to:
            raise InputRejected(_("Perioden börjar ({start}) efter att den slutar ({end}); byt "
                                  "plats på datumen.")
                                 .format(start=self.period_from, end=self.period_to))
        from ubu_tui.results.periods import check

        check(self.period_from, self.period_to)     # months, quarters, half-years, years only
        if self.version is not None and not re.fullmatch(
                r"[0-9]{4}\.[0-9]{1,3}\+[0-9a-z]{1,12}", self.version):
            raise InputRejected(_("'{version}' är ingen lokal version (till exempel "
                                  "2026.2+0180); nationella versioner redovisas tillsammans.")
                                 .format(version=self.version))
        if len(self.filters) > 1:
            # every combination of filters is a new cell with its own draw of the noise, as
            # every list of values is (_function_args); the figure functions take one as well
            raise InputRejected(_("Ett filter i taget: {n} angavs ({dimensions}).").format(
                n=len(self.filters), dimensions=", ".join(d for d, _v in self.filters)))
        for dim, _values in self.filters:
            if dim not in DIMENSIONS:
                raise InputRejected(_("Okänt filter '{dimension}'; använd ett av {known}.")
                                     .format(dimension=dim, known=', '.join(DIMENSIONS)))

    def without_filters(self) -> Selection:
        return Selection(self.period_from, self.period_to, version=self.version)

    @property
    def filtered(self) -> bool:
        """Whether the kept counts (every record of a month) cannot serve: a filter, or one
        local version's records."""
        return bool(self.filters) or self.version is not None


def _dimension(dim_id: str | None) -> Dimension | None:
    if dim_id is None:
        return None
    if dim_id not in DIMENSIONS:
        raise InputRejected(_("Okänd uppdelning '{dimension}'; använd en av {known}.")
                             .format(dimension=dim_id, known=', '.join(DIMENSIONS)))
    return DIMENSIONS[dim_id]


def _join(dim: Dimension, alias: str, on: str = "s.id") -> str:
    if dim.id == "method":      # each method of a record once, however many items name it
        return (f" JOIN method_record {alias} ON {alias}.submission_id = {on} AND NOT EXISTS "
                f"(SELECT 1 FROM method_record {alias}x WHERE {alias}x.submission_id = "
                f"{alias}.submission_id AND {alias}x.method = {alias}.method "
                f"AND {alias}x.id < {alias}.id)")
    return ""


def _expr(dim: Dimension, alias: str) -> str:
    return dim.expr.replace("mr.", f"{alias}.")


def _placed(sel: Selection, by: str | None, params: dict[str, object], national: bool = False
            ) -> tuple[str, str, str, list[str]]:
    """How the selected follow-ups are found and grouped, on the submission row `s`: the
    joins (only the method dimension has one), the WHERE, the group expression and the
    expanding parameters. `national`: no record of a local version is stored (_local_present),
    so the version need not be read: the groups' covering index then serves every row alone."""
    joins = ""
    where = ["s.period BETWEEN :pf AND :pt"]
    params.update(pf=sel.period_from, pt=sel.period_to)
    if sel.version is None:
        if not national:
            where.append(NATIONAL_ONLY)
    else:                        # one local version, apart
        where.append("s.instrument_version = :version")
        params["version"] = sel.version
    expanding = []
    for n, (dim_id, values) in enumerate(sel.filters):
        fdim = DIMENSIONS[dim_id]
        alias = f"f{n}"
        joins += _join(fdim, alias)
        if fdim.registry is not None and MISSING not in values:
            # the registered units of those groups: the unit index, not a lookup per record
            where.append(f"s.unit_id IN (SELECT u.id FROM unit u WHERE u.{fdim.registry} "
                         f"IN :fv{n})")
        else:
            where.append(f"({_expr(fdim, alias)}) IN :fv{n}")
        params[f"fv{n}"] = list(values)
        expanding.append(f"fv{n}")
    dim = _dimension(by)
    group = "0"
    if dim is not None and dim.registry is not None:
        # joined once rather than looked up per row: PostgreSQL ran registry_expr's subquery
        # for every answer (item by unit type 1.0 s at 100 000 follow-ups)
        joins += " LEFT JOIN unit gu ON gu.id = s.unit_id"
        group = f"COALESCE(gu.{dim.registry}, {MISSING})"
    elif dim is not None:
        joins += _join(dim, "g")
        group = _expr(dim, "g")
    return joins, " AND ".join(where), group, expanding


def _selected(sel: Selection, by: str | None, params: dict[str, object], national: bool = False
              ) -> tuple[str, list[str]]:
    """A CTE `sel(sid, grp, k)`: the selected follow-ups, the group and record key of each."""
    joins, where, group, expanding = _placed(sel, by, params, national)
    distinct = "DISTINCT " if "method_record" in joins else ""
    cte = (f"sel AS MATERIALIZED (SELECT {distinct}s.id AS sid, {group} AS grp, "
           f"s.record_key AS k FROM submission s{joins} WHERE {where})")
    return cte, expanding


def _run(engine: Engine, sql: str, params: dict[str, object], expanding: Iterable[str]) -> list:
    from sqlalchemy import exc

    stmt = text(sql).bindparams(*[bindparam(e, expanding=True) for e in expanding])
    try:
        with engine.connect() as conn:
            # all rows at once from the driver: row-by-row fetching cost more than the query
            # the driver's own rows, all at once: building a Row per figure cost more than
            # the query itself for the unit tables (22 000 rows)
            return list(conn.execute(stmt, params).cursor.fetchall())  # type: ignore[union-attr]
    except exc.SQLAlchemyError as err:
        raise explain(err, engine) from None


Cell = tuple[int, int]          # (count, sum of the counted records' keys)


def followups(engine: Engine, sel: Selection, by: str | None = None) -> dict[object, Cell]:
    """Follow-ups per group, with their cell keys."""
    national = not _local_present(engine)
    if by is None and not sel.filtered and national:
        # Every follow-up has exactly one caseworker part: its kept counts are the follow-ups.
        rows = _run(engine, "SELECT 0, COALESCE(SUM(n), 0), COALESCE(SUM(ckey), 0) "
                            "FROM disposition_count WHERE period BETWEEN :pf AND :pt "
                            "AND respondent = 'caseworker'",
                    {"pf": sel.period_from, "pt": sel.period_to}, [])
        return {r[0]: (int(r[1]), int(r[2])) for r in rows}
    params: dict[str, object] = {}
    cte, exp = _selected(sel, by, params, national)
    rows = _run(engine, f"WITH {cte} SELECT grp, COUNT(*), SUM(k) FROM sel GROUP BY grp",
                params, exp)
    return {r[0]: (int(r[1]), int(r[2])) for r in rows}


def item_counts(engine: Engine, sel: Selection, by: str | None = None,
                items: Iterable[str] | None = None) -> dict[tuple[str, object], dict[int, Cell]]:
    """(item, group) → {code: (count, key)} for values and non-response codes, one query.

    Versions combine only through their declared mapping: answers to a question that a later
    version asks under another id are counted under the later id (`versions.combination`).
    """
    from ubu_tui.instrument.versions import fold_aliases, shipped_combination

    aliases = shipped_combination().aliases()
    if aliases and items is not None:
        wanted = set(items)
        items = list(wanted | {old for old, new in aliases.items() if new in wanted})
    return fold_aliases(_item_counts(engine, sel, by, items), aliases)


def _item_counts(engine: Engine, sel: Selection, by: str | None, items: Iterable[str] | None
                 ) -> dict[tuple[str, object], dict[int, Cell]]:
    national = not _local_present(engine)
    if by is None and not sel.filtered and national:
        return _item_totals(engine, sel, items)
    if _kept_groups(sel, by, items, national):
        return _item_groups(engine, sel, by, items)  # type: ignore[arg-type]
    params: dict[str, object] = {}
    only = ""
    if items is not None:
        params["items"] = list(items)
        only = " AND a.item_id IN :items"
    joins, where, group, exp = _placed(sel, by, params, national)
    if items is not None:
        exp.append("items")
    if any(dim == "method" for dim, _values in sel.filters):
        # several methods asked for: a follow-up that used two is still counted once
        cte, exp = _selected(sel, by, params, national)
        exp += ["items"] if items is not None else []
        sql = (f"WITH {cte} SELECT a.item_id, sel.grp, a.code, COUNT(*), SUM(sel.k) "
               "FROM sel JOIN answer_record a ON a.submission_id = sel.sid "
               f"WHERE a.outcome IN ('value', 'nonresponse'){only} "
               "GROUP BY a.item_id, sel.grp, a.code")
    else:
        # From the item's answers (a covering index) to their records: a view reads one
        # item's answers, not every answer of every selected record.
        # SQLite's CROSS JOIN keeps that order (it would start from the period index).
        join = "CROSS JOIN" if engine.url.get_backend_name() == "sqlite" else "JOIN"
        grouped = "" if group == "0" else f", {group}"
        sql = (f"SELECT a.item_id, {group}, a.code, COUNT(*), SUM(s.record_key) "
               f"FROM answer_record a {join} submission s ON s.id = a.submission_id{joins} "
               f"WHERE a.outcome IN ('value', 'nonresponse'){only} AND {where} "
               f"GROUP BY a.item_id{grouped}, a.code")
    rows = _run(engine, sql, params, exp)
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


def _kept_groups(sel: Selection, by: str | None, items: Iterable[str] | None,
                 national: bool) -> bool:
    """Whether item_group_count (schema 0141) holds these items by this breakdown: the
    report's items, by unit, municipality or a registry group, over every national record."""
    from ubu_tui.store.kept_items import KEPT_ITEMS

    return (by is not None and (by == "municipality" or _per_unit(by)) and not sel.filtered
            and national and items is not None and bool(set(items))
            and set(items) <= set(KEPT_ITEMS))


def _item_groups(engine: Engine, sel: Selection, by: str, items: Iterable[str]
                 ) -> dict[tuple[str, object], dict[int, Cell]]:
    """Item cells per group from the counts kept per month and unit or municipality: a
    registry group is the sum of its units, as the index figures per registry group are. The
    cells (counts, key sums) are those counted from the answers: sums over disjoint records."""
    params: dict[str, object] = {"pf": sel.period_from, "pt": sel.period_to,
                                 "items": list(items),
                                 "dim": "municipality" if by == "municipality" else "unit"}
    dim = DIMENSIONS[by]
    join, group = "", "c.grp"
    if dim.registry is not None:
        join = " LEFT JOIN unit u ON u.id = c.grp"
        group = f"COALESCE(u.{dim.registry}, {MISSING})"
    rows = _run(engine, f"SELECT c.item_id, {group}, c.code, SUM(c.n), SUM(c.ckey) "
                        f"FROM item_group_count c{join} WHERE c.dim = :dim "
                        "AND c.item_id IN :items AND c.period BETWEEN :pf AND :pt "
                        f"GROUP BY c.item_id, {group}, c.code HAVING SUM(c.n) > 0",
                params, ["items"])
    out: dict[tuple[str, object], dict[int, Cell]] = defaultdict(dict)
    for item_id, grp, code, count, key in rows:
        # the municipality is kept as a number, as index_cube keeps it; the records' code
        # is its four digits
        out[(item_id, f"{grp:04d}" if by == "municipality" else grp)][int(code)] = (
            int(count), int(key))
    return dict(out)


IndexCell = tuple[int, float, int, int, int]


def index_scores(engine: Engine, instrument: Instrument, sel: Selection, by: str | None = None,
                 ids: list[str] | None = None) -> dict[tuple[str, object], IndexCell]:
    """(index, group) → (follow-ups with a score, sum of scores, how many scored 4 or more,
    the key of the first, the key of the last).

    A follow-up's index score is the mean of its answered items in the index, across all
    three respondents. `ids`: other scored indices instead (Instrument.scored_indices).
    """
    params: dict[str, object] = {"ids": ids or [ix.id for ix in instrument.indices]}
    local = _local_present(engine)
    if (by == "unit" and not sel.filtered and not local
            and not whole_years(sel.period_from, sel.period_to)):
        return _index_totals(engine, sel, by, params)
    if _in_cube(sel, by) and not local:
        return _index_cube(engine, sel, by, params)
    if _by_units(sel, by) and not local:
        return _index_units(engine, sel, by, params)
    cte, exp = _selected(sel, by, params, not local)
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


def _per_unit(dim_id: str | None) -> bool:
    """Whether a follow-up's group follows from its unit alone (the unit or the registry)."""
    return dim_id is None or dim_id == "unit" or DIMENSIONS[dim_id].registry is not None


def _by_units(sel: Selection, by: str | None) -> bool:
    """The registry's breakdowns and filters, from the sums kept per unit (index_count)."""
    # (by unit alone, unfiltered, is served by the kept unit and cube sums as before)
    return (_per_unit(by) and all(_per_unit(dim) for dim, _values in sel.filters)
            and ((by is not None and by != "unit") or bool(sel.filters))
            and sel.version is None)


def _index_units(engine: Engine, sel: Selection, by: str | None, params: dict[str, object]
                 ) -> dict[tuple[str, object], IndexCell]:
    """Index figures per registry group: the sums kept per unit (the cube's unit rows, by year
    where the selection holds whole years: 22 500 rows for a year instead of 270 000 monthly
    ones), added up over the units the registry places in each group. Counts, score sums and
    cell keys all add over disjoint sets of follow-ups, so these are the figures counted from
    the records."""
    exp = ["ids"]
    source = _cube_source(sel, "unit", "grp", params, exp, typed=False)
    # registry_expr reads the unit of `s`: here the kept row's unit stands in for it
    def on_unit(dim_id: str) -> str:
        return _expr(DIMENSIONS[dim_id], "g").replace("s.unit_id", "c.unit_id")

    where = ""
    for n, (dim_id, values) in enumerate(sel.filters):
        params[f"fv{n}"] = list(values)
        exp.append(f"fv{n}")
        where += f" AND ({on_unit(dim_id)}) IN :fv{n}"
    group = "0" if by is None else on_unit(by)
    # per unit first (a few thousand rows), then each unit's registry row once
    rows = _run(engine, f"SELECT c.index_id, {group} AS grp, SUM(c.n), SUM(c.total), "
                        "SUM(c.high), SUM(c.ckey), SUM(c.hkey) FROM (SELECT index_id, "
                        "g AS unit_id, SUM(n) AS n, SUM(total) AS total, SUM(high) AS high, "
                        f"SUM(ckey) AS ckey, SUM(hkey) AS hkey FROM ({source}) AS u "
                        f"GROUP BY index_id, g) c WHERE 1 = 1{where} "
                        f"GROUP BY c.index_id{'' if by is None else ', ' + group} "
                        "HAVING SUM(c.n) > 0",
                params, exp)
    return {(r[0], r[1]): (int(r[2]), float(r[3]), int(r[4]), int(r[5]), int(r[6]))
            for r in rows}


def _in_cube(sel: Selection, by: str | None) -> bool:
    """index_cube holds every breakdown by the record's own background answers, per registry
    unit type (schema 0131): unfiltered, or filtered by unit type alone."""
    from ubu_tui.store.cube import DIMS

    return ((by is None or (by in DIMS and DIMENSIONS[by].registry is None)
             or by == "method") and sel.version is None
            and all(dim == "unit_type" for dim, _values in sel.filters)
            and len(sel.filters) <= 1)


def whole_years(period_from: str, period_to: str) -> tuple[str, str] | None:
    """The first and last calendar year lying wholly within the months, or None."""
    first = int(period_from[:4]) + (period_from[5:] != "01")
    last = int(period_to[:4]) - (period_to[5:] != "12")
    return (f"{first:04d}", f"{last:04d}") if first <= last else None


def _cube_source(sel: Selection, dim: str, group: str, params: dict[str, object],
                 exp: list[str], typed: bool) -> str:
    """The cube rows (index_id, g, n, total, high, ckey, hkey) of one dimension over the
    selection's months: the whole years from their yearly sums (index_cube_year, schema 0111),
    the months around them from the monthly ones. `typed`: the selection's unit-type filter
    (its only one) on the cube's unit_type column, the registry's (schema 0131)."""
    params.update(pf=sel.period_from, pt=sel.period_to, dim=dim)
    sums = "n, total, high, ckey, hkey"
    only = ""
    if typed:
        for _dim, values in sel.filters:
            params["types"] = list(values)
            exp.append("types")
            only = " AND unit_type IN :types"
    months = (f"SELECT index_id, {group} AS g, {sums} FROM index_cube WHERE dim = :dim "
              f"AND index_id IN :ids AND period BETWEEN :pf AND :pt{only}")
    years = whole_years(sel.period_from, sel.period_to)
    if not years:
        return months
    params.update(yf=years[0], yt=years[1], mf=f"{years[0]}-01", mt=f"{years[1]}-12")
    return (f"SELECT index_id, {group} AS g, {sums} FROM index_cube_year "
            f"WHERE dim = :dim AND index_id IN :ids AND year BETWEEN :yf AND :yt{only} "
            f"UNION ALL {months} AND period NOT BETWEEN :mf AND :mt")


def _index_cube(engine: Engine, sel: Selection, by: str | None, params: dict[str, object]
                ) -> dict[tuple[str, object], IndexCell]:
    """Index figures per group from the sums the database keeps per month (and year) and
    group; the total from any partition's groups together."""
    exp = ["ids"]
    source = _cube_source(sel, by or "unit_type", "grp" if by else "0", params, exp,
                          typed=True)
    rows = _run(engine, "SELECT index_id, g, SUM(n), SUM(total), SUM(high), SUM(ckey), "
                        f"SUM(hkey) FROM ({source}) AS u GROUP BY index_id, g "
                        "HAVING SUM(n) > 0", params, exp)
    return {(r[0], f"{r[1]:04d}" if by == "municipality" else r[1]):
            (int(r[2]), float(r[3]), int(r[4]), int(r[5]), int(r[6])) for r in rows}


def _local_present(engine: Engine) -> bool:
    """Whether any record of a local version is stored: the kept counts include it, so then
    the figures are read from the records, where NATIONAL_ONLY leaves it out."""
    # Written as the partial index ix_submission_local_version's condition (schema 0030), so
    # this is one probe of an index that is empty wherever no local version is used.
    return bool(_run(engine, "SELECT 1 FROM submission WHERE instrument_version LIKE '%+%' "
                             "LIMIT 1", {}, []))


def dispositions(engine: Engine, sel: Selection, by: str | None = None
                 ) -> dict[tuple[str, object], dict[str, Cell]]:
    """(respondent, group) → {disposition: (count, key)}."""
    kept = by in (None, "unit") and not sel.filtered and not _local_present(engine)
    if kept and by is None:                  # kept monthly counts
        rows = _run(engine, "SELECT respondent, 0, disposition, SUM(n), SUM(ckey) "
                            "FROM disposition_count "
                            "WHERE period BETWEEN :pf AND :pt GROUP BY respondent, disposition "
                            "HAVING SUM(n) > 0", {"pf": sel.period_from, "pt": sel.period_to},
                    [])
    elif kept:                               # the same per unit (schema 0131)
        rows = _run(engine, "SELECT respondent, unit_id, disposition, SUM(n), SUM(ckey) "
                            "FROM disposition_unit_count WHERE period BETWEEN :pf AND :pt "
                            "GROUP BY respondent, unit_id, disposition HAVING SUM(n) > 0",
                    {"pf": sel.period_from, "pt": sel.period_to}, [])
    else:
        rows = _dispositions_grouped(engine, sel, by)
    out: dict[tuple[str, object], dict[str, Cell]] = defaultdict(dict)
    for respondent, grp, disposition, count, key in rows:
        out[(respondent, grp)][disposition] = (int(count), int(key))
    return dict(out)


def grouped_rows(engine: Engine, sel: Selection, by: str | None, table: str,
                 columns: list[str], where: str = "", params: dict[str, object] | None = None
                 ) -> list:
    """Per group: `columns` (SQL on the record table's row `r`), the group, COUNT(*) and the
    key sum, of the rows of `table` (session_record, method_record) of the selected follow-ups;
    `columns` are grouped by too. From the rows to their records (in record order, as an item
    view reads its answers): 0.28 to 0.08 CPU s for the declines at 100 000 follow-ups, where
    the records' rows were looked up from each selected record. A filter by method goes
    through the selection, so that a follow-up that used two of the methods counts once."""
    params = dict(params or {})
    national = not _local_present(engine)
    first, rest = columns[0], "".join(f", {c}" for c in columns[1:])
    every = ", ".join(columns)
    if any(dim == "method" for dim, _values in sel.filters):
        cte, exp = _selected(sel, by, params, national)
        return _run(engine, f"WITH {cte} SELECT {first}, sel.grp{rest}, COUNT(*), SUM(sel.k) "
                            f"FROM sel JOIN {table} r ON r.submission_id = sel.sid "
                            f"WHERE 1 = 1{where} GROUP BY {every}, sel.grp", params, exp)
    joins, found, group, exp = _placed(sel, by, params, national)
    join = "CROSS JOIN" if engine.url.get_backend_name() == "sqlite" else "JOIN"
    grouped = "" if group == "0" else f", {group}"
    return _run(engine, f"SELECT {first}, {group}{rest}, COUNT(*), SUM(s.record_key) "
                        f"FROM {table} r {join} submission s ON s.id = r.submission_id{joins} "
                        f"WHERE {found}{where} GROUP BY {every}{grouped}", params, exp)


def _dispositions_grouped(engine: Engine, sel: Selection, by: str | None) -> list:
    return grouped_rows(engine, sel, by, "session_record", ["r.respondent", "r.disposition"])


def declines(engine: Engine, sel: Selection) -> dict[tuple[str, int], Cell]:
    """(respondent, decline reason) → (count, key) of the declined parts; reason 0 where none
    was recorded (versions before 2026.2). National versions only, as every figure here."""
    if kept_declines(engine, sel):       # kept per month (schema 0141): the same cells
        rows = _run(engine, "SELECT respondent, 0, reason, SUM(n), SUM(ckey) FROM decline_count "
                            "WHERE period BETWEEN :pf AND :pt GROUP BY respondent, reason "
                            "HAVING SUM(n) > 0", {"pf": sel.period_from, "pt": sel.period_to},
                    [])
    else:
        rows = grouped_rows(engine, sel, None, "session_record",
                            ["r.respondent", "COALESCE(r.decline_reason, 0)"],
                            " AND r.disposition = 'declined'")
    return {(str(r[0]), int(r[2])): (int(r[3]), int(r[4])) for r in rows}


def kept_declines(engine: Engine, sel: Selection) -> bool:
    """Whether decline_count holds the selection's declines: every national record's."""
    return not sel.filtered and not _local_present(engine)


def versions_present(engine: Engine, sel: Selection) -> list[tuple[str, str]]:
    """The national instrument versions (id, version) of the records in the period."""
    if sel.version is not None:      # a local version's report holds that version alone
        return []
    return [(r[0], r[1]) for r in _run(
        engine, "SELECT DISTINCT instrument_id, instrument_version FROM submission s "
                f"WHERE period BETWEEN :pf AND :pt AND {NATIONAL_ONLY}",
        {"pf": sel.period_from, "pt": sel.period_to}, [])]


def local_versions(engine: Engine, sel: Selection) -> dict[str, Cell]:
    """Follow-ups per local version in the period, with their cell keys: what a national
    report lists apart (each local version has a report of its own)."""
    if not _local_present(engine):       # one probe of an index empty of them, not the period
        return {}
    rows = _run(engine, "SELECT instrument_id || '@' || instrument_version, COUNT(*), "
                        "SUM(record_key) FROM submission WHERE period BETWEEN :pf AND :pt "
                        "AND instrument_version LIKE '%+%' GROUP BY 1",
                {"pf": sel.period_from, "pt": sel.period_to}, [])
    return {str(r[0]): (int(r[1]), int(r[2])) for r in rows}


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
    if sel.version is not None:
        raise InputRejected(_("Figurfunktionerna räknar bara nationella versioner; en lokal "
                              "versions rapport görs i kommunens egen databas."))
    if len(sel.filters) > 1:
        raise InputRejected(_("Genom figurfunktionerna kan bara ett filter i taget användas."))
    if not sel.filters:
        return None, None
    dim, values = sel.filters[0]
    if len(values) > 1:     # as the functions refuse (pg_functions._checks): one value each
        raise InputRejected(_("Genom figurfunktionerna kan ett filter bara ha ett värde."))
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
