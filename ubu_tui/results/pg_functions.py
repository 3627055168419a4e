"""PostgreSQL figure functions: the results layer's cell-key method, inside the database.

Roles that may not read records (ubu_analyst, ubu_caseworker) get figures only through these
SECURITY DEFINER functions, and the functions return only what the results layer publishes:
perturbed counts, means from perturbed sums, shares of perturbed counts; groups under the
threshold are left out, a group hidden for one item (index, respondent) is left out for all
of the call, and a hidden total comes back without figures. Nothing exact leaves them.

The SQL is generated from the same definitions as the results layer (query.DIMENSIONS for the
groups, ptable for the perturbation; the table itself is the `ptable` rows written by schema
0020), and tests/test_postgres.py keeps the two in agreement figure by figure.

Style (as the role model of the store asks): search_path fixed to pg_catalog, public, pg_temp
(pg_temp last), every object schema-qualified, inputs checked against a whitelist.
"""

from __future__ import annotations

from typing import Any

from ubu_tui.results import ptable
from ubu_tui.results.disclosure import DEFAULT_THRESHOLD as STANDARD
from ubu_tui.results.query import DIMENSIONS, MISSING, NATIONAL_ONLY, registry_expr
from ubu_tui.store.cube import DIMS as CUBE_DIMS
from ubu_tui.store.kept_items import KEPT_ITEMS

# JIT off: at 100 000 follow-ups the planner's costs pass jit_above_cost and every call spent
# 0.2-0.3 s compiling its expressions, more than some whole calls take without it.
# Custom plans always: PL/pgSQL caches the query's plan per session, and from the sixth call
# on took the generic plan, planned without knowing the breakdown, the items or the period:
# an item call by municipality at 100 000 follow-ups went from 0.8 s to 10 s on a connection
# that had asked five times before (the app's pooled connections do).
HEAD = ("LANGUAGE plpgsql STABLE SECURITY DEFINER "
        "SET search_path = pg_catalog, public, pg_temp SET jit = off "
        "SET plan_cache_mode = force_custom_plan AS $fn$")
BREAKDOWNS = tuple(d.id for d in DIMENSIONS.values() if d.partition)
SPACE = ptable.KEY_SPACE

ITEM_ARGS = "text, text, text, integer, text[], text, integer[]"
DISPOSITION_ARGS = "text, text, text, integer, text, integer[]"
ASKED_ROW = "__asked__"     # ubu_disposition_figures: the published base of the response rate
SIGNATURES = (f"public.ubu_item_figures({ITEM_ARGS})", f"public.ubu_index_figures({ITEM_ARGS})",
              f"public.ubu_disposition_figures({DISPOSITION_ARGS})",
              f"public.ubu_decline_figures({ITEM_ARGS})")


def _expr(dim_id: str, unit: str = "gu") -> str:
    """The group key of a follow-up `s` as text, as query._selected places it; a registry
    group from `unit`, the follow-up's unit row LEFT JOINed (UNIT_JOINS)."""
    dim = DIMENSIONS[dim_id]
    if dim.registry is not None:
        # the registry row joined once, as query._placed joins it: the scalar subquery of
        # registry_expr ran once per row (per answer, when the answers are read first); the
        # unit's id is its key, so the join finds the row the subquery found, or none (MISSING)
        return f"(COALESCE({unit}.{dim.registry}, {MISSING}))::text"
    if dim.item is None or "bg." not in dim.expr:
        # the caseworker's background answers are columns of the submission row
        # (store/background.py): reading them needs no probe of answer_record per follow-up
        return f"({dim.expr})::text"
    # a scalar subquery with a LEFT JOIN: one row, NULLs when the answer is missing, exactly
    # as the results layer's LEFT JOIN places the follow-up
    return (f"(SELECT ({dim.expr})::text FROM (SELECT 1) one LEFT JOIN public.answer_record bg "
            f"ON bg.submission_id = s.id AND bg.item_id = '{dim.item}')")


def _group_case(param: str, unit: str) -> str:
    whens = " ".join(f"WHEN '{d}' THEN {_expr(d, unit)}" for d in BREAKDOWNS)
    return f"CASE {param} {whens} ELSE '0' END"


# The unit rows of the breakdown's (gu) and the filter's (fu) registry groups. With the
# breakdown and the filter known when the query is planned (custom plans, HEAD), a join whose
# columns the chosen CASE arm does not read is removed by the planner (unit.id is unique).
UNIT_JOINS = """
        LEFT JOIN public.unit gu ON gu.id = s.unit_id
        LEFT JOIN public.unit fu ON fu.id = s.unit_id"""


# The periods figures are made for (results/periods.py): a calendar month, quarter, half-year
# or year, and for a login (not the owner) only once the month after it is over. Any range of
# months was a new cell with its own draw of the noise, and "total minus the shown groups" over
# the ranges holding a hidden group's month averaged its count out; a period still taking in
# records became a new cell at every monthly release.
PERIOD_CHECKS = r"""
    IF p_from IS NULL OR p_to IS NULL OR p_from !~ '^[0-9]{4}-(0[1-9]|1[0-2])$'
            OR p_to !~ '^[0-9]{4}-(0[1-9]|1[0-2])$' THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = pg_catalog.format('the period %s to %s is not two months written YYYY-MM',
                                        p_from, p_to);
    END IF;
    IF pg_catalog.left(p_from, 4) <> pg_catalog.left(p_to, 4)
            OR NOT (pg_catalog.right(p_from, 2) = pg_catalog.right(p_to, 2)
                    OR (pg_catalog.right(p_from, 2), pg_catalog.right(p_to, 2))
                       IN (('01', '03'), ('04', '06'), ('07', '09'), ('10', '12'),
                           ('01', '06'), ('07', '12'), ('01', '12'))) THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = pg_catalog.format('the period %s to %s is not a calendar month, quarter, '
                                        'half-year or year', p_from, p_to),
            HINT = 'figures are made for those periods only: any other range would be a cell '
                   'of its own with its own draw of the noise';
    END IF;
    IF p_to > pg_catalog.to_char(pg_catalog.now() - interval '2 months', 'YYYY-MM')
            AND NOT public.ubu_caller_is_owner() THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = pg_catalog.format('the period %s to %s is published once the month after '
                                        'it is over; the latest month published now is %s',
                                        p_from, p_to, pg_catalog.to_char(
                                            pg_catalog.now() - interval '2 months', 'YYYY-MM'));
    END IF;"""


def _checks() -> str:
    from ubu_tui.store.pg_security import NO_WRITES_GUARD

    allowed = ", ".join(f"'{d}'" for d in (*BREAKDOWNS, "none"))
    filters = ", ".join(f"'{d}'" for d in BREAKDOWNS if d != "municipality")
    return NO_WRITES_GUARD.rstrip() + PERIOD_CHECKS + f"""
    IF p_by IS NULL OR p_by NOT IN ({allowed}) THEN
        RAISE EXCEPTION 'unknown breakdown %; use one of {allowed.replace("'", "")}', p_by;
    END IF;
    IF p_filter IS NOT NULL AND p_filter NOT IN ({filters}) THEN
        RAISE EXCEPTION 'unknown filter %; use one of {filters.replace("'", "")}', p_filter;
    END IF;
    -- one value a filter: a list of any values made a new cell of every subset, each with its
    -- own draw of the noise, and a group hidden under the threshold was the mean of
    -- (subset with it) - (subset without it) over the subsets of the shown ones
    IF pg_catalog.cardinality(p_values) > 1 THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'a filter takes one value; ' || pg_catalog.cardinality(p_values)
                      || ' were given';
    END IF;"""


def _selected() -> str:
    """The WHERE of the selected follow-ups `s` (UNIT_JOINS joined)."""
    return f"""s.period BETWEEN p_from AND p_to
          -- national versions only, as the results layer counts (query.NATIONAL_ONLY)
          AND {NATIONAL_ONLY}
          -- only the current release (store/pg_release.py): padding counts once a month
          AND s.received_seq <= v_cut
          -- with the kept counts (v_kept), only the months they cannot serve
          AND (NOT v_kept OR s.period = ANY(v_dirty))
          AND {_filtered()}"""


def _filtered() -> str:
    """The filter of _selected. Within registry groups that surely exclude MISSING, the units
    of those groups (as query._placed finds them: the unit index serves, and only their
    follow-ups are joined); otherwise the follow-up's own group. The two agree: a follow-up whose
    unit is not registered, or has no value, is in MISSING alone. With the filter known when the
    query is planned (custom plans), only one of the two is left in the plan."""
    registry = tuple(d for d in BREAKDOWNS if DIMENSIONS[d].registry is not None)
    column = " ".join(f"WHEN '{d}' THEN u.{DIMENSIONS[d].registry}" for d in registry)
    # (IS FALSE: values holding a NULL, as a direct call may pass, take the second way)
    units = f"p_filter IN ({_listed(registry)}) AND ({MISSING} = ANY(p_values)) IS FALSE"
    return f"""(p_filter IS NULL
               OR ({units} AND s.unit_id IN (SELECT u.id FROM public.unit u
                                             WHERE (CASE p_filter {column} END) = ANY(p_values)))
               OR (NOT ({units})
                   AND ({_group_case('p_filter', 'fu')})::integer = ANY(p_values)))"""


def _sel() -> str:
    return f"""sel AS MATERIALIZED (
        SELECT s.id AS sid, s.record_key AS k, {_group_case('p_by', 'gu')} AS g
        FROM public.submission s{UNIT_JOINS}
        WHERE {_selected()})"""


# --- the kept counts -------------------------------------------------------------------------
# The results layer reads the counts the database keeps per month (item_count, index_cube,
# decline_count, ...; each with the sum of its records' keys) wherever they hold the selection
# (results/query.py decides); the figure functions read the same, under the same conditions,
# so that a view at 100 000 follow-ups reads some thousands of kept rows instead of every
# record. Counts and key sums are sums over disjoint records, so the cells, and with them every
# perturbed figure and every suppression, are those counted from the records.
#
# Two things the kept counts hold that the functions leave out: records of a local version
# (then, as query._local_present, nothing is read from them) and records not yet released
# (store/pg_release.py): the months that hold any of those (`v_dirty`, usually none or the
# current one) are read record by record, as before, and added to the kept months.

KEPT_DECLARE = """
    v_kept boolean := false;
    v_dirty text[] := '{}';"""

# index_cube's breakdowns by the record's own answers (query._in_cube), and those that follow
# from a follow-up's unit alone, summed from the cube's unit rows (query._by_units)
CUBE_BREAKDOWNS = tuple(d for d in BREAKDOWNS if d in CUBE_DIMS and d not in
                        ("unit", "municipality") and DIMENSIONS[d].registry is None)
UNIT_BREAKDOWNS = tuple(d for d in BREAKDOWNS
                        if d == "unit" or DIMENSIONS[d].registry is not None)
REGISTRY_BREAKDOWNS = tuple(d for d in UNIT_BREAKDOWNS if d != "unit")


def _listed(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _unit_case(param: str, unit: str) -> str:
    """The group (an integer) of the unit `unit` of a kept row for the breakdown or filter
    `param`: the unit itself or its registry row, read as the records' groups are read."""
    whens = " ".join(
        f"WHEN '{d}' THEN "
        f"{registry_expr(DIMENSIONS[d].registry or '', 'public.').replace('s.unit_id', unit)}"
        for d in REGISTRY_BREAKDOWNS)
    return f"CASE {param} WHEN 'unit' THEN {unit} {whens} END"


def _kept_setup(when: str) -> str:
    return f"""
    -- whether the kept counts serve this call (as query.py decides for the results layer),
    -- never while a record of a local version is stored (query._local_present)
    v_kept := COALESCE(({when}), false) AND NOT EXISTS (
        SELECT 1 FROM public.submission s WHERE s.instrument_version LIKE '%+%');
    IF v_kept THEN      -- the months holding unreleased records: read from the records
        v_dirty := ARRAY(SELECT DISTINCT s.period FROM public.submission s
                         WHERE s.received_seq > 0 AND s.received_seq > v_cut
                           AND s.period BETWEEN p_from AND p_to);
    END IF;"""


def _municipality(grp: str) -> str:
    """A kept municipality (an integer, as index_cube keeps it) as the records' four digits."""
    return f"pg_catalog.lpad(({grp})::text, 4, '0')"


# The three lookups of ptable.py as SQL expressions of their arguments. The helper functions
# below are these expressions over their parameters; the figure functions write them out in
# their queries instead of calling the helpers, because a SECURITY DEFINER function is never
# inlined: each call switches user and search_path and plans its ptable lookup again, and the
# calls, thousands per figure call, were most of its time (0.85 s of a 0.9 s item call by unit
# on 80 follow-ups). The arguments are cast to the helpers' parameter types, so the written-out
# expression computes exactly what the call computed. The lookups compare as integers, so
# that they use ptable's key (n_class, lo): a count and a key sum are whole numbers and a key
# taken modulo the key space fits a bigint, so the casts change no value.

# In the PL/pgSQL figure functions the table is read once per call, into two arrays (PTABLE_*),
# and each lookup is a binary search of them (width_bucket, in C): the correlated subqueries,
# four or five per published group, were most of an index call by unit (52 500 groups, 8 times
# SQLite's time at 100 000 follow-ups). The arrays cut the line of (class, key position) into
# the table's bands and the gaps between them, class c's key positions at 2c·SPACE + position
# and nothing (NULL) from (2c+1)·SPACE on, so that every position the subquery finds no band
# for (a gap, a position outside [0, SPACE)) has NULL, and every other one its band's deviation:
# the same value the subquery returns, for any rows the table's key (n_class, lo) allows that
# do not overlap (overlapping bands made the subquery fail).
PTABLE_DECLARE = """
    v_pat bigint[];     -- ptable as the starts of its bands and gaps, and their deviations
    v_pdev integer[];"""
PTABLE_SETUP = f"""
    SELECT pg_catalog.array_agg(b.at ORDER BY b.at), pg_catalog.array_agg(b.dev ORDER BY b.at)
    INTO v_pat, v_pdev
    FROM (SELECT DISTINCT ON (x.at) x.at, x.dev
          FROM (SELECT 2 * {SPACE} * p.n_class::bigint + GREATEST(p.lo, 0) AS at,
                       p.deviation AS dev, 0 AS gap
                FROM public.ptable p
                WHERE p.n_class BETWEEN 0 AND {ptable.LAST_CLASS} AND p.lo < {SPACE}
                  AND p.hi > GREATEST(p.lo, 0)
                UNION ALL       -- a band's end, unless another band starts there
                SELECT 2 * {SPACE} * p.n_class::bigint + p.hi, NULL, 1
                FROM public.ptable p
                WHERE p.n_class BETWEEN 0 AND {ptable.LAST_CLASS} AND p.hi < {SPACE}
                  AND p.hi > GREATEST(p.lo, 0)
                UNION ALL       -- each class's start and end
                SELECT 2 * {SPACE} * c::bigint + e.o * {SPACE}, NULL, 1
                FROM pg_catalog.generate_series(0, {ptable.LAST_CLASS}) c,
                     (VALUES (0), (1)) e(o)) x
          ORDER BY x.at, x.gap) b;"""


def _deviation(n_class: str, at: str, arrays: bool) -> str:
    """The deviation of the band of class `n_class` (integer) holding key position `at`
    (bigint), NULL if none: from the table, or (`arrays`) from PTABLE_SETUP's arrays."""
    if arrays:
        return (f"v_pdev[pg_catalog.width_bucket(2 * {SPACE} * ({n_class})::bigint + {at}, "
                f"v_pat)]")
    return (f"(SELECT p.deviation FROM public.ptable p WHERE p.n_class = {n_class} "
            f"AND p.lo <= {at} AND {at} < p.hi)")


def perturb_sql(n: str, key: str, arrays: bool = False) -> str:
    """ubu_perturb(n, key): the published count of a cell of true count n and key sum key."""
    n, key = f"({n})::numeric", f"({key})::numeric"
    at = f"({key} % {SPACE})::bigint"
    dev = _deviation(f"(LEAST({n}, {ptable.LAST_CLASS}))::integer", at, arrays)
    return f"({n} + COALESCE({dev}, 0))::integer"


def sum_deviation_sql(key: str, span: str, arrays: bool = False) -> str:
    """ubu_sum_deviation(key, span): the noise of a sum of values spanning `span`."""
    key, span = f"({key})::numeric", f"({span})::float8"
    scrambled = (f"((({key} % {SPACE}) * {ptable.SCRAMBLE_MUL} + {ptable.SCRAMBLE_ADD}) "
                 f"% {SPACE})::bigint")
    dev = _deviation(str(ptable.LAST_CLASS), scrambled, arrays)
    return (f"({ptable.SUM_STEP} * {span} * {dev} "
            # ptable.half_step: hides the parity of the true sum
            f"+ CASE WHEN (({key} % {SPACE}) * {ptable.HALF_MUL} + {ptable.HALF_ADD}) % {SPACE}"
            f" < {ptable.KEY_SPACE // 2} THEN {ptable.HALF_STEP} ELSE -{ptable.HALF_STEP} END)")


def exact_total_sql(total: str) -> str:
    """ptable.exact_total: a float8 sum of scores as the multiple of 1/SCORE_GRID it stands for
    (round() of a float8 rounds to a whole float8, and an integer divisor keeps it float8: the
    same two IEEE operations as Python's round(total * grid) / grid)."""
    return f"(pg_catalog.round(({total}) * {ptable.SCORE_GRID}) / {ptable.SCORE_GRID})"


def share_sql(count: str, n: str, key: str, arrays: bool = False) -> str:
    """ubu_share(count, n, key): a share of a published base n, its noise drawn from key."""
    count, n, key = f"({count})::numeric", f"({n})::numeric", f"({key})::numeric"
    scrambled = (f"((({key} % {SPACE}) * {ptable.SHARE_MUL} + {ptable.SHARE_ADD}) "
                 f"% {SPACE})::bigint")
    # ptable.share_step: the same IEEE operations as Python's max(0.5, 0.25 * sqrt(n)), and
    # (count + step * d) / n in float8 as Python computes it
    step = (f"GREATEST({ptable.SUM_STEP}::float8, {ptable.SHARE_SCALE}::float8 * "
            f"pg_catalog.sqrt(({n})::float8))")
    dev = _deviation(str(ptable.LAST_CLASS), scrambled, arrays)
    return (f"LEAST(1.0, GREATEST(0.0, (({count})::float8 + {step} * ({dev})::float8)"
            f" / ({n})::float8))")


def sensitive_items() -> tuple[str, ...]:
    """The ids of every shipped version's sensitive items (the functions count national
    versions only, and those are shipped)."""
    from ubu_tui.instrument.loader import available_instruments, instrument_by_version

    return tuple(sorted({i.id for iid, v in available_instruments()
                         for i in instrument_by_version(iid, v).items.values() if i.sensitive}))


def in_stream_sql(key: str, multiplier: int | str) -> str:
    """ptable.stream(key, multiplier) (a multiplier of 1 is the key itself)."""
    if multiplier == 1:
        return key
    return f"((((({key}) % {SPACE})::bigint * {multiplier}) % {SPACE})::bigint)"


def measure_stream_sql(measure: str) -> str:
    """ptable.measure_stream of the measure id expression `measure` (md5's first 28 bits,
    times two plus one)."""
    return (f"(('x' || pg_catalog.substr(pg_catalog.md5({measure}), 1, 7))::bit(28)::bigint"
            " * 2 + 1)")


def stream_sql(key: str, item: str | None, part: bool, whole: int = 1) -> str:
    """ptable.stream: the key of an item's n (part False) or of one of its codes (part True)
    in its stream; `item` the item id's expression (None: not an item, no sensitive one, and
    the n in stream `whole`: the declines' total is the dispositions' "declined")."""
    sensitive = sensitive_items() if item else ()
    plain = ptable.CODE_STREAM if part else whole
    if not sensitive:
        return in_stream_sql(key, plain)
    own = ptable.SENSITIVE_STREAM if part else ptable.SENSITIVE_N_STREAM
    listed = ", ".join(f"'{i}'" for i in sensitive)
    return in_stream_sql(key, f"(CASE WHEN {item} IN ({listed}) THEN {own} ELSE {plain} END)")


def helpers_sql() -> list[str]:
    """ubu_perturb(n, key), ubu_sum_deviation(key, span) and ubu_share(count, n, key): the
    lookups of ptable.py, for the functions that still call them (methods, coverage)."""
    head = ("STABLE SECURITY DEFINER\n"
            "SET search_path = pg_catalog, public, pg_temp AS $fn$\n    SELECT ")
    return [
        f"CREATE OR REPLACE FUNCTION public.ubu_perturb(p_n numeric, p_key numeric)\n"
        f"RETURNS integer LANGUAGE sql {head}{perturb_sql('p_n', 'p_key')}\n$fn$",
        f"CREATE OR REPLACE FUNCTION public.ubu_sum_deviation(p_key numeric, p_span float8)\n"
        f"RETURNS float8 LANGUAGE sql {head}{sum_deviation_sql('p_key', 'p_span')}\n$fn$",
        f"CREATE OR REPLACE FUNCTION public.ubu_share(p_count numeric, p_n numeric, "
        f"p_key numeric)\n"
        f"RETURNS float8 LANGUAGE sql {head}{share_sql('p_count', 'p_n', 'p_key')}\n$fn$",
    ]


def _gone(measure: str) -> str:
    """The CTE `gone`: the groups left out of every table of the call (aggregate._consistent).

    A group is left out when it is hidden in one table of the call, or has no row at all in
    one whose total is shown. Were only the hidden ones left out, a call for items {A, B}
    kept a group shown for A when B had no answer there and dropped it when B had one or two:
    beside the call for A alone, it told "none" from "one or two", which the threshold hides.
    With no row counted as hidden, what a call leaves out follows from what each of its items
    publishes alone (a total that is hidden takes no part: its groups are not published)."""
    return f"""gone AS (
        SELECT DISTINCT f.g FROM flagged f WHERE f.hid AND f.g <> '__total__'
        UNION
        SELECT f.g FROM flagged f
        WHERE f.g <> '__total__' AND f.g IS NOT NULL
        GROUP BY f.g
        HAVING pg_catalog.count(*) FILTER (WHERE f.{measure} IN (
                   SELECT x.{measure} FROM flagged x WHERE x.g = '__total__' AND NOT x.hid))
               < (SELECT pg_catalog.count(*) FROM flagged x
                  WHERE x.g = '__total__' AND NOT x.hid))"""


def _publish(codes: bool, items: bool = False, whole: int = 1) -> str:
    """From `cells(item, g, code, c, ck, v)`, one row per code and group (v: the sum of the
    cell's values), to the published rows: a summary row per shown group (code NULL) and a row
    per code; hidden groups left out, a hidden total without figures.

    A group's cells ride along with it as arrays and are unnested for its code rows: joining
    the cells back to their groups was a nested loop over both (the planner's estimates for
    the CTEs are one row each), 1.6 million comparisons for an item call by unit on 80
    follow-ups."""
    # the codes in their stream (ptable.CODE_STREAM), the sensitive item's n in its own
    item = "w.item" if items else None
    # a mean's and a share's noise in the measure's own stream (ptable.measure_stream): two
    # items answered by the same follow-ups published the exact difference of their sums
    mkey = in_stream_sql("f.nk", measure_stream_sql("f.item"))
    arrays = (",\n               array_agg(w.code) AS codes, array_agg(w.c) AS cs, "
              f"array_agg({stream_sql('w.ck', item, part=True)}) AS cks") if codes else ""
    # a sensitive item publishes its sensitive answer and no other answer code: n minus the
    # other was the yes count plus noise, a fresh draw in every period and filter
    # (aggregate.SENSITIVE_ANSWER)
    listed = ", ".join(f"'{i}'" for i in sensitive_items()) if items else ""
    only_yes = (f"\n      AND NOT (f.item IN ({listed}) AND u.code >= 0 "
                f"AND u.code <> {ptable.SENSITIVE_ANSWER})") if listed else ""
    code_rows = f"""
    UNION ALL
    SELECT f.item, f.g, u.code, p.pn, NULL::integer, NULL::float8, NULL::float8
    FROM flagged f CROSS JOIN LATERAL unnest(f.codes, f.cs, f.cks) AS u(code, c, ck)
    CROSS JOIN LATERAL (SELECT {perturb_sql('u.c', 'u.ck', arrays=True)} AS pn) p
    -- (g IS NOT NULL: the join of the cells to their group, which this replaces, never
    -- matched a NULL group)
    -- a code published as 0 has no row (disclosure.published_parts): a row exists only where
    -- the code had an answer, so a row of 0 told "a few" from "none"
    WHERE NOT f.hid AND f.g IS NOT NULL AND p.pn > 0{only_yes}
      AND (f.g = '__total__' OR f.g NOT IN (SELECT x.g FROM gone x))""" if codes else ""
    # asked (answered plus non-response) was a cell of its own, published apart: where the
    # non-response parts had no row (published as 0), asked != n still told that some had
    # refused or did not know, which a missing row is there to hide (aggregate._row_from_counts)
    asked = (f"f.pn + (SELECT COALESCE(SUM({perturb_sql('u.c', 'u.ck', arrays=True)}), 0)"
             "::integer FROM unnest(f.codes, f.cs, f.cks) AS u(code, c, ck) WHERE u.code < 0)"
             if codes else "f.pn")
    return f"""
    withtotal AS (
        SELECT c.item, c.g, c.code, c.c, c.ck, c.v FROM cells c
        UNION ALL
        SELECT c.item, '__total__', c.code, SUM(c.c), SUM(c.ck), SUM(c.v)
        FROM cells c GROUP BY c.item, c.code),
    grouped AS (
        SELECT w.item, w.g,
               COALESCE(SUM(w.c) FILTER (WHERE w.code >= 0), 0) AS n,
               {stream_sql('COALESCE(SUM(w.ck) FILTER (WHERE w.code >= 0), 0)', item,
                           part=False, whole=whole)} AS nk,
               COALESCE(SUM(w.v) FILTER (WHERE w.code >= 0), 0) AS total,
               COALESCE(SUM(w.c) FILTER (WHERE w.code >= 4), 0) AS h,
               COALESCE(SUM(w.ck) FILTER (WHERE w.code >= 4), 0) AS hk{arrays}
        FROM withtotal w WHERE p_by <> 'none' OR w.g = '__total__'
        GROUP BY w.item, w.g),
    perturbed AS (
        SELECT gr.*, {perturb_sql('gr.n', 'gr.nk', arrays=True)} AS pn FROM grouped gr),
    flagged AS (
        -- disclosure.hidden: the true count against the standard only, else a raised
        -- threshold read the exact count out (a group vanishing at n + 1 while pn >= t)
        SELECT pe.*, (pe.n < {STANDARD} OR pe.pn < t) AS hid FROM perturbed pe),
    {_gone('item')}
    SELECT f.item, f.g, NULL::integer,
           CASE WHEN NOT f.hid THEN f.pn END,
           -- asked: the answered count plus its published non-response parts (see above)
           CASE WHEN NOT f.hid THEN {asked} END,
           CASE WHEN NOT f.hid THEN LEAST(5.0, GREATEST(1.0,
               ({exact_total_sql('f.total')} + {sum_deviation_sql(mkey, '4.0', arrays=True)})
               / f.pn)) END,
           CASE WHEN NOT f.hid THEN {share_sql('f.h', 'f.pn', mkey, arrays=True)} END
    FROM flagged f
    -- a hidden total has no row, as a total without records: a row without figures told
    -- "one or two" from "none" (filtered to one unit, for any item and any unit)
    WHERE NOT f.hid AND (f.g = '__total__' OR f.g NOT IN (SELECT x.g FROM gone x)){code_rows};"""


def _figures(name: str, key: str, cells: str, codes: bool, kept_when: str, kept: str,
             declare: str = "", setup: str = "", items: bool = False, whole: int = 1) -> str:
    """A figure function: the cells `cells` counted from the records, and `kept` (a CTE
    `kcells` of the same columns, plus any it needs before it) from the kept counts where
    `kept_when` holds (see _kept_setup)."""
    return f"""
CREATE OR REPLACE FUNCTION public.{name}(p_from text, p_to text, p_by text, p_threshold integer,
    p_items text[] DEFAULT NULL, p_filter text DEFAULT NULL, p_values integer[] DEFAULT NULL)
RETURNS TABLE({key} text, grp text, code integer, n integer, asked integer,
              mean float8, share_high float8)
{HEAD}
DECLARE
    t integer := GREATEST(COALESCE(p_threshold, 3), 3);   -- never below the standard
    v_cut bigint := public.ubu_release_cut();{KEPT_DECLARE}{PTABLE_DECLARE}{declare}
BEGIN{_checks()}{_kept_setup(kept_when)}{setup}{PTABLE_SETUP}
    RETURN QUERY
    WITH {_sel() + "," if "FROM sel" in cells else ""}
    rcells AS ({cells}),{kept}
    -- a cell is the sum of its kept and its counted parts (disjoint months): counts and keys
    -- add exactly; a cell from one part alone is that part's row as it was. Only one part
    -- has rows unless the kept counts serve and some month is read from the records: then
    -- its rows are the cells as they are (each part is grouped by item, group and code), and
    -- summing them again was a sort of every cell (105 000 for the indices by unit at
    -- 100 000 follow-ups, a fifth of the call)
    cells AS (
        SELECT r.item, r.g, r.code, r.c::bigint AS c, r.ck::bigint AS ck, r.v::float8 AS v
        FROM rcells r WHERE NOT (v_kept AND pg_catalog.cardinality(v_dirty) > 0)
        UNION ALL
        SELECT k.item, k.g, k.code, k.c::bigint, k.ck::bigint, k.v::float8
        FROM kcells k WHERE NOT (v_kept AND pg_catalog.cardinality(v_dirty) > 0)
        UNION ALL
        SELECT x.item, x.g, x.code, SUM(x.c)::bigint, SUM(x.ck)::bigint, SUM(x.v)::float8
        FROM (SELECT r.item, r.g, r.code, r.c, r.ck, r.v FROM rcells r
              UNION ALL
              SELECT k.item, k.g, k.code, k.c, k.ck, k.v FROM kcells k) x
        WHERE v_kept AND pg_catalog.cardinality(v_dirty) > 0
        GROUP BY x.item, x.g, x.code),{_publish(codes, items, whole)}
END
$fn$"""


# From the asked items' answers to their follow-ups, as the results layer counts them
# (query._item_counts): ix_answer_item_covering holds an item's answers with their outcome and
# code, and the follow-ups are found by their ids (one hash of the selected submissions, or a
# probe each, as the planner finds cheaper). Gathering every selected follow-up with its group
# first (the `sel` CTE) and then probing answer_record for each cost 2.7 times SQLite's time for
# an item by a breakdown at 100 000 follow-ups. The selection is the one `sel` makes (_selected).
ITEM_CELLS = f"""
        SELECT a.item_id::text AS item, {_group_case('p_by', 'gu')} AS g, a.code,
               COUNT(*)::bigint AS c, SUM(s.record_key)::bigint AS ck,
               SUM(a.code)::float8 AS v
        FROM public.answer_record a JOIN public.submission s ON s.id = a.submission_id{UNIT_JOINS}
        WHERE a.outcome IN ('value', 'nonresponse')
          AND (p_items IS NULL OR a.item_id = ANY(p_items))
          AND {_selected()}
        GROUP BY a.item_id, 2, a.code"""

# An index cell is coded as an item: code 4 for a follow-up scoring 4 or more, else 1, and the
# score itself as the value, so that one publishing step serves both.
INDEX_CELLS = """
        SELECT x.index_id::text AS item, sel.g,
               CASE WHEN x.total >= 4 * x.n THEN 4 ELSE 1 END AS code, COUNT(*)::bigint AS c,
               SUM(sel.k)::bigint AS ck, SUM(x.total::float8 / x.n) AS v
        FROM sel JOIN public.index_score x ON x.submission_id = sel.sid
        WHERE x.n > 0 AND (p_items IS NULL OR x.index_id = ANY(p_items))
        GROUP BY x.index_id, sel.g, 3"""


# Why respondents declined (schema 0081), coded as an item "decline.<respondent>" whose codes
# are the reasons (0: none recorded, before 2026.2): the item's published rows are then
# exactly shares.decline_tables' cells, the declines as the total and each reason as a code.
DECLINE_CELLS = """
        SELECT ('decline.' || r.respondent)::text AS item, sel.g,
               COALESCE(r.decline_reason, 0)::integer AS code, COUNT(*)::bigint AS c,
               SUM(sel.k)::bigint AS ck, SUM(COALESCE(r.decline_reason, 0))::float8 AS v
        FROM sel JOIN public.session_record r ON r.submission_id = sel.sid
        WHERE r.disposition = 'declined'
          AND (p_items IS NULL OR ('decline.' || r.respondent) = ANY(p_items))
        GROUP BY r.respondent, sel.g, 3"""


# The report's items (and one item without a breakdown) from item_count and item_group_count
# (query._item_totals, query._item_groups): a code's values add up to code × count exactly.
ITEM_KEPT_WHEN = f"""p_filter IS NULL AND (p_by = 'none' OR (
        p_by IN ({_listed(("municipality", *UNIT_BREAKDOWNS))})
        AND pg_catalog.cardinality(p_items) > 0
        AND p_items <@ ARRAY[{_listed(KEPT_ITEMS)}]::text[]))"""

ITEM_KEPT = f"""
    kcells AS (
        SELECT k.item, k.g, k.code, SUM(k.n)::bigint AS c, SUM(k.ckey)::bigint AS ck,
               (k.code::bigint * SUM(k.n))::float8 AS v
        FROM (SELECT c.item_id::text AS item, '0'::text AS g, c.code, c.n::bigint AS n,
                     c.ckey::bigint AS ckey
              FROM public.item_count c
              WHERE v_kept AND p_by = 'none' AND c.period BETWEEN p_from AND p_to
                AND c.period <> ALL(v_dirty)
                AND (p_items IS NULL OR c.item_id = ANY(p_items))
              UNION ALL
              -- per unit or municipality first, then each unit's registry row once
              SELECT ig.item_id::text,
                     CASE WHEN p_by = 'municipality' THEN {_municipality('ig.grp')}
                          ELSE ({_unit_case('p_by', 'ig.grp')})::text END,
                     ig.code, ig.n, ig.ckey
              FROM (SELECT c.item_id, c.grp, c.code, SUM(c.n)::bigint AS n,
                           SUM(c.ckey)::bigint AS ckey
                    FROM public.item_group_count c
                    WHERE v_kept AND p_by <> 'none'
                      AND c.dim = CASE WHEN p_by = 'municipality' THEN 'municipality'
                                       ELSE 'unit' END
                      AND c.item_id = ANY(p_items) AND c.period BETWEEN p_from AND p_to
                      AND c.period <> ALL(v_dirty)
                    GROUP BY c.item_id, c.grp, c.code) ig) k
        GROUP BY k.item, k.g, k.code HAVING SUM(k.n) > 0),"""

# Index figures from index_cube (by the record's answers, unit or municipality; unfiltered or
# by unit type, query._in_cube) or from its unit rows added up per registry group
# (query._by_units); whole years from index_cube_year, as query._cube_source reads them.
CUBE_WHEN = (f"p_by IN ({_listed(('none', 'unit', 'municipality', *CUBE_BREAKDOWNS))}) "
             "AND (p_filter IS NULL OR p_filter = 'unit_type')")
UNITS_WHEN = (f"p_by IN ({_listed(('none', *UNIT_BREAKDOWNS))}) "
              f"AND (p_filter IS NULL OR p_filter IN ({_listed(UNIT_BREAKDOWNS)}))")
INDEX_DECLARE = """
    v_units boolean;
    v_dim text;
    v_yf text := '9999';        -- the whole years (none: an empty range) ...
    v_yt text := '0000';
    v_mf text := '9999-99';     -- ... and their months, which the monthly rows leave out
    v_mt text := '9999-99';"""
INDEX_SETUP = f"""
    v_units := NOT ({CUBE_WHEN});
    v_dim := CASE WHEN v_units THEN 'unit' WHEN p_by = 'none' THEN 'unit_type' ELSE p_by END;
    IF v_kept AND p_from ~ '^[0-9]{{4}}-[0-9]{{2}}$' AND p_to ~ '^[0-9]{{4}}-[0-9]{{2}}$' THEN
        -- query.whole_years; a year holding a month read from the records is read by month
        v_yf := pg_catalog.lpad((substr(p_from, 1, 4)::integer
                                 + (substr(p_from, 6, 2) <> '01')::integer)::text, 4, '0');
        v_yt := pg_catalog.lpad((substr(p_to, 1, 4)::integer
                                 - (substr(p_to, 6, 2) <> '12')::integer)::text, 4, '0');
        IF v_yf <= v_yt AND NOT EXISTS (SELECT 1 FROM pg_catalog.unnest(v_dirty) d(p)
                                        WHERE substr(d.p, 1, 4) BETWEEN v_yf AND v_yt) THEN
            v_mf := v_yf || '-01';
            v_mt := v_yt || '-12';
        ELSE
            v_yf := '9999';
            v_yt := '0000';
        END IF;
    END IF;"""


def _cube_rows(where: str) -> str:
    # `where` starts with a test of the parameters alone (p_from < v_mf: any month before the
    # whole years), folded to a constant in the custom plan: when it fails the scan is left out.
    # index_cube's key (dim, index_id, period, ...) cannot bound the period without the index,
    # and the empty months before a whole year scanned every unit row of the dimension
    # (0.2 s each, for the months before and after, of an index call by unit at 100 000).
    return (f"""SELECT c.index_id, c.unit_type, c.grp, c.n, c.total, c.high, c.ckey, c.hkey
              FROM public.index_cube c
              WHERE v_kept AND c.dim = v_dim AND c.period BETWEEN p_from AND p_to
                AND {where} AND c.period <> ALL(v_dirty)
                AND (p_items IS NULL OR c.index_id = ANY(p_items))""")


INDEX_KEPT = f"""
    kunits AS (
        SELECT k.index_id, k.unit_type, k.grp, SUM(k.n) AS n, SUM(k.total) AS total,
               SUM(k.high) AS high, SUM(k.ckey) AS ckey, SUM(k.hkey) AS hkey
        FROM (SELECT c.index_id, c.unit_type, c.grp, c.n, c.total, c.high, c.ckey, c.hkey
              FROM public.index_cube_year c
              WHERE v_kept AND c.dim = v_dim AND c.year BETWEEN v_yf AND v_yt
                AND (p_items IS NULL OR c.index_id = ANY(p_items))
              UNION ALL
              {_cube_rows('p_from < v_mf AND c.period < v_mf')}
              UNION ALL
              {_cube_rows('p_to > v_mt AND c.period > v_mt')}) k
        -- the cube's unit type is the registry's, as the records' filter reads it
        WHERE v_units OR p_filter IS NULL OR k.unit_type = ANY(p_values)
        GROUP BY k.index_id, k.unit_type, k.grp),
    kgroups AS (
        SELECT ku.index_id::text AS item,
               CASE WHEN p_by = 'none' THEN '0'
                    WHEN p_by = 'municipality' THEN {_municipality('ku.grp')}
                    WHEN NOT v_units THEN ku.grp::text
                    ELSE ({_unit_case('p_by', 'ku.grp')})::text END AS g,
               SUM(ku.n) AS n, SUM(ku.total) AS total, SUM(ku.high) AS high,
               SUM(ku.ckey) AS ckey, SUM(ku.hkey) AS hkey
        FROM kunits ku
        WHERE NOT v_units OR p_filter IS NULL
           OR ({_unit_case('p_filter', 'ku.grp')})::integer = ANY(p_values)
        GROUP BY 1, 2 HAVING SUM(ku.n) > 0),
    -- coded as INDEX_CELLS codes them: 4 for the scores of 4 or more, 1 for the rest; the
    -- score sum rides on one of the two (only its sum over the codes is read)
    kcells AS (
        SELECT k.item, k.g, v.code, v.c, v.ck, v.v FROM kgroups k
        CROSS JOIN LATERAL (VALUES (4, k.high::bigint, k.hkey::bigint, 0::float8),
                                   (1, (k.n - k.high)::bigint, (k.ckey - k.hkey)::bigint,
                                    k.total::float8)) AS v(code, c, ck, v)),"""

DECLINE_KEPT = """
    kcells AS (
        SELECT ('decline.' || c.respondent)::text AS item, '0'::text AS g, c.reason AS code,
               SUM(c.n)::bigint AS c, SUM(c.ckey)::bigint AS ck,
               (c.reason::bigint * SUM(c.n))::float8 AS v
        FROM public.decline_count c
        WHERE v_kept AND c.period BETWEEN p_from AND p_to AND c.period <> ALL(v_dirty)
          AND (p_items IS NULL OR ('decline.' || c.respondent) = ANY(p_items))
        GROUP BY c.respondent, c.reason HAVING SUM(c.n) > 0),"""


def decline_figures_sql() -> str:
    # decline_count (query.declines): without a breakdown or filter
    # the total in the dispositions' stream: the same figure as their "declined"
    return _figures("ubu_decline_figures", "item_id", DECLINE_CELLS, codes=True,
                    kept_when="p_by = 'none' AND p_filter IS NULL", kept=DECLINE_KEPT,
                    whole=ptable.DISPOSITION_STREAM)


def item_figures_sql() -> str:
    return _figures("ubu_item_figures", "item_id", ITEM_CELLS, codes=True,
                    kept_when=ITEM_KEPT_WHEN, kept=ITEM_KEPT, items=True)


def index_figures_sql() -> str:
    return _figures("ubu_index_figures", "index_id", INDEX_CELLS, codes=False,
                    kept_when=f"({CUBE_WHEN}) OR ({UNITS_WHEN})", kept=INDEX_KEPT,
                    declare=INDEX_DECLARE, setup=INDEX_SETUP)


def disposition_figures_sql() -> str:
    return f"""
CREATE OR REPLACE FUNCTION public.ubu_disposition_figures(p_from text, p_to text, p_by text,
    p_threshold integer, p_filter text DEFAULT NULL, p_values integer[] DEFAULT NULL)
RETURNS TABLE(respondent text, grp text, disposition text, n integer, rate float8)
{HEAD}
DECLARE
    t integer := GREATEST(COALESCE(p_threshold, 3), 3);
    v_cut bigint := public.ubu_release_cut();{KEPT_DECLARE}{PTABLE_DECLARE}
BEGIN{_checks()}{_kept_setup("p_by IN ('none', 'unit') AND p_filter IS NULL")}{PTABLE_SETUP}
    RETURN QUERY
    WITH {_sel()},
    rcells AS (
        SELECT r.respondent::text AS resp, sel.g, r.disposition::text AS disp,
               COUNT(*)::bigint AS c, SUM(sel.k)::bigint AS ck
        FROM sel JOIN public.session_record r ON r.submission_id = sel.sid
        GROUP BY r.respondent, sel.g, r.disposition),
    -- disposition_count and, per unit, disposition_unit_count (query.dispositions)
    kcells AS (
        SELECT c.respondent::text AS resp, '0'::text AS g, c.disposition::text AS disp,
               SUM(c.n)::bigint AS c, SUM(c.ckey)::bigint AS ck
        FROM public.disposition_count c
        WHERE v_kept AND p_by = 'none' AND c.period BETWEEN p_from AND p_to
          AND c.period <> ALL(v_dirty)
        GROUP BY c.respondent, c.disposition HAVING SUM(c.n) > 0
        UNION ALL
        SELECT c.respondent::text, c.unit_id::text, c.disposition::text,
               SUM(c.n)::bigint, SUM(c.ckey)::bigint
        FROM public.disposition_unit_count c
        WHERE v_kept AND p_by = 'unit' AND c.period BETWEEN p_from AND p_to
          AND c.period <> ALL(v_dirty)
        GROUP BY c.respondent, c.unit_id, c.disposition HAVING SUM(c.n) > 0),
    cells AS (      -- kept and counted months together (see _figures)
        SELECT x.resp, x.g, x.disp, SUM(x.c)::bigint AS c, SUM(x.ck)::bigint AS ck
        FROM (SELECT r.resp, r.g, r.disp, r.c, r.ck FROM rcells r
              UNION ALL
              SELECT k.resp, k.g, k.disp, k.c, k.ck FROM kcells k) x
        GROUP BY x.resp, x.g, x.disp),
    withtotal AS (
        SELECT c.resp, c.g, c.disp, c.c, c.ck FROM cells c
        UNION ALL
        SELECT c.resp, '__total__', c.disp, SUM(c.c), SUM(c.ck) FROM cells c
        GROUP BY c.resp, c.disp),
    grouped AS (
        SELECT w.resp, w.g, SUM(w.c) AS n, SUM(w.ck) AS nk,
               COALESCE(SUM(w.c) FILTER (WHERE w.disp IN ('completed', 'broke_off')), 0) AS a,
               COALESCE(SUM(w.ck) FILTER (WHERE w.disp IN ('completed', 'broke_off')), 0) AS ak,
               -- the parts that were to be asked: no youth form outside ages 12-21
               COALESCE(SUM(w.c) FILTER (WHERE w.disp <> 'not_eligible'), 0) AS e,
               COALESCE(SUM(w.ck) FILTER (WHERE w.disp <> 'not_eligible'), 0) AS ek,
               COALESCE(SUM(w.c) FILTER (WHERE w.disp = 'not_eligible'), 0) AS ne,
               COALESCE(SUM(w.ck) FILTER (WHERE w.disp = 'not_eligible'), 0) AS nek,
               -- the group's cells ride along (see _publish: no join back to the groups)
               array_agg(w.disp) AS disps, array_agg(w.c) AS cs,
               array_agg({in_stream_sql('w.ck', ptable.DISPOSITION_STREAM)}) AS cks
        FROM withtotal w WHERE p_by <> 'none' OR w.g = '__total__'
        GROUP BY w.resp, w.g),
    perturbed AS (
        SELECT gr.*, {perturb_sql('gr.n', 'gr.nk', arrays=True)} AS pn,
               -- the parts in a stream of their own; the base is n minus the published
               -- not-eligible part, no draw of its own (aggregate.disposition_tables)
               {perturb_sql('gr.ne', in_stream_sql('gr.nek', ptable.DISPOSITION_STREAM),
                            arrays=True)} AS pne
        FROM grouped gr),
    based AS (SELECT pt.*, GREATEST(0, pt.pn - pt.pne) AS pe FROM perturbed pt),
    flagged AS (
        -- disclosure.hidden (see _publish)
        SELECT pt.*, (pt.n < {STANDARD} OR pt.pn < t) AS hid,
               (pt.e < {STANDARD} OR pt.pe < t) AS ehid
        FROM based pt),
    {_gone('resp')}
    SELECT f.resp, f.g, NULL::text, CASE WHEN NOT f.hid THEN f.pn END,
           CASE WHEN NOT f.hid AND NOT f.ehid
                THEN {share_sql('f.a', 'f.pe', in_stream_sql(
                    'f.ek', measure_stream_sql("'rate.' || f.resp")), arrays=True)} END
    FROM flagged f
    -- a hidden total has no row (see _publish)
    WHERE NOT f.hid AND (f.g = '__total__' OR f.g NOT IN (SELECT x.g FROM gone x))
    UNION ALL
    -- the rate's base (published), on a row of its own: the signature stays as granted
    SELECT f.resp, f.g, '{ASKED_ROW}'::text, f.pe, NULL::float8
    FROM flagged f WHERE NOT f.hid
      AND (f.g = '__total__' OR f.g NOT IN (SELECT x.g FROM gone x))
    UNION ALL
    SELECT f.resp, f.g, u.disp, p.pn, NULL::float8
    FROM flagged f CROSS JOIN LATERAL unnest(f.disps, f.cs, f.cks) AS u(disp, c, ck)
    CROSS JOIN LATERAL (SELECT {perturb_sql('u.c', 'u.ck', arrays=True)} AS pn) p
    -- (g IS NOT NULL: as the join of the cells to their group, which this replaces; a
    -- disposition published as 0 has no row: disclosure.published_parts)
    WHERE NOT f.hid AND f.g IS NOT NULL AND p.pn > 0
      AND (f.g = '__total__' OR f.g NOT IN (SELECT x.g FROM gone x));
END
$fn$"""


def all_sql() -> list[str]:
    return [*helpers_sql(), item_figures_sql(), index_figures_sql(), disposition_figures_sql(),
            decline_figures_sql()]


# --- methods and coverage (schema 0093): the last report parts a restricted login lacked ----

METHOD_SIGNATURE = "public.ubu_method_figures(text, text, integer, text, text, integer[])"
COVERAGE_SIGNATURE = "public.ubu_coverage_figures(text, text, integer)"
ENDED_ROW, REASONS_GROUP = "__ended__", "__reasons__"


def method_figures_sql() -> str:
    """Per method of a multiple-choice item: the published count of follow-ups that used it
    (applied NULL) and per applied-as-intended code, as shares.method_table builds them; a
    method under the threshold has no row. The base (follow-ups that answered the item) is the
    item's own total from ubu_item_figures."""
    return f"""
CREATE OR REPLACE FUNCTION public.ubu_method_figures(p_from text, p_to text,
    p_threshold integer, p_item text, p_filter text DEFAULT NULL,
    p_values integer[] DEFAULT NULL)
RETURNS TABLE(method integer, applied integer, n integer)
{HEAD}
DECLARE
    t integer := GREATEST(COALESCE(p_threshold, 3), 3);
    v_cut bigint := public.ubu_release_cut();
    p_by text := 'none';{KEPT_DECLARE}
BEGIN{_checks()}{_kept_setup("p_filter IS NULL")}
    RETURN QUERY
    WITH {_sel()},
    rcells AS (
        SELECT m.method AS meth, m.applied AS app, COUNT(*)::bigint AS c,
               SUM(sel.k)::bigint AS ck
        FROM sel JOIN public.method_record m ON m.submission_id = sel.sid
        WHERE m.item_id = p_item
        GROUP BY m.method, m.applied),
    kcells AS (     -- method_count (split_query.method_counts)
        SELECT c.method AS meth, c.applied AS app, SUM(c.n)::bigint AS c,
               SUM(c.ckey)::bigint AS ck
        FROM public.method_count c
        WHERE v_kept AND c.item_id = p_item AND c.period BETWEEN p_from AND p_to
          AND c.period <> ALL(v_dirty)
        GROUP BY c.method, c.applied HAVING SUM(c.n) > 0),
    cells AS (      -- kept and counted months together (see _figures)
        SELECT x.meth, x.app, SUM(x.c)::bigint AS c, SUM(x.ck)::bigint AS ck
        FROM (SELECT r.meth, r.app, r.c, r.ck FROM rcells r
              UNION ALL
              SELECT k.meth, k.app, k.c, k.ck FROM kcells k) x
        GROUP BY x.meth, x.app),
    used AS (
        SELECT c.meth, SUM(c.c) AS c, SUM(c.ck) AS ck FROM cells c GROUP BY c.meth),
    shown AS (
        SELECT u.meth, public.ubu_perturb(u.c, u.ck) AS pn FROM used u
        WHERE u.c >= {STANDARD} AND public.ubu_perturb(u.c, u.ck) >= t)   -- disclosure.hidden
    SELECT s.meth, NULL::integer, s.pn FROM shown s
    UNION ALL
    SELECT c.meth, c.app, public.ubu_perturb(c.c, c.ck)
    FROM cells c JOIN shown s ON s.meth = c.meth
    WHERE public.ubu_perturb(c.c, c.ck) > 0;     -- disclosure.published_parts
END
$fn$"""


def coverage_figures_sql() -> str:
    """Coverage as results/coverage.py publishes it: per municipality whose ended placements
    reach the threshold, the published ended count (outcome __ended__) and each decision
    count; the same for all municipalities (grp __total__, figures only when shown); and the
    reasons for not due that reach the threshold (grp __reasons__)."""
    return f"""
CREATE OR REPLACE FUNCTION public.ubu_coverage_figures(p_from text, p_to text,
    p_threshold integer)
RETURNS TABLE(grp text, outcome text, n integer)
{HEAD}
DECLARE
    t integer := GREATEST(COALESCE(p_threshold, 3), 3);
    -- a month's counts are published once the month after it is over too (store/coverage.py:
    -- a login's decisions count in the month received, and its ended placements are entered
    -- for this month or the last one only, so every count a login can write or correct is
    -- unpublished, and padding cannot draw fresh noise query after query)
    v_now text := pg_catalog.to_char(pg_catalog.now() - interval '1 month', 'YYYY-MM');
BEGIN{_guard()}{PERIOD_CHECKS}
    RETURN QUERY
    WITH dec AS (
        SELECT c.municipality::text AS m, c.outcome::text AS o, SUM(c.n) AS c,
               SUM(c.ckey) AS ck
        FROM public.coverage_count c WHERE c.period BETWEEN p_from AND p_to AND c.period < v_now
        GROUP BY c.municipality, c.outcome),
    ended AS (
        SELECT e.municipality::text AS m, SUM(e.n) AS c, SUM(e.ckey) AS ck
        FROM public.ended_count e WHERE e.period BETWEEN p_from AND p_to AND e.period < v_now
        GROUP BY e.municipality),
    groups AS (
        SELECT g.m FROM (SELECT d.m FROM dec d UNION SELECT x.m FROM ended x) g),
    base AS (
        SELECT g.m, COALESCE(x.c, 0) AS c, COALESCE(x.ck, 0) AS ck
        FROM groups g LEFT JOIN ended x ON x.m = g.m
        UNION ALL
        SELECT '__total__', COALESCE(SUM(x.c), 0), COALESCE(SUM(x.ck), 0) FROM ended x),
    flagged AS (
        SELECT b.m, public.ubu_perturb(b.c, b.ck) AS pn,
               (b.c < {STANDARD} OR public.ubu_perturb(b.c, b.ck) < t) AS hid FROM base b),
    alldec AS (
        SELECT d.m, d.o, d.c, d.ck FROM dec d
        UNION ALL
        SELECT '__total__', d.o, SUM(d.c), SUM(d.ck) FROM dec d GROUP BY d.o),
    reasons AS (
        SELECT a.o, a.c, a.ck FROM alldec a
        WHERE a.m = '__total__' AND (a.o = 'not_due' OR a.o LIKE 'not\\_due:%')),
    not_due AS (
        SELECT COALESCE(SUM(r.c), 0) AS c, COALESCE(SUM(r.ck), 0) AS ck FROM reasons r
        WHERE r.o = 'not_due')
    -- a hidden total has no row, as in the other figure functions (0169): a row without a
    -- figure told "one or two" (or a few) from none
    SELECT f.m, '{ENDED_ROW}'::text, f.pn FROM flagged f
    WHERE NOT f.hid
    UNION ALL
    SELECT a.m, a.o, public.ubu_perturb(a.c, a.ck)
    FROM alldec a JOIN flagged f ON f.m = a.m
    WHERE NOT f.hid AND public.ubu_perturb(a.c, a.ck) > 0     -- disclosure.published_parts
    UNION ALL
    SELECT '{REASONS_GROUP}', r.o, public.ubu_perturb(r.c, r.ck)
    FROM reasons r, not_due nd
    WHERE nd.c >= {STANDARD} AND public.ubu_perturb(nd.c, nd.ck) >= t     -- disclosure.hidden
      AND r.c > 0 AND r.c >= {STANDARD} AND public.ubu_perturb(r.c, r.ck) >= t;
END
$fn$"""


def _guard() -> str:
    from ubu_tui.store.pg_security import NO_WRITES_GUARD

    return NO_WRITES_GUARD.rstrip()


def more_sql() -> list[str]:
    return [method_figures_sql(), coverage_figures_sql()]


def reinstall(op: Any) -> None:
    """What a migration that changes the figure functions runs (alembic's `op`): every
    function created again from this release's code, with CREATE OR REPLACE and the same
    signatures, so that the roles' EXECUTE grants stay. Nothing on SQLite."""
    from sqlalchemy import text

    if op.get_bind().dialect.name != "postgresql":
        return
    for sql in (*all_sql(), *more_sql()):
        op.execute(text(sql))
