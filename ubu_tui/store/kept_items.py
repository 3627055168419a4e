"""Counts the standard report reads per group, kept as records come and go (schema 0141).

The report shows two items by group: the serious-violation share by unit type, municipality and
unit, and the breakdown share by unit type. Read from the answers, each is one item's 100 000
answers joined to their records at national scale, 0.08–0.12 CPU s apiece, a third of the
report. `item_group_count` keeps those items' answers per month, code and unit or municipality
(a unit type is a sum of its units, as the index figures per registry group are), so a year
reads some tens of thousands of small rows in key order.

`method_count` keeps the methods item's rows per month, method and applied-as-intended code:
the report's methods table read every method row of the year (0.12 CPU s). `decline_count`
keeps the declined parts per month, respondent and reason: the declines read every part of the
year (0.05 CPU s).

Both are kept like disposition_unit_count: SQLite row triggers, PostgreSQL statement triggers
over the transition tables, and, for a bulk writer that pauses them, the grouped statements in
ADD_COUNTS (added to store/cube.py's). Cell keys are sums of record keys, so the kept cells are
exactly those counted from the records (tests/test_kept_items.py holds them equal).
"""

from __future__ import annotations

from collections.abc import Callable

from ubu_tui.store.counters import batch_of

KEPT_ITEMS = ("y_violation", "cw_end")
ITEMS_SQL = "('" + "', '".join(KEPT_ITEMS) + "')"
# dimension → the group on the submission row `s` (integer, as index_cube keeps them)
DIMS = {"unit": "s.unit_id", "municipality": "CAST(s.municipality AS INTEGER)"}
DIM_ROWS = "(" + " UNION ALL ".join(f"SELECT '{d}' AS dim" for d in DIMS) + ")"
GROUP = "CASE d.dim " + " ".join(f"WHEN '{d}' THEN {e}" for d, e in DIMS.items()) + " END"
ITEM_KEY = "dim, item_id, period, grp, code"
METHOD_KEY = "item_id, period, method, applied"
DECLINE_KEY = "period, respondent, reason"
REASON = "COALESCE({r}.decline_reason, 0)"      # 0: declined without a reason (before 2026.2)
COUNTED = "('value', 'nonresponse')"
NEW = "s.id IN (SELECT id FROM bulk_new)"      # as store/cube.py: the records of the batch

# --- bulk writers: one grouped statement each (store/bulk.py runs cube.ADD_COUNTS) -----------
ADD_COUNTS: tuple[str, ...] = (
    f"INSERT INTO item_group_count AS c ({ITEM_KEY}, n, ckey) "
    f"SELECT d.dim, a.item_id, s.period, {GROUP}, a.code, COUNT(*), SUM(s.record_key) "
    "FROM submission s "
    "JOIN answer_record a ON a.submission_id = s.id "
    f"CROSS JOIN {DIM_ROWS} d "
    f"WHERE {NEW} AND a.item_id IN {ITEMS_SQL} AND a.outcome IN {COUNTED} "
    f"GROUP BY d.dim, a.item_id, s.period, {GROUP}, a.code "
    f"ON CONFLICT ({ITEM_KEY}) DO UPDATE "
    "SET n = c.n + excluded.n, ckey = c.ckey + excluded.ckey",

    f"INSERT INTO method_count AS c ({METHOD_KEY}, n, ckey) "
    "SELECT r.item_id, s.period, r.method, r.applied, COUNT(*), SUM(s.record_key) "
    "FROM submission s "
    "JOIN method_record r ON r.submission_id = s.id "
    f"WHERE {NEW} GROUP BY r.item_id, s.period, r.method, r.applied "
    f"ON CONFLICT ({METHOD_KEY}) DO UPDATE "
    "SET n = c.n + excluded.n, ckey = c.ckey + excluded.ckey",

    f"INSERT INTO decline_count AS c ({DECLINE_KEY}, n, ckey) "
    f"SELECT s.period, r.respondent, {REASON.format(r='r')}, COUNT(*), SUM(s.record_key) "
    "FROM submission s "
    "JOIN session_record r ON r.submission_id = s.id "
    f"WHERE {NEW} AND r.disposition = 'declined' "
    f"GROUP BY s.period, r.respondent, {REASON.format(r='r')} "
    f"ON CONFLICT ({DECLINE_KEY}) DO UPDATE "
    "SET n = c.n + excluded.n, ckey = c.ckey + excluded.ckey",
)

# --- SQLite: row triggers, (what follows AFTER INSERT ON …, what follows AFTER DELETE ON …) ---
ITEM_TRIGGERS_SQLITE = (
    f"WHEN NEW.item_id IN {ITEMS_SQL} AND NEW.outcome IN {COUNTED} BEGIN "
    f"INSERT INTO item_group_count ({ITEM_KEY}, n, ckey) "
    f"SELECT d.dim, NEW.item_id, s.period, {GROUP}, NEW.code, 1, s.record_key "
    f"FROM submission s CROSS JOIN {DIM_ROWS} d WHERE s.id = NEW.submission_id "
    f"ON CONFLICT ({ITEM_KEY}) DO UPDATE SET n = n + 1, ckey = ckey + excluded.ckey; END",
    f"WHEN OLD.item_id IN {ITEMS_SQL} AND OLD.outcome IN {COUNTED} BEGIN "
    "UPDATE item_group_count SET n = n - 1, ckey = ckey - s.record_key "
    f"FROM submission s CROSS JOIN {DIM_ROWS} d WHERE s.id = OLD.submission_id "
    "AND item_group_count.dim = d.dim AND item_group_count.item_id = OLD.item_id "
    f"AND item_group_count.period = s.period AND item_group_count.grp = {GROUP} "
    "AND item_group_count.code = OLD.code; END")
METHOD_TRIGGERS_SQLITE = (
    f"BEGIN INSERT INTO method_count ({METHOD_KEY}, n, ckey) "
    "SELECT NEW.item_id, period, NEW.method, NEW.applied, 1, record_key "
    "FROM submission WHERE id = NEW.submission_id "
    f"ON CONFLICT ({METHOD_KEY}) DO UPDATE SET n = n + 1, ckey = ckey + excluded.ckey; END",
    "BEGIN UPDATE method_count SET n = n - 1, ckey = ckey - s.record_key "
    "FROM submission s WHERE s.id = OLD.submission_id "
    "AND method_count.item_id = OLD.item_id AND method_count.period = s.period "
    "AND method_count.method = OLD.method AND method_count.applied = OLD.applied; END")

DECLINE_TRIGGERS_SQLITE = (
    f"WHEN NEW.disposition = 'declined' BEGIN INSERT INTO decline_count ({DECLINE_KEY}, n, "
    f"ckey) SELECT period, NEW.respondent, {REASON.format(r='NEW')}, 1, record_key "
    "FROM submission WHERE id = NEW.submission_id "
    f"ON CONFLICT ({DECLINE_KEY}) DO UPDATE SET n = n + 1, ckey = ckey + excluded.ckey; END",
    "WHEN OLD.disposition = 'declined' BEGIN UPDATE decline_count SET n = n - 1, "
    "ckey = ckey - s.record_key FROM submission s WHERE s.id = OLD.submission_id "
    "AND decline_count.period = s.period AND decline_count.respondent = OLD.respondent "
    f"AND decline_count.reason = {REASON.format(r='OLD')}; END")


# --- PostgreSQL: statement triggers over new_rows / old_rows (counters.StatementCounter) -----
def _pg_items(rows: str) -> str:
    return (f"SELECT d.dim, a.item_id, s.period, {GROUP} AS grp, a.code, pg_catalog.count(*) "
            "AS k, pg_catalog.sum(s.record_key) AS ck "
            f"FROM {rows} a JOIN {batch_of(rows)} s ON s.id = a.submission_id "
            f"CROSS JOIN {DIM_ROWS} d "
            f"WHERE a.item_id IN {ITEMS_SQL} AND a.outcome IN {COUNTED} "
            f"GROUP BY d.dim, a.item_id, s.period, {GROUP}, a.code")


def _pg_methods(rows: str) -> str:
    return ("SELECT r.item_id, s.period, r.method, r.applied, pg_catalog.count(*) AS k, "
            "pg_catalog.sum(s.record_key) AS ck "
            f"FROM {rows} r JOIN {batch_of(rows)} s ON s.id = r.submission_id "
            "GROUP BY r.item_id, s.period, r.method, r.applied")


def _pg_declines(rows: str) -> str:
    return (f"SELECT s.period, r.respondent, {REASON.format(r='r')} AS reason, "
            "pg_catalog.count(*) AS k, pg_catalog.sum(s.record_key) AS ck "
            f"FROM {rows} r JOIN {batch_of(rows)} s ON s.id = r.submission_id "
            f"WHERE r.disposition = 'declined' "
            f"GROUP BY s.period, r.respondent, {REASON.format(r='r')}")


def _pg_bodies(table: str, key: str, counted: Callable[[str], str]) -> tuple[str, str]:
    """A kept count's two statement-trigger bodies: the inserted rows' counts added, the
    deleted rows' taken off (`counted(rows)` groups them by `key`, as k and ck)."""
    match = " AND ".join(f"c.{column} = d.{column}" for column in key.split(", "))
    return (f"""
        INSERT INTO public.{table} AS c ({key}, n, ckey)
        {counted("new_rows")}
        ON CONFLICT ({key}) DO UPDATE
        SET n = c.n + EXCLUDED.n, ckey = c.ckey + EXCLUDED.ckey""", f"""
        UPDATE public.{table} c SET n = c.n - d.k, ckey = c.ckey - d.ck
        FROM ({counted("old_rows")}) d
        WHERE {match}""")


ITEM_TRIGGERS_PG = _pg_bodies("item_group_count", ITEM_KEY, _pg_items)
METHOD_TRIGGERS_PG = _pg_bodies("method_count", METHOD_KEY, _pg_methods)
DECLINE_TRIGGERS_PG = _pg_bodies("decline_count", DECLINE_KEY, _pg_declines)

# trigger names, by counted table (for cube.COUNT_TRIGGERS: paused by bulk writers)
ITEM_TRIGGER = "answer_record_group_count"
METHOD_TRIGGER = "method_record_count"
DECLINE_TRIGGER = "session_record_decline_count"
