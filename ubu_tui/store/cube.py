"""Index figures per group the database keeps for every breakdown, and the kept counts'
statement-level form.

index_cube holds, per month, index and dimension group, the index scores' count, sum and
number scoring 4 or more with their cell keys (see results/ptable.py), split by the
caseworker's unit type as well so that the results screen's unit-type filter is served from it
too: an index view then reads at most a few hundred thousand small rows instead of 1.5 million
scores joined to their records. Items need no cube: one item's answers are reached through a
covering index in about 0.1 s at national scale, and a cube of every answer per dimension costs
more to keep than it saves (measured: 1.2 s per 10 000 records and dimension to build).

Row triggers keep the counts at every submission and withdrawal (migrations 0020, 0070, 0131);
bulk writers (import, the synthesiser) pause them and add a whole batch's counts with the
grouped statements below (store/bulk.py), so the counts are the same whichever way a record came
in.

The cube's unit_type column is the registry's unit type of the record's unit (schema 0131; -1
when the unit is not registered), the type the results screen filters by: a view filtered by
unit type reads the cube like an unfiltered one. A unit's figures follow its registry row, so
triggers on `unit` move a unit's sums to its new type when the registry changes it.
"""

from __future__ import annotations

from ubu_tui.store import kept_items
from ubu_tui.store.counters import batch_of

# dimension id → its group on the submission row `s` (the results' partition DIMENSIONS; the
# method dimension, where a record is in one group per method, is kept apart below)
DIMS: dict[str, str] = {
    "unit": "s.unit_id",
    "municipality": "CAST(s.municipality AS INTEGER)",
    # the caseworker's answer; results break down by the registry's type instead (from
    # index_count per unit), so these rows are kept but not read
    "unit_type": "s.bg_unit_type",
    "legal_basis": "s.bg_legal_basis",
    "reason": "s.bg_reason",
    "sex": "s.bg_sex",
    "age_band": "s.bg_age_band",
    "breakdown": "s.bg_breakdown",
    "length": "s.bg_length",
}
DIM_ROWS = "(" + " UNION ALL ".join(f"SELECT '{d}' AS dim" for d in DIMS) + ")"
GROUP = "CASE d.dim " + " ".join(f"WHEN '{d}' THEN {e}" for d, e in DIMS.items()) + " END"
COUNTED = "('value', 'nonresponse')"
HIGH = "CASE WHEN x.total >= 4 * x.n THEN 1 ELSE 0 END"
NEW = "s.id IN (SELECT id FROM bulk_new)"   # the records of the batch
# The registry's unit type of the record `s`, -1 for an unregistered unit, through a join
# (a plain column, so that it can be grouped by); `schema` is "public." inside PostgreSQL
# functions.
UNIT_TYPE = "COALESCE(ru.unit_type, -1)"
JOIN_UNIT = " LEFT JOIN {schema}unit ru ON ru.id = s.unit_id"

# Statement-level counting: add the counts of the records listed in `bulk_new` (one query per
# kept count, grouped before it touches the count table). Each reads from the batch's records
# outwards (`s.id IN bulk_new`): written as a join from bulk_new, SQLite chose to scan every
# answer in the store instead, so a batch cost more the more the store held. The same figures
# the row triggers keep; a test holds the two ways equal.
_SUMS_SET = ("SET n = c.n + excluded.n, total = c.total + excluded.total, "
             "high = c.high + excluded.high, ckey = c.ckey + excluded.ckey, "
             "hkey = c.hkey + excluded.hkey")

# The counts grouped straight from the batch's records: one statement each. A further kept
# count of the records goes here (a grouped INSERT … WHERE {NEW} … ON CONFLICT DO UPDATE).
RECORD_COUNTS: tuple[str, ...] = (
    "INSERT INTO item_count AS c (period, item_id, code, n, ckey) "
    "SELECT s.period, a.item_id, a.code, COUNT(*), SUM(s.record_key) "
    "FROM submission s "
    "JOIN answer_record a ON a.submission_id = s.id "
    f"WHERE {NEW} AND a.outcome IN {COUNTED} GROUP BY s.period, a.item_id, a.code "
    "ON CONFLICT (period, item_id, code) DO UPDATE "
    "SET n = c.n + excluded.n, ckey = c.ckey + excluded.ckey",

    "INSERT INTO disposition_count AS c (period, respondent, disposition, n, ckey) "
    "SELECT s.period, r.respondent, r.disposition, COUNT(*), SUM(s.record_key) "
    "FROM submission s "
    "JOIN session_record r ON r.submission_id = s.id "
    f"WHERE {NEW} GROUP BY s.period, r.respondent, r.disposition "
    "ON CONFLICT (period, respondent, disposition) DO UPDATE "
    "SET n = c.n + excluded.n, ckey = c.ckey + excluded.ckey",

    # the same per unit (schema 0131): response rates per unit without reading every part
    "INSERT INTO disposition_unit_count AS c (period, unit_id, respondent, disposition, n, "
    "ckey) SELECT s.period, s.unit_id, r.respondent, r.disposition, COUNT(*), "
    "SUM(s.record_key) FROM submission s "
    "JOIN session_record r ON r.submission_id = s.id "
    f"WHERE {NEW} GROUP BY s.period, s.unit_id, r.respondent, r.disposition "
    "ON CONFLICT (period, unit_id, respondent, disposition) DO UPDATE "
    "SET n = c.n + excluded.n, ckey = c.ckey + excluded.ckey",
) + kept_items.ADD_COUNTS      # the report's items per group and its methods (schema 0141)

# The index figures: ten cube dimensions, their yearly sums and index_count, all from one
# read of the batch's scores. Grouped one statement per dimension straight from the records,
# SQLite sorted every score of the batch ten times over with text keys, and each of the
# ~28 000 cube rows per thousand records then fired the yearly sums' row trigger: half an
# import's counting. Now the scores are read once into `bulk_scores`, each beside its group
# in every dimension and one integer `cell` that stands for (index, month, unit type), so
# that each dimension's sort compares two integers; the dimensions' rows gather in
# `bulk_cube`, which goes into index_cube in one statement and, summed per year, into
# index_cube_year (its triggers paused, see COUNT_TRIGGERS); index_count is the unit
# dimension's rows without the unit type (a unit has one), so it needs no grouping at all.
_MONTH = "CAST(substr(s.period, 1, 4) AS INTEGER) * 12 + CAST(substr(s.period, 6, 2) AS INTEGER)"
_CUBE_COLUMNS = "dim, index_id, period, unit_type, grp, n, total, high, ckey, hkey"
# Dimensions of a few groups each (the background answers), summed together first: per cell,
# two or three of them have some ten to thirty combinations, so one sort of the batch's scores
# serves them all and each is then summed from a table a tenth the size (a sort of every score
# per dimension was most of the counting). Any grouping of DIMS' names gives the same sums.
_FEW: tuple[tuple[str, ...], ...] = (
    ("sex", "age_band"), ("reason", "legal_basis"), ("breakdown", "length", "unit_type"))


def _by_few(dims: tuple[str, ...]) -> tuple[str, ...]:
    """The cube rows of `dims` for bulk_cube, through their common sums in bulk_few."""
    groups = ", ".join(f"g_{d}" for d in dims)
    return (
        "CREATE TEMPORARY TABLE bulk_few AS SELECT cell, MIN(index_id) AS index_id, "
        f"MIN(period) AS period, MIN(unit_type) AS unit_type, {groups}, COUNT(*) AS n, "
        "SUM(v) AS v, SUM(h) AS h, SUM(k) AS k, SUM(h * k) AS hk "
        f"FROM bulk_scores GROUP BY cell, {groups}",
        *(f"INSERT INTO bulk_cube ({_CUBE_COLUMNS}) SELECT '{d}', MIN(index_id), MIN(period), "
          f"MIN(unit_type), g_{d}, SUM(n), SUM(v), SUM(h), SUM(k), SUM(hk) "
          f"FROM bulk_few GROUP BY cell, g_{d}" for d in dims),
        "DROP TABLE bulk_few")


INDEX_COUNTS: tuple[str, ...] = (
    "CREATE TEMPORARY TABLE bulk_index AS SELECT index_id, "
    "ROW_NUMBER() OVER (ORDER BY index_id) AS code FROM (SELECT DISTINCT index_id "
    "FROM index_score WHERE submission_id IN (SELECT id FROM bulk_new)) i",

    "CREATE TEMPORARY TABLE bulk_scores AS SELECT x.submission_id AS sid, "
    f"(i.code * 100000 + {_MONTH}) * 100000 + {UNIT_TYPE} + 1 AS cell, "
    f"x.index_id, s.period, {UNIT_TYPE} AS unit_type, "
    + "".join(f"{group} AS g_{dim}, " for dim, group in DIMS.items())
    + f"x.total * 1.0 / x.n AS v, {HIGH} AS h, s.record_key AS k "
    f"FROM submission s{JOIN_UNIT.format(schema='')} "
    "JOIN index_score x ON x.submission_id = s.id "
    "JOIN bulk_index i ON i.index_id = x.index_id "
    f"WHERE {NEW} AND x.n > 0",

    "CREATE TEMPORARY TABLE bulk_cube (dim VARCHAR(16), index_id VARCHAR(40), "
    "period VARCHAR(7), unit_type SMALLINT, grp INTEGER, n INTEGER, total FLOAT, "
    "high INTEGER, ckey BIGINT, hkey BIGINT)",
) + tuple(
    # (MIN of what is the same in the whole group: the cell stands for it)
    f"INSERT INTO bulk_cube ({_CUBE_COLUMNS}) SELECT '{dim}', MIN(index_id), MIN(period), "
    f"MIN(unit_type), g_{dim}, COUNT(*), SUM(v), SUM(h), SUM(k), SUM(h * k) "
    f"FROM bulk_scores GROUP BY cell, g_{dim}"
    for dim in DIMS if not any(dim in few for few in _FEW)) + tuple(
    statement for few in _FEW for statement in _by_few(few)) + (
    # the method dimension: a record counts once in the group of each method it used, so
    # each of its scores in bulk_scores once per method, grouped by the integer cell (read
    # from the records outwards and grouped by index, month and unit type as text, it took
    # 1.2–1.4 CPU s per 10 000 records against 0.8–1.0 at load 9, the same sums)
    f"INSERT INTO bulk_cube ({_CUBE_COLUMNS}) SELECT 'method', MIN(b.index_id), "
    "MIN(b.period), MIN(b.unit_type), m.method, COUNT(*), SUM(b.v), SUM(b.h), SUM(b.k), "
    "SUM(b.h * b.k) FROM bulk_scores b "
    "JOIN (SELECT DISTINCT submission_id, method FROM method_record WHERE submission_id IN "
    "(SELECT id FROM bulk_new)) m ON m.submission_id = b.sid GROUP BY b.cell, m.method",

    # ("WHERE true": SQLite would read ON CONFLICT as a join's ON)
    f"INSERT INTO index_cube AS c ({_CUBE_COLUMNS}) SELECT {_CUBE_COLUMNS} FROM bulk_cube "
    f"WHERE true ON CONFLICT (dim, index_id, period, unit_type, grp) DO UPDATE {_SUMS_SET}",

    f"INSERT INTO index_cube_year AS c (dim, index_id, year, unit_type, grp, n, total, high, "
    "ckey, hkey) SELECT dim, index_id, substr(period, 1, 4), unit_type, grp, SUM(n), "
    "SUM(total), SUM(high), SUM(ckey), SUM(hkey) FROM bulk_cube "
    "GROUP BY dim, index_id, substr(period, 1, 4), unit_type, grp "
    f"ON CONFLICT (dim, index_id, year, unit_type, grp) DO UPDATE {_SUMS_SET}",

    # in index_count's key order: bulk_cube holds them by index first, and written in that
    # order each row went to another page of the table and of its covering index (0.8–1.2
    # CPU s for 10 000 records against 0.5–0.7 sorted first, load 9)
    "INSERT INTO index_count AS c (period, unit_id, index_id, n, total, high, ckey, hkey) "
    "SELECT period, grp, index_id, n, total, high, ckey, hkey FROM bulk_cube "
    "WHERE dim = 'unit' ORDER BY period, grp, index_id "
    f"ON CONFLICT (period, unit_id, index_id) DO UPDATE {_SUMS_SET}",

    "DROP TABLE bulk_cube",
    "DROP TABLE bulk_scores",
    "DROP TABLE bulk_index",
)

ADD_COUNTS: tuple[str, ...] = RECORD_COUNTS + INDEX_COUNTS

# What INDEX_COUNTS adds, one row at a time, for rows grouped in memory instead
# (store/cube_batch.py: the SQLite import, which holds its batch's rows; executemany with "?"
# marks).
_MARKS = ", ".join("?" * 10)
ADD_CUBE_ROW = (f"INSERT INTO index_cube AS c ({_CUBE_COLUMNS}) VALUES ({_MARKS}) "
                f"ON CONFLICT (dim, index_id, period, unit_type, grp) DO UPDATE {_SUMS_SET}")
ADD_YEAR_ROW = ("INSERT INTO index_cube_year AS c (dim, index_id, year, unit_type, grp, n, "
                f"total, high, ckey, hkey) VALUES ({_MARKS}) "
                f"ON CONFLICT (dim, index_id, year, unit_type, grp) DO UPDATE {_SUMS_SET}")
ADD_INDEX_COUNT_ROW = ("INSERT INTO index_count AS c (period, unit_id, index_id, n, total, high, "
                       f"ckey, hkey) VALUES ({', '.join('?' * 8)}) "
                       f"ON CONFLICT (period, unit_id, index_id) DO UPDATE {_SUMS_SET}")

# The cube's rows grouped straight from the records, one statement per dimension, as the
# bulk writers added them before INDEX_COUNTS (with the yearly sums' trigger running): the
# form the migrations that rebuild the cube (0070, 0131) were written with.
CUBE_FROM_RECORDS: tuple[str, ...] = tuple(
    "INSERT INTO index_cube AS c (dim, index_id, period, unit_type, grp, n, total, high, ckey, "
    f"hkey) SELECT '{dim}', x.index_id, s.period, {UNIT_TYPE}, {group}, COUNT(*), "
    f"SUM(x.total * 1.0 / x.n), SUM({HIGH}), SUM(s.record_key), SUM({HIGH} * s.record_key) "
    f"FROM submission s{JOIN_UNIT.format(schema='')} "
    "JOIN index_score x ON x.submission_id = s.id "
    f"WHERE {NEW} AND x.n > 0 GROUP BY x.index_id, s.period, {UNIT_TYPE}, {group} "
    "ON CONFLICT (dim, index_id, period, unit_type, grp) DO UPDATE "
    "SET n = c.n + excluded.n, total = c.total + excluded.total, "
    "high = c.high + excluded.high, ckey = c.ckey + excluded.ckey, hkey = c.hkey + excluded.hkey"
    for dim, group in DIMS.items()) + (
    "INSERT INTO index_cube AS c (dim, index_id, period, unit_type, grp, n, total, high, ckey, "
    f"hkey) SELECT 'method', x.index_id, s.period, {UNIT_TYPE}, m.method, COUNT(*), "
    f"SUM(x.total * 1.0 / x.n), SUM({HIGH}), SUM(s.record_key), SUM({HIGH} * s.record_key) "
    f"FROM submission s{JOIN_UNIT.format(schema='')} "
    "JOIN (SELECT DISTINCT submission_id, method FROM method_record WHERE submission_id IN "
    "(SELECT id FROM bulk_new)) m ON m.submission_id = s.id "
    "JOIN index_score x ON x.submission_id = s.id "
    f"WHERE {NEW} AND x.n > 0 GROUP BY x.index_id, s.period, {UNIT_TYPE}, m.method "
    "ON CONFLICT (dim, index_id, period, unit_type, grp) DO UPDATE "
    "SET n = c.n + excluded.n, total = c.total + excluded.total, "
    "high = c.high + excluded.high, ckey = c.ckey + excluded.ckey, hkey = c.hkey + excluded.hkey",
)

# The row triggers that keep the counts above, by table: paused while a batch is written.
# index_cube's keep its yearly sums, which INDEX_COUNTS adds once per batch instead of once
# per monthly row (on PostgreSQL they are statement triggers of other names).
COUNT_TRIGGERS: dict[str, tuple[str, ...]] = {
    "answer_record": ("answer_record_count", kept_items.ITEM_TRIGGER),
    "index_score": ("index_score_count", "index_score_cube"),
    "session_record": ("session_record_count", "session_record_unit_count",
                       kept_items.DECLINE_TRIGGER),
    "method_record": (kept_items.METHOD_TRIGGER,),
    "index_cube": ("index_cube_year", "index_cube_year_up"),
}
PG_COUNT_TRIGGERS: dict[str, tuple[str, ...]] = {
    **COUNT_TRIGGERS, "index_cube": ("index_cube_year_insert", "index_cube_year_update")}


# --- the cube's triggers (schema 0131) ------------------------------------------------------
# Generated here for one unit-type expression, so that the migration installs the triggers
# from the same definitions as ADD_COUNTS above, and its downgrade those of schema 0070.
CUBE_KEY = "dim, index_id, period, unit_type, grp"
SUMS = ("n", "total", "high", "ckey", "hkey")
_ROW_HIGH = "CASE WHEN {r}.total >= 4 * {r}.n THEN 1 ELSE 0 END"
_METHODS_OF = "(SELECT DISTINCT method FROM method_record WHERE submission_id = {r}.submission_id)"


def sqlite_score_triggers(unit_type: str = UNIT_TYPE, join: str = JOIN_UNIT.format(schema="")
                          ) -> tuple[str, str]:
    """SQLite: (what follows AFTER INSERT ON index_score, what follows AFTER DELETE ON it), as
    counters.Counter takes them: one score adds to (takes from) its record's row of every
    dimension and of each method the record used."""
    high, old_high = _ROW_HIGH.format(r="NEW"), _ROW_HIGH.format(r="OLD")
    add = ("ON CONFLICT (" + CUBE_KEY + ") DO UPDATE SET "
           + ", ".join(f"{c} = {c} + excluded.{c}" for c in SUMS))
    values = (f"1, NEW.total * 1.0 / NEW.n, {high}, s.record_key, {high} * s.record_key")
    on_insert = (
        f"WHEN NEW.n > 0 BEGIN "
        f"INSERT INTO index_cube ({CUBE_KEY}, {', '.join(SUMS)}) "
        f"SELECT d.dim, NEW.index_id, s.period, {unit_type}, {GROUP}, {values} "
        f"FROM submission s{join} CROSS JOIN {DIM_ROWS} d WHERE s.id = NEW.submission_id {add}; "
        f"INSERT INTO index_cube ({CUBE_KEY}, {', '.join(SUMS)}) "
        f"SELECT 'method', NEW.index_id, s.period, {unit_type}, m.method, {values} "
        f"FROM submission s{join} CROSS JOIN {_METHODS_OF.format(r='NEW')} m "
        f"WHERE s.id = NEW.submission_id "
        f"{add}; END")
    take = (f"UPDATE index_cube SET n = n - 1, total = total - OLD.total * 1.0 / OLD.n, "
            f"high = high - {old_high}, ckey = ckey - s.record_key, "
            f"hkey = hkey - {old_high} * s.record_key ")
    same = ("index_cube.period = s.period AND index_cube.index_id = OLD.index_id "
            f"AND index_cube.unit_type = {unit_type}")
    on_delete = (
        f"WHEN OLD.n > 0 BEGIN {take}FROM submission s{join} CROSS JOIN {DIM_ROWS} d "
        f"WHERE s.id = OLD.submission_id AND index_cube.dim = d.dim AND index_cube.grp = "
        f"{GROUP} AND {same}; "
        f"{take}FROM submission s{join} CROSS JOIN {_METHODS_OF.format(r='OLD')} m "
        f"WHERE s.id = OLD.submission_id AND index_cube.dim = 'method' "
        f"AND index_cube.grp = m.method AND {same}; END")
    return on_insert, on_delete


_PG_SUMS = ("pg_catalog.count(*), pg_catalog.sum(x.total * 1.0 / x.n), "
            "pg_catalog.count(*) FILTER (WHERE x.total >= 4 * x.n), "
            "pg_catalog.sum(s.record_key), "
            "COALESCE(pg_catalog.sum(s.record_key) FILTER (WHERE x.total >= 4 * x.n), 0)")


def _pg_grouped(rows: str, unit_type: str, join: str) -> str:
    """Per cube row: the sums of the index scores in the transition table `rows`.

    The batch's records are found first, by their ids (`b`, with their unit type and their
    group in every dimension), and the scores joined to those: joined to the whole
    submission table, each batch hashed every record in the store and scanned every method
    row. The dimensions are grouping sets of one pass over the batch's scores, not a cross
    join that grouped every score once per dimension (schema 0164)."""
    groups = ", ".join(f"{expr} AS g_{dim}" for dim, expr in DIMS.items())
    which = " ".join(f"WHEN GROUPING(s.g_{dim}) = 0 THEN '{dim}'" for dim in DIMS)
    grp = " ".join(f"WHEN GROUPING(s.g_{dim}) = 0 THEN s.g_{dim}" for dim in DIMS)
    sets = ", ".join(f"(s.g_{dim})" for dim in DIMS)
    return (f"WITH b AS MATERIALIZED (SELECT s.id, s.period COLLATE \"C\" AS period, s.record_key, "
            f"{unit_type} AS ubu_unit_type, {groups} "
            f"FROM public.submission s{join} "
            f"WHERE s.id = ANY (ARRAY(SELECT DISTINCT submission_id FROM {rows}))), "
            "m AS MATERIALIZED (SELECT DISTINCT submission_id, method "
            "FROM public.method_record WHERE submission_id = ANY (ARRAY(SELECT id FROM b))) "
            f"SELECT CASE {which} END, x.index_id, s.period, s.ubu_unit_type AS unit_type, "
            f"CASE {grp} END AS grp, "
            f"{_PG_SUMS} FROM (SELECT submission_id, index_id COLLATE \"C\" AS index_id, n, "
            f"total FROM {rows}) x JOIN b s ON s.id = x.submission_id "
            "WHERE x.n > 0 "
            f"GROUP BY x.index_id, s.period, s.ubu_unit_type, GROUPING SETS ({sets}) "
            "UNION ALL "
            "SELECT 'method', x.index_id, s.period, s.ubu_unit_type, m.method, "
            f"{_PG_SUMS} FROM {rows} x JOIN b s ON s.id = x.submission_id "
            "JOIN m ON m.submission_id = s.id "
            "WHERE x.n > 0 GROUP BY x.index_id, s.period, s.ubu_unit_type, m.method")


def pg_score_statements(unit_type: str = UNIT_TYPE, join: str = JOIN_UNIT.format(
        schema="public.")) -> tuple[str, str]:
    """PostgreSQL: (on insert, on delete) of the cube's statement trigger on index_score, over
    the transition tables new_rows and old_rows (counters.StatementCounter)."""
    sums = ", ".join(f"{c} = c.{c} + EXCLUDED.{c}" for c in SUMS)
    on_insert = f"""
        INSERT INTO public.index_cube AS c ({CUBE_KEY}, {', '.join(SUMS)})
        {_pg_grouped("new_rows", unit_type, join)}
        ON CONFLICT ({CUBE_KEY}) DO UPDATE SET {sums}"""
    on_delete = f"""
        UPDATE public.index_cube c SET n = c.n - u.k, total = c.total - u.t,
               high = c.high - u.h, ckey = c.ckey - u.ck, hkey = c.hkey - u.hk
        FROM ({_pg_grouped("old_rows", unit_type, join)})
             AS u(dim, index_id, period, unit_type, grp, k, t, h, ck, hk)
        WHERE c.dim = u.dim AND c.index_id = u.index_id AND c.period = u.period
          AND c.unit_type = u.unit_type AND c.grp = u.grp"""
    return on_insert, on_delete


def unit_moves(unit: str, before: str, after: str, *, postgres: bool, when: str = "") -> list[str]:
    """Move the cube sums of unit `unit`'s records from unit type `before` to `after` (SQL
    expressions): subtract them under the one, add them under the other. Counts, score sums
    and cell keys of a set of records add and subtract exactly, as withdrawals do. `when`:
    a further condition (" AND …") on doing it at all."""
    t = "public." if postgres else ""
    agg = "pg_catalog." if postgres else ""
    high = "CASE WHEN x.total >= 4 * x.n THEN 1 ELSE 0 END"
    own = "c." if postgres else ""
    into = (f"INSERT INTO {t}index_cube{' AS c' if postgres else ''} "
            f"({CUBE_KEY}, {', '.join(SUMS)}) ")
    add = (f" ON CONFLICT ({CUBE_KEY}) DO UPDATE SET "
           + ", ".join(f"{c} = {own}{c} + excluded.{c}" for c in SUMS))
    methods = (f"(SELECT DISTINCT submission_id, method FROM {t}method_record WHERE "
               f"submission_id IN (SELECT id FROM {t}submission WHERE unit_id = {unit}))")
    out = []
    for sign, unit_type in (("-", before), ("", after)):
        sums = ", ".join(f"{sign}{agg}{f}" for f in (
            "count(*)", "sum(x.total * 1.0 / x.n)", f"sum({high})", "sum(s.record_key)",
            f"sum({high} * s.record_key)"))
        scores = (f"FROM {t}submission s JOIN {t}index_score x ON x.submission_id = s.id ")
        where = f"WHERE s.unit_id = {unit} AND x.n > 0{when} "
        out.append(f"{into}SELECT d.dim, x.index_id, s.period, {unit_type}, {GROUP}, {sums} "
                   f"{scores}CROSS JOIN {DIM_ROWS} d {where}"
                   f"GROUP BY d.dim, x.index_id, s.period, {GROUP}{add}")
        out.append(f"{into}SELECT 'method', x.index_id, s.period, {unit_type}, m.method, {sums} "
                   f"{scores}JOIN {methods} m ON m.submission_id = s.id {where}"
                   f"GROUP BY x.index_id, s.period, m.method{add}")
    return out


def sqlite_unit_triggers() -> list[str]:
    """SQLite: the triggers on `unit` that keep the cube's unit type the registry's."""
    def moves(*args: str, when: str = "") -> str:
        return "; ".join(unit_moves(*args, postgres=False, when=when)) + "; "

    return [
        "CREATE TRIGGER index_cube_unit_in AFTER INSERT ON unit BEGIN "
        + moves("NEW.id", "-1", "COALESCE(NEW.unit_type, -1)") + "END",
        "CREATE TRIGGER index_cube_unit_un AFTER DELETE ON unit BEGIN "
        + moves("OLD.id", "COALESCE(OLD.unit_type, -1)", "-1") + "END",
        "CREATE TRIGGER index_cube_unit_up AFTER UPDATE OF id, unit_type ON unit "
        "WHEN OLD.id IS NOT NEW.id OR OLD.unit_type IS NOT NEW.unit_type BEGIN "
        + moves("OLD.id", "COALESCE(OLD.unit_type, -1)",
                "CASE WHEN OLD.id = NEW.id THEN COALESCE(NEW.unit_type, -1) ELSE -1 END")
        + moves("NEW.id", "-1", "COALESCE(NEW.unit_type, -1)", when=" AND OLD.id <> NEW.id")
        + "END",
    ]


SQLITE_UNIT_TRIGGERS = ("index_cube_unit_in", "index_cube_unit_un", "index_cube_unit_up")


def pg_unit_trigger() -> list[str]:
    """PostgreSQL: the same as one row trigger on public.unit, run as the tables' owner."""
    from ubu_tui.store.pg_security import definer, private

    def moves(*args: str) -> str:
        return ";\n        ".join(unit_moves(*args, postgres=True)) + ";"

    body = f"""BEGIN
    IF TG_OP = 'INSERT' THEN
        {moves("NEW.id", "-1", "COALESCE(NEW.unit_type, -1)")}
    ELSIF TG_OP = 'DELETE' THEN
        {moves("OLD.id", "COALESCE(OLD.unit_type, -1)", "-1")}
    ELSIF OLD.id = NEW.id THEN
        IF OLD.unit_type IS DISTINCT FROM NEW.unit_type THEN
            {moves("OLD.id", "COALESCE(OLD.unit_type, -1)", "COALESCE(NEW.unit_type, -1)")}
        END IF;
    ELSE
        {moves("OLD.id", "COALESCE(OLD.unit_type, -1)", "-1")}
        {moves("NEW.id", "-1", "COALESCE(NEW.unit_type, -1)")}
    END IF;
    RETURN NULL;
END"""
    return [definer("ubu_cube_unit", "", "trigger", body, volatility="VOLATILE"),
            private("ubu_cube_unit()"),
            "DROP TRIGGER IF EXISTS index_cube_unit ON public.unit",
            "CREATE TRIGGER index_cube_unit AFTER INSERT OR UPDATE OR DELETE ON public.unit "
            "FOR EACH ROW EXECUTE FUNCTION public.ubu_cube_unit()"]


# --- parts per month, unit, respondent and disposition (schema 0131) ------------------------
UNIT_DISPOSITIONS_SQLITE = (
    "BEGIN INSERT INTO disposition_unit_count (period, unit_id, respondent, disposition, n, "
    "ckey) SELECT period, unit_id, NEW.respondent, NEW.disposition, 1, record_key "
    "FROM submission WHERE id = NEW.submission_id "
    "ON CONFLICT (period, unit_id, respondent, disposition) DO UPDATE SET n = n + 1, "
    "ckey = ckey + excluded.ckey; END",
    "BEGIN UPDATE disposition_unit_count SET n = n - 1, ckey = ckey - s.record_key "
    "FROM submission s WHERE s.id = OLD.submission_id "
    "AND disposition_unit_count.period = s.period AND disposition_unit_count.unit_id = s.unit_id "
    "AND disposition_unit_count.respondent = OLD.respondent "
    "AND disposition_unit_count.disposition = OLD.disposition; END")
UNIT_DISPOSITIONS_PG = ("""
        INSERT INTO public.disposition_unit_count AS c (period, unit_id, respondent,
                                                        disposition, n, ckey)
        SELECT s.period, s.unit_id, r.respondent, r.disposition, pg_catalog.count(*),
               pg_catalog.sum(s.record_key)
        FROM new_rows r JOIN """ + batch_of("new_rows") + """ s ON s.id = r.submission_id
        GROUP BY s.period, s.unit_id, r.respondent, r.disposition
        ON CONFLICT (period, unit_id, respondent, disposition) DO UPDATE
        SET n = c.n + EXCLUDED.n, ckey = c.ckey + EXCLUDED.ckey""", """
        UPDATE public.disposition_unit_count c SET n = c.n - d.k, ckey = c.ckey - d.ck
        FROM (SELECT s.period, s.unit_id, r.respondent, r.disposition, pg_catalog.count(*) AS k,
                     pg_catalog.sum(s.record_key) AS ck
              FROM old_rows r JOIN """ + batch_of("old_rows") + """ s
                   ON s.id = r.submission_id
              GROUP BY s.period, s.unit_id, r.respondent, r.disposition) d
        WHERE c.period = d.period AND c.unit_id = d.unit_id AND c.respondent = d.respondent
          AND c.disposition = d.disposition""")
