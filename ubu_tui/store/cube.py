"""Index figures per group the database keeps for every breakdown, and the kept counts'
statement-level form.

index_cube holds, per month, index and dimension group, the index scores' count, sum and
number scoring 4 or more with their cell keys (see results/ptable.py), split by the
caseworker's unit type as well so that the results screen's unit-type filter is served from it
too: an index view then reads at most a few hundred thousand small rows instead of 1.5 million
scores joined to their records. Items need no cube: one item's answers are reached through a
covering index in about 0.1 s at national scale, and a cube of every answer per dimension costs
more to keep than it saves (measured: 1.2 s per 10 000 records and dimension to build).

Row triggers keep the counts at every submission and withdrawal (migrations 0020, 0070); bulk
writers (import, the synthesiser) pause them and add a whole batch's counts with the grouped
statements below (store/bulk.py), so the counts are the same whichever way a record came in.
"""

from __future__ import annotations

# dimension id → its group on the submission row `s` (the results' partition DIMENSIONS; the
# method dimension, where a record is in one group per method, is kept apart below)
DIMS: dict[str, str] = {
    "unit": "s.unit_id",
    "municipality": "CAST(s.municipality AS INTEGER)",
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

# Statement-level counting: add the counts of the records listed in `bulk_new` (one query per
# kept count, grouped before it touches the count table). Each reads from the batch's records
# outwards (`s.id IN bulk_new`): written as a join from bulk_new, SQLite chose to scan every
# answer in the store instead, so a batch cost more the more the store held. The same figures
# the row triggers keep; a test holds the two ways equal.
ADD_COUNTS: tuple[str, ...] = (
    "INSERT INTO item_count AS c (period, item_id, code, n, ckey) "
    "SELECT s.period, a.item_id, a.code, COUNT(*), SUM(s.record_key) "
    "FROM submission s "
    "JOIN answer_record a ON a.submission_id = s.id "
    f"WHERE {NEW} AND a.outcome IN {COUNTED} GROUP BY s.period, a.item_id, a.code "
    "ON CONFLICT (period, item_id, code) DO UPDATE "
    "SET n = c.n + excluded.n, ckey = c.ckey + excluded.ckey",

    "INSERT INTO index_count AS c (period, unit_id, index_id, n, total, high, ckey, hkey) "
    f"SELECT s.period, s.unit_id, x.index_id, COUNT(*), SUM(x.total * 1.0 / x.n), SUM({HIGH}), "
    f"SUM(s.record_key), SUM({HIGH} * s.record_key) "
    "FROM submission s "
    "JOIN index_score x ON x.submission_id = s.id "
    f"WHERE {NEW} AND x.n > 0 GROUP BY s.period, s.unit_id, x.index_id "
    "ON CONFLICT (period, unit_id, index_id) DO UPDATE "
    "SET n = c.n + excluded.n, total = c.total + excluded.total, "
    "high = c.high + excluded.high, ckey = c.ckey + excluded.ckey, hkey = c.hkey + excluded.hkey",

    "INSERT INTO disposition_count AS c (period, respondent, disposition, n, ckey) "
    "SELECT s.period, r.respondent, r.disposition, COUNT(*), SUM(s.record_key) "
    "FROM submission s "
    "JOIN session_record r ON r.submission_id = s.id "
    f"WHERE {NEW} GROUP BY s.period, r.respondent, r.disposition "
    "ON CONFLICT (period, respondent, disposition) DO UPDATE "
    "SET n = c.n + excluded.n, ckey = c.ckey + excluded.ckey",

) + tuple(
    "INSERT INTO index_cube AS c (dim, index_id, period, unit_type, grp, n, total, high, ckey, "
    f"hkey) SELECT '{dim}', x.index_id, s.period, s.bg_unit_type, {group}, COUNT(*), "
    f"SUM(x.total * 1.0 / x.n), SUM({HIGH}), SUM(s.record_key), SUM({HIGH} * s.record_key) "
    "FROM submission s "
    "JOIN index_score x ON x.submission_id = s.id "
    f"WHERE {NEW} AND x.n > 0 GROUP BY x.index_id, s.period, s.bg_unit_type, {group} "
    "ON CONFLICT (dim, index_id, period, unit_type, grp) DO UPDATE "
    "SET n = c.n + excluded.n, total = c.total + excluded.total, "
    "high = c.high + excluded.high, ckey = c.ckey + excluded.ckey, hkey = c.hkey + excluded.hkey"
    for dim, group in DIMS.items()) + (
    # the method dimension: a record counts once in the group of each method it used
    "INSERT INTO index_cube AS c (dim, index_id, period, unit_type, grp, n, total, high, ckey, "
    "hkey) SELECT 'method', x.index_id, s.period, s.bg_unit_type, m.method, COUNT(*), "
    f"SUM(x.total * 1.0 / x.n), SUM({HIGH}), SUM(s.record_key), SUM({HIGH} * s.record_key) "
    "FROM submission s "
    "JOIN (SELECT DISTINCT submission_id, method FROM method_record WHERE submission_id IN "
    "(SELECT id FROM bulk_new)) m ON m.submission_id = s.id "
    "JOIN index_score x ON x.submission_id = s.id "
    f"WHERE {NEW} AND x.n > 0 GROUP BY x.index_id, s.period, s.bg_unit_type, m.method "
    "ON CONFLICT (dim, index_id, period, unit_type, grp) DO UPDATE "
    "SET n = c.n + excluded.n, total = c.total + excluded.total, "
    "high = c.high + excluded.high, ckey = c.ckey + excluded.ckey, hkey = c.hkey + excluded.hkey",
)

# The row triggers that keep the counts above, by table: paused while a batch is written.
COUNT_TRIGGERS: dict[str, tuple[str, ...]] = {
    "answer_record": ("answer_record_count",),
    "index_score": ("index_score_count", "index_score_cube"),
    "session_record": ("session_record_count",),
}
