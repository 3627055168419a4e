"""PostgreSQL functions that hand out suppressed figures to roles that may not read records.

One template, two kinds of cell: an item's answers and a follow-up's index score. The rules are
those of ubu_tui.results.disclosure (primary on asked and answered counts; then the smallest
further groups until the hidden ones are two or more and add up to the threshold, else the
total is hidden); a test keeps the two in agreement.
"""

from __future__ import annotations

from ubu_tui.store.pg_security import NO_WRITES_GUARD, definer

ARGS = "p_from text, p_to text, p_by text, p_threshold integer"
RETURNS = ("TABLE({key} text, grp text, asked integer, n integer, {sum_name} {sum_type}, "
           "n_high integer, hidden text)")

BODY = r"""
DECLARE
    t integer := GREATEST(COALESCE(p_threshold, 3), 3);   -- never below the standard
BEGIN
{guard}
    IF p_by NOT IN ('none', 'unit', 'municipality', 'unit_type') THEN
        RAISE EXCEPTION 'unknown breakdown %; use none, unit, municipality or unit_type', p_by;
    END IF;
    RETURN QUERY
    WITH sel AS MATERIALIZED (
        SELECT s.id AS sid,
               CASE p_by WHEN 'unit' THEN s.unit_id::text
                         WHEN 'municipality' THEN s.municipality::text
                         WHEN 'unit_type' THEN COALESCE((
                             SELECT g.code::text FROM public.answer_record g
                             WHERE g.submission_id = s.id AND g.item_id = 'cw_unit_type'
                               AND g.outcome = 'value'), '-1')
                         ELSE '0' END AS g
        FROM public.submission s WHERE s.period BETWEEN p_from AND p_to),
{cells}    flagged AS (
        SELECT c.*, ((c.c_asked > 0 AND c.c_asked < t) OR (c.c_n > 0 AND c.c_n < t)) AS prim
        FROM cells c),
    base AS (   -- what the primary suppression alone hides, per item
        SELECT f.item, COUNT(*) FILTER (WHERE f.prim) AS p_count,
               COALESCE(SUM(f.c_asked) FILTER (WHERE f.prim), 0) AS p_asked,
               COALESCE(SUM(f.c_n) FILTER (WHERE f.prim), 0) AS p_n,
               SUM(f.c_asked) AS tot_asked, SUM(f.c_n) AS tot_n
        FROM flagged f GROUP BY f.item),
    ranked AS ( -- shown groups, smallest first, with what hiding them up to here would hide
        SELECT f.item, f.g,
               ROW_NUMBER() OVER w AS rk,
               b.p_count + ROW_NUMBER() OVER w AS k_count,
               b.p_asked + SUM(f.c_asked) OVER w AS k_asked,
               b.p_n + SUM(f.c_n) OVER w AS k_n
        FROM flagged f JOIN base b ON b.item = f.item
        WHERE NOT f.prim
        WINDOW w AS (PARTITION BY f.item ORDER BY f.c_asked + f.c_n, f.g
                     ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)),
    cut AS (    -- how many shown groups must be hidden as well
        SELECT b.item,
               CASE WHEN b.p_count = 0 OR (b.p_count >= 2
                         AND NOT (b.p_asked > 0 AND b.p_asked < t)
                         AND NOT (b.p_n > 0 AND b.p_n < t)) THEN 0
                    ELSE COALESCE((SELECT MIN(r.rk) FROM ranked r WHERE r.item = b.item
                                   AND r.k_count >= 2
                                   AND NOT (r.k_asked > 0 AND r.k_asked < t)
                                   AND NOT (r.k_n > 0 AND r.k_n < t)), -1) END AS k,
               b.tot_asked, b.tot_n
        FROM base b),
    out AS (
        SELECT f.item, f.g, f.c_asked, f.c_n, f.c_sum, f.c_high,
               CASE WHEN f.prim THEN 'primary'
                    WHEN cut.k = -1 OR r.rk <= cut.k THEN 'secondary' END AS why
        FROM flagged f JOIN cut ON cut.item = f.item
        LEFT JOIN ranked r ON r.item = f.item AND r.g = f.g)
    SELECT o.item, o.g,
           CASE WHEN o.why IS NULL THEN o.c_asked END,
           CASE WHEN o.why IS NULL THEN o.c_n END,
           CASE WHEN o.why IS NULL THEN o.c_sum END,
           CASE WHEN o.why IS NULL THEN o.c_high END,
           o.why
    FROM out o
    UNION ALL
    SELECT c.item, '__total__',
           CASE WHEN tw.why IS NULL THEN c.tot_asked::int END,
           CASE WHEN tw.why IS NULL THEN c.tot_n::int END,
           CASE WHEN tw.why IS NULL THEN (SELECT SUM(x.c_sum) FROM cells x
                                          WHERE x.item = c.item)::{sum_type} END,
           CASE WHEN tw.why IS NULL THEN (SELECT SUM(x.c_high) FROM cells x
                                          WHERE x.item = c.item)::int END,
           tw.why
    FROM cut c
    CROSS JOIN LATERAL (SELECT CASE
        WHEN (c.tot_asked > 0 AND c.tot_asked < t) OR (c.tot_n > 0 AND c.tot_n < t)
            THEN 'primary'
        WHEN c.k = -1 THEN 'secondary' END AS why) tw;
END
"""

ITEM_CELLS = r"""    cells AS (
        SELECT a.item_id::text AS item, sel.g,
               COUNT(*)::int AS c_asked,
               (COUNT(*) FILTER (WHERE a.code >= 0))::int AS c_n,
               COALESCE(SUM(a.code) FILTER (WHERE a.code >= 0), 0)::bigint AS c_sum,
               (COUNT(*) FILTER (WHERE a.code >= 4))::int AS c_high
        FROM sel JOIN public.answer_record a ON a.submission_id = sel.sid
        WHERE a.outcome IN ('value', 'nonresponse')
        GROUP BY a.item_id, sel.g),
"""

INDEX_CELLS = r"""    cells AS (
        SELECT x.index_id::text AS item, sel.g,
               COUNT(*)::int AS c_asked,
               COUNT(*)::int AS c_n,
               SUM(x.total::double precision / x.n) AS c_sum,
               (COUNT(*) FILTER (WHERE x.total >= 4 * x.n))::int AS c_high
        FROM sel JOIN public.index_score x ON x.submission_id = sel.sid
        WHERE x.n > 0
        GROUP BY x.index_id, sel.g),
"""


def _figures_sql(name: str, key: str, sum_name: str, sum_type: str, cells: str) -> str:
    body = BODY.format(guard=NO_WRITES_GUARD, cells=cells, sum_type=sum_type)
    return definer(name, ARGS, RETURNS.format(key=key, sum_name=sum_name, sum_type=sum_type),
                   body)


def item_figures_sql() -> str:
    return _figures_sql("ubu_item_figures", "item_id", "sum_codes", "bigint", ITEM_CELLS)


def index_figures_sql() -> str:
    return _figures_sql("ubu_index_figures", "index_id", "sum_scores", "double precision",
                        INDEX_CELLS)
