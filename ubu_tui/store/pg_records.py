"""The shared database's only ways in and out of the record tables for roles other than the owner.

- `ubu_submit_records(jsonb)` takes an array of whole records (the export format
  ubu-record/1, plus each record's index scores under "scores"), checks every one, and inserts
  the new ones with one statement per table; a record id already present is skipped, so a push
  can be repeated. It returns how many were stored. A login that acts for a municipality may
  submit that municipality's records only.
- `ubu_withdraw(text)` deletes every record of one municipality: the owner's for any, a
  municipality login's for its own only.
- `ubu_export(text)` hands out the records of one municipality (NULL: all) as ubu-record/1
  JSON, under the same rule.
- `ubu_submission_count()` counts the records the caller may export.
- A statement trigger refuses any row that a role other than the owner writes to the record
  tables directly: rows come in through ubu_submit_records only, which adds rows to the
  submissions it has just created and to no other.

Everything is written with pg_security.definer (fixed search_path, public.-qualified tables).
"""

from __future__ import annotations

import json
from collections.abc import Generator, Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ubu_tui.store.background import COLUMNS as GROUPS
from ubu_tui.store.background import groups_sql
from ubu_tui.store.pg_instruments import CHECK_SQL
from ubu_tui.store.pg_security import definer, private

RECORD_TABLES = ("submission", "session_record", "answer_record", "method_record",
                 "index_score")

_ALLOWED = r"""
    -- who may act for which municipality: the owner for any, a mapped login for its own
    v_owner boolean := public.ubu_caller_is_owner();
    v_mine text := public.ubu_my_municipality();
"""

_CHECK_SCOPE = r"""
    IF NOT v_owner AND v_mine IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = pg_catalog.format('login %s acts for no municipality', session_user),
            HINT = 'the database owner maps it: ubu db roles --login NAME --municipality NNNN';
    END IF;
"""

_PARTS = ("FROM pg_catalog.jsonb_array_elements(p_records) e\n"
          "    JOIN pg_catalog.unnest(v_new) AS n(id) ON n.id = e->>'id'\n"
          "    CROSS JOIN LATERAL pg_catalog.jsonb_array_elements(e->'sessions') s")

SUBMIT_BODY = "\nDECLARE" + _ALLOWED + r"""
    v_bad text;
    v_new text[];
    v_count integer;
BEGIN
""" + _CHECK_SCOPE + r"""
    IF p_records IS NULL OR pg_catalog.jsonb_typeof(p_records) <> 'array' THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'ubu_submit_records takes a JSON array of ubu-record/1 records';
    END IF;
    -- every record, then every part, then every item: the first fault is named and nothing
    -- is stored
    --
    -- A batch's ~30 000 scores name some 30 index ids with a few hundred distinct [n, total]:
    -- each distinct key and value is checked once, not once per record (the regular
    -- expressions per score were half of this statement's time). Values are told apart by
    -- their JSON text, not by jsonb equality, under which 1.0 would pass as 1.
    WITH sc AS MATERIALIZED (
        SELECT e.ord, x.key, x.value::text AS v
        FROM pg_catalog.jsonb_array_elements(p_records) WITH ORDINALITY AS e(r, ord)
        CROSS JOIN LATERAL pg_catalog.jsonb_each(
            CASE WHEN pg_catalog.jsonb_typeof(e.r->'scores') = 'object' THEN e.r->'scores' END) x),
    -- (materialized: else the planner pushes the checks below the DISTINCT, row by row)
    score_keys AS MATERIALIZED (SELECT DISTINCT sc.key FROM sc),
    score_values AS MATERIALIZED (SELECT DISTINCT sc.v FROM sc),
    bad_scores AS (
        SELECT sc.ord FROM sc
        WHERE sc.key IN (SELECT k.key FROM score_keys k
                         WHERE pg_catalog.length(k.key) > 40
                            OR (k.key !~ '^[a-z][a-z0-9_.-]{0,47}$'
                               OR pg_catalog.length(pg_catalog.regexp_replace(
                                      k.key, '[^0-9]', '', 'g')) > 3))
           OR sc.v IN (SELECT d.v FROM score_values d
                       CROSS JOIN LATERAL (SELECT d.v::jsonb AS value) x
                       WHERE pg_catalog.jsonb_typeof(x.value) <> 'array'
                          OR pg_catalog.jsonb_array_length(x.value) <> 2
                          OR pg_catalog.jsonb_typeof(x.value->0) <> 'number'
                          OR pg_catalog.jsonb_typeof(x.value->1) <> 'number'
                          OR COALESCE(x.value->>0, '') !~ '^[0-9]{1,4}$'
                          OR COALESCE(x.value->>1, '') !~ '^[0-9]{1,6}$'))
    SELECT pg_catalog.format('record %s (%s): %s', e.ord, COALESCE(e.r->>'id', '?'), f.why)
    INTO v_bad
    FROM pg_catalog.jsonb_array_elements(p_records) WITH ORDINALITY AS e(r, ord)
    CROSS JOIN LATERAL (SELECT CASE
        WHEN pg_catalog.jsonb_typeof(e.r) <> 'object' THEN 'not a JSON object'
        WHEN COALESCE(e.r->>'format', '') <> 'ubu-record/1' THEN 'format is not ubu-record/1'
        -- text fields must be JSON strings: ->> would turn 1234 or [] into text and store it
        WHEN EXISTS (SELECT 1 FROM pg_catalog.unnest(ARRAY['id', 'municipality', 'period',
                                                           'instrument', 'version']) f(name)
                     WHERE pg_catalog.jsonb_typeof(e.r->f.name) IS DISTINCT FROM 'string')
            THEN 'id, municipality, period, instrument and version must be strings'
        WHEN COALESCE(e.r->>'id', '') !~ '^[0-9a-f]{32}$' THEN 'id must be 32 hex digits'
        WHEN COALESCE(e.r->>'municipality', '') !~ '^[0-9]{4}$'
            THEN 'municipality must be four digits'
        WHEN NOT v_owner AND e.r->>'municipality' <> v_mine
            THEN pg_catalog.format('this login submits for municipality %s only', v_mine)
        WHEN e.r ? 'key' AND (pg_catalog.jsonb_typeof(e.r->'key') IS DISTINCT FROM 'number'
             OR COALESCE(e.r->>'key', '') !~ '^[0-9]{1,10}$'
             OR (e.r->>'key')::bigint > 4294967295)
            THEN 'key must be a whole number from 0 to 4294967295'
        WHEN COALESCE(e.r->>'period', '') !~ '^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$'
            THEN 'period must be YYYY-MM'
        WHEN NOT v_owner AND e.r->>'period' > pg_catalog.to_char(pg_catalog.now(), 'YYYY-MM')
            THEN 'period lies in the future'
        WHEN pg_catalog.jsonb_typeof(e.r->'unit') IS DISTINCT FROM 'number'
             OR COALESCE(e.r->>'unit', '') !~ '^[0-9]{1,9}$'
             OR NOT EXISTS (SELECT 1 FROM public.unit u WHERE u.id = (e.r->>'unit')::integer)
            THEN 'unit is not in the registry'
        -- names of the instrument's own making: lower-case, at most three digits, so that
        -- no name, number, phone, e-mail or date can ride in them (schema 0041)
        -- a local version is the municipality's own: never pooled into national figures,
        -- which is what this database makes (schema 0081 says so instead of a format error)
        WHEN pg_catalog.strpos(COALESCE(e.r->>'version', ''), '+') > 0
            THEN pg_catalog.format('version %s is a local version: its records stay in the '
                                   'municipality''s own store and are never pooled into '
                                   'national figures', e.r->>'version')
        WHEN pg_catalog.length(COALESCE(e.r->>'instrument', '')) NOT BETWEEN 1 AND 40
             OR ((e.r->>'instrument') !~ '^[a-z][a-z0-9_.-]{0,47}$'
              OR pg_catalog.length(pg_catalog.regexp_replace(
                     (e.r->>'instrument'), '[^0-9]', '', 'g')) > 3)
             OR COALESCE(e.r->>'version', '') !~ '^[0-9]{4}[.][0-9]{1,2}$'
            THEN 'instrument must be an instrument id and version YYYY.N'
        WHEN pg_catalog.jsonb_typeof(e.r->'sessions') IS DISTINCT FROM 'array'
             OR pg_catalog.jsonb_array_length(e.r->'sessions') <> 3
             OR (SELECT pg_catalog.array_agg(s->>'respondent' ORDER BY s->>'respondent')
                 FROM pg_catalog.jsonb_array_elements(e.r->'sessions') s)
                IS DISTINCT FROM ARRAY['caseworker', 'guardian', 'youth']
            THEN 'sessions must be one each for youth, guardian and caseworker'
        WHEN pg_catalog.jsonb_typeof(COALESCE(e.r->'scores', '{}')) <> 'object'
             OR e.ord IN (SELECT b.ord FROM bad_scores b)
            THEN 'scores must map index ids to [n, total]'
        END AS why) f
    WHERE f.why IS NOT NULL ORDER BY e.ord LIMIT 1;
    IF v_bad IS NULL THEN
        -- The batch's ~97 000 answers, read out of the JSON once for the checks below, the
        -- instrument's (CHECK_SQL) and the insert: each of the three expanded them afresh
        -- (schema 0164). A temporary table of this function's own making, named with its
        -- schema: made without IF NOT EXISTS, so that one a caller made beforehand (none
        -- can: TEMP is revoked from PUBLIC) stops the submission instead of being read;
        -- dropped again before the function returns, and with the transaction it was made
        -- in when the function fails. Its rows are the owner's, unreadable to the caller.
        -- Values are kept as their JSON text (checked as such, as the scores above), and
        -- their outcome and code as text, cast once that check has passed.
        CREATE TEMPORARY TABLE pg_temp.ubu_submit_items (
            ord bigint NOT NULL, sord bigint NOT NULL, id text, resp text, iv text,
            item text NOT NULL, v text NOT NULL, outcome text, code text) ON COMMIT DROP;
        INSERT INTO pg_temp.ubu_submit_items (ord, sord, id, resp, iv, item, v, outcome, code)
        SELECT e.ord, x.sord, e.r->>'id', x.s->>'respondent',
               (e.r->>'instrument') || ' ' || (e.r->>'version'), i.key, i.value::text,
               i.value->>0, i.value->>1
        FROM pg_catalog.jsonb_array_elements(p_records) WITH ORDINALITY AS e(r, ord)
        CROSS JOIN LATERAL pg_catalog.jsonb_array_elements(e.r->'sessions')
            WITH ORDINALITY AS x(s, sord)
        CROSS JOIN LATERAL pg_catalog.jsonb_each(
            CASE WHEN pg_catalog.jsonb_typeof(x.s->'items') = 'object'
                 THEN x.s->'items' END) i;
        -- the [outcome, code] pairs take a few hundred distinct values: each is checked once
        WITH item_values AS MATERIALIZED (SELECT DISTINCT it.v FROM pg_temp.ubu_submit_items it),
        bad_items AS (
            SELECT it.ord, it.sord FROM pg_temp.ubu_submit_items it
            WHERE it.v IN (SELECT d.v FROM item_values d
                           CROSS JOIN LATERAL (SELECT d.v::jsonb AS value) i
                           WHERE pg_catalog.jsonb_typeof(i.value) <> 'array'
                              OR pg_catalog.jsonb_array_length(i.value) <> 2
                              OR COALESCE(i.value->>0, '') NOT IN
                                 ('value', 'nonresponse', 'skipped', 'not_reached')
                              OR pg_catalog.jsonb_typeof(i.value->1) <> 'number'
                              OR COALESCE(i.value->>1, '') !~ '^-?[0-9]{1,9}$'))
        SELECT pg_catalog.format('record %s (%s), %s: %s', e.ord, e.r->>'id',
                                 s->>'respondent', f.why)
        INTO v_bad
        FROM pg_catalog.jsonb_array_elements(p_records) WITH ORDINALITY AS e(r, ord)
        CROSS JOIN LATERAL pg_catalog.jsonb_array_elements(e.r->'sessions')
            WITH ORDINALITY AS x(s, sord)
        CROSS JOIN LATERAL (SELECT CASE
            WHEN pg_catalog.jsonb_typeof(s) <> 'object' THEN 'not a JSON object'
            WHEN COALESCE(s->>'disposition', '') NOT IN ('completed', 'declined',
                    'not_reachable', 'youth_objects', 'broke_off', 'not_eligible')
                THEN 'unknown disposition'
            WHEN pg_catalog.jsonb_typeof(s->'mode') IS DISTINCT FROM 'number'
                 OR COALESCE(s->>'mode', '') !~ '^[1-5]$' THEN 'mode must be 1-5'
            WHEN COALESCE(s->>'language', '') !~ '^[a-z]{2,3}$'
                THEN 'language must be a 2-3 letter code'
            WHEN pg_catalog.jsonb_typeof(s->'break_reason') NOT IN ('null', 'number')
                 OR COALESCE(s->>'break_reason', '1') !~ '^[1-5]$'
                THEN 'break_reason must be empty or 1-5'
            -- the coded reason of a decline (schema 0081); the instrument's list is checked
            -- by the client, the database keeps it to one digit and to a decline
            WHEN pg_catalog.jsonb_typeof(COALESCE(s->'decline_reason', 'null'))
                    NOT IN ('null', 'number')
                 OR COALESCE(s->>'decline_reason', '1') !~ '^[1-9]$'
                 OR (s->>'decline_reason' IS NOT NULL AND s->>'disposition' <> 'declined')
                THEN 'decline_reason must be empty, or 1-9 for a declined part'
            WHEN pg_catalog.jsonb_typeof(COALESCE(s->'adhoc', '[]')) <> 'array'
                 OR EXISTS (SELECT 1 FROM pg_catalog.jsonb_array_elements(
                                COALESCE(s->'adhoc', '[]')) a
                            WHERE pg_catalog.jsonb_typeof(a) <> 'string'
                               OR pg_catalog.length(a #>> '{}') > 48
                               OR ((a #>> '{}') !~ '^[a-z][a-z0-9_.-]{0,47}$'
                                  OR pg_catalog.length(pg_catalog.regexp_replace(
                                         (a #>> '{}'), '[^0-9]', '', 'g')) > 3))
                THEN 'adhoc must list item ids'
            WHEN pg_catalog.jsonb_typeof(s->'items') IS DISTINCT FROM 'object'
                 -- (the item ids themselves are checked against the instrument version's
                 -- items, pg_instruments.CHECK_SQL: no name or number can ride in one)
                 OR (e.ord, x.sord) IN (SELECT b.ord, b.sord FROM bad_items b)
                THEN 'items must map item ids to [outcome, code]'
            WHEN pg_catalog.jsonb_typeof(s->'methods') IS DISTINCT FROM 'object'
                 OR EXISTS (SELECT 1 FROM pg_catalog.jsonb_each(s->'methods') m
                            WHERE pg_catalog.length(m.key) > 48
                               OR NOT (s->'items') ? m.key
                               OR pg_catalog.jsonb_typeof(m.value) <> 'array'
                               OR EXISTS (SELECT 1 FROM pg_catalog.jsonb_array_elements(m.value) p
                                          WHERE pg_catalog.jsonb_typeof(p) <> 'array'
                                             OR pg_catalog.jsonb_array_length(p) <> 2
                                             OR pg_catalog.jsonb_typeof(p->0) <> 'number'
                                             OR pg_catalog.jsonb_typeof(p->1) <> 'number'
                                             OR COALESCE(p->>0, '') !~ '^[0-9]{1,6}$'
                                             OR COALESCE(p->>1, '') !~ '^[1-3]$'))
                THEN 'methods must map item ids to [method, 1-3] pairs'
            END AS why) f
        WHERE f.why IS NOT NULL ORDER BY e.ord, x.sord LIMIT 1;
    END IF;
{INSTRUMENT_CHECKS}    IF v_bad IS NULL THEN
        SELECT pg_catalog.format('record id %s is given twice', d.id) INTO v_bad
        FROM (SELECT e->>'id' AS id FROM pg_catalog.jsonb_array_elements(p_records) e
              GROUP BY 1 HAVING pg_catalog.count(*) > 1) d LIMIT 1;
    END IF;
    IF v_bad IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'nothing was submitted: ' || v_bad;
    END IF;

    -- one statement per table for the whole batch; records already present are skipped
    WITH ins AS (
        INSERT INTO public.submission (id, municipality, unit_id, instrument_id,
                                       instrument_version, period, record_key, received_seq,
                                       {GROUP_COLUMNS})
        SELECT e->>'id', e->>'municipality', (e->>'unit')::integer, e->>'instrument',
               e->>'version', e->>'period',
               -- the record key travels with the record (schema 0020) when the owner moves
               -- records; a record without one draws one here, at random. A municipality
               -- login's records always draw here: a caller who chooses the keys of records it
               -- adds to a group can steer that group's cell key and, query by query, work out
               -- the keys of the others and take the noise off their sum (schema 0041)
               CASE WHEN v_owner AND e ? 'key' THEN (e->>'key')::bigint
                    ELSE pg_catalog.floor(pg_catalog.random() * 4294967296)::bigint END,
               -- the owner's records count at once; a login's wait for the next release
               -- (store/pg_release.py, schema 0101)
               CASE WHEN v_owner THEN 0 ELSE pg_catalog.nextval('public.ubu_receipt') END,
               -- the groups of its background answers, by the same rule (schema 0070)
               {GROUP_VALUES}
        FROM pg_catalog.jsonb_array_elements(p_records) e
        ON CONFLICT (id) DO NOTHING
        RETURNING id)
    SELECT pg_catalog.array_agg(ins.id) INTO v_new FROM ins;
    v_count := COALESCE(pg_catalog.cardinality(v_new), 0);
    IF v_count = 0 THEN
        DROP TABLE pg_temp.ubu_submit_items;
        RETURN 0;
    END IF;
    -- the parts of the new records only
    INSERT INTO public.session_record (submission_id, respondent, disposition, break_reason,
                                       decline_reason, mode, language, adhoc)
    SELECT e->>'id', s->>'respondent', s->>'disposition', (s->>'break_reason')::integer,
           (s->>'decline_reason')::smallint,
           (s->>'mode')::integer, s->>'language',
           COALESCE((SELECT pg_catalog.string_agg(a #>> '{}', ' ')
                     FROM pg_catalog.jsonb_array_elements(COALESCE(s->'adhoc', '[]')) a), '')
    {PARTS};
    INSERT INTO public.answer_record (submission_id, respondent, item_id, outcome, code)
    SELECT t.id, t.resp, t.item, t.outcome, t.code::integer
    FROM pg_temp.ubu_submit_items t JOIN pg_catalog.unnest(v_new) AS n(id) ON n.id = t.id;
    INSERT INTO public.method_record (submission_id, item_id, method, applied)
    SELECT e->>'id', m.key, (x->>0)::integer, (x->>1)::integer
    {PARTS}
    CROSS JOIN LATERAL pg_catalog.jsonb_each(s->'methods') m
    CROSS JOIN LATERAL pg_catalog.jsonb_array_elements(m.value) x;
    INSERT INTO public.index_score (submission_id, index_id, n, total)
    SELECT e->>'id', x.key, (x.value->>0)::integer, (x.value->>1)::integer
    FROM pg_catalog.jsonb_array_elements(p_records) e
    JOIN pg_catalog.unnest(v_new) AS n(id) ON n.id = e->>'id'
    CROSS JOIN LATERAL pg_catalog.jsonb_each(COALESCE(e->'scores', '{}')) x;
    DROP TABLE pg_temp.ubu_submit_items;
    RETURN v_count;
END""".replace("{PARTS}", _PARTS).replace("{INSTRUMENT_CHECKS}", CHECK_SQL).replace(
    "{GROUP_COLUMNS}", ", ".join(GROUPS)).replace(
    "{GROUP_VALUES}", ",\n               ".join(groups_sql("e").values()))

WITHDRAW_BODY = "\nDECLARE" + _ALLOWED + r"""
    v_count integer;
BEGIN
""" + _CHECK_SCOPE + r"""
    IF p_municipality IS NULL OR p_municipality !~ '^[0-9]{4}$' THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'municipality must be the four digits of the municipality';
    END IF;
    IF NOT v_owner AND p_municipality <> v_mine THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = pg_catalog.format('login %s withdraws the records of municipality %s '
                                        'only', session_user, v_mine);
    END IF;
    DELETE FROM public.index_score x USING public.submission s
    WHERE s.id = x.submission_id AND s.municipality = p_municipality;
    DELETE FROM public.method_record x USING public.submission s
    WHERE s.id = x.submission_id AND s.municipality = p_municipality;
    DELETE FROM public.answer_record x USING public.submission s
    WHERE s.id = x.submission_id AND s.municipality = p_municipality;
    DELETE FROM public.session_record x USING public.submission s
    WHERE s.id = x.submission_id AND s.municipality = p_municipality;
    DELETE FROM public.submission s WHERE s.municipality = p_municipality;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END"""

EXPORT_BODY = "\nDECLARE" + _ALLOWED + r"""
BEGIN
""" + _CHECK_SCOPE + r"""
    IF p_municipality IS NOT NULL AND p_municipality !~ '^[0-9]{4}$' THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'municipality must be the four digits of the municipality';
    END IF;
    IF NOT v_owner AND p_municipality IS DISTINCT FROM v_mine THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = pg_catalog.format('login %s exports the records of municipality %s '
                                        'only', session_user, v_mine);
    END IF;
    RETURN QUERY
    SELECT pg_catalog.jsonb_build_object(
        'format', 'ubu-record/1', 'id', s.id,
        'instrument', s.instrument_id,
        'version', s.instrument_version, 'municipality', s.municipality, 'unit', s.unit_id,
        'period', s.period,
        'sessions', (SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
            'respondent', r.respondent, 'disposition', r.disposition,
            'break_reason', r.break_reason, 'decline_reason', r.decline_reason,
            'mode', r.mode, 'language', r.language,
            'adhoc', COALESCE(pg_catalog.to_jsonb(pg_catalog.string_to_array(
                NULLIF(r.adhoc, ''), ' ')), '[]'),
            'items', COALESCE((SELECT pg_catalog.jsonb_object_agg(
                a.item_id, pg_catalog.jsonb_build_array(a.outcome, a.code))
                FROM public.answer_record a
                WHERE a.submission_id = s.id AND a.respondent = r.respondent), '{}'),
            'methods', COALESCE((SELECT pg_catalog.jsonb_object_agg(m.item_id, m.pairs)
                FROM (SELECT mr.item_id, pg_catalog.jsonb_agg(
                          pg_catalog.jsonb_build_array(mr.method, mr.applied)
                          ORDER BY mr.method, mr.applied) AS pairs
                      FROM public.method_record mr
                      WHERE mr.submission_id = s.id AND mr.item_id IN (
                          SELECT a.item_id FROM public.answer_record a
                          WHERE a.submission_id = s.id AND a.respondent = r.respondent)
                      GROUP BY mr.item_id) m), '{}'))
            ORDER BY r.respondent)
            FROM public.session_record r WHERE r.submission_id = s.id))
        -- the key only to the owner: a login that knew the keys of its own records could
        -- steer cell keys just as well as one that chose them (schema 0041)
        || CASE WHEN v_owner THEN pg_catalog.jsonb_build_object('key', s.record_key)
                ELSE '{}'::jsonb END
    FROM public.submission s
    WHERE p_municipality IS NULL OR s.municipality = p_municipality
    ORDER BY pg_catalog.random();   -- the order must not tell when a record came in
END"""

COUNT_BODY = r"""
    SELECT pg_catalog.count(*)::integer FROM public.submission s
    WHERE public.ubu_caller_is_owner() OR s.municipality = public.ubu_my_municipality()
"""

# Statement trigger on every record table: only the owner (which the definer functions run
# as) writes rows directly. SECURITY INVOKER on purpose: current_user is then the writer.
GUARD_SQL = r"""
CREATE OR REPLACE FUNCTION public.ubu_records_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY INVOKER SET search_path = pg_catalog, public, pg_temp AS $fn$
BEGIN
    IF NOT pg_catalog.pg_has_role(current_user,
            (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID), 'MEMBER') THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = pg_catalog.format('%s: submitted records are written only through '
                                        'ubu_submit_records, never row by row', TG_TABLE_NAME);
    END IF;
    RETURN NULL;
END
$fn$
"""

FUNCTIONS = {
    # name: (arguments, returns, body, language, volatility)
    "ubu_submit_records": ("p_records jsonb", "integer", SUBMIT_BODY, "plpgsql", "VOLATILE"),
    "ubu_withdraw": ("p_municipality text", "integer", WITHDRAW_BODY, "plpgsql", "VOLATILE"),
    "ubu_export": ("p_municipality text", "SETOF jsonb", EXPORT_BODY, "plpgsql", "STABLE"),
    "ubu_submission_count": ("", "integer", COUNT_BODY, "sql", "STABLE"),
}


def signature(name: str) -> str:
    args = FUNCTIONS[name][0]
    return f"{name}({args.split(' ', 1)[1] if args else ''})"


def install_sql() -> list[str]:
    out = []
    for name, (args, returns, body, language, volatility) in FUNCTIONS.items():
        out.append(definer(name, args, returns, body, language=language,
                           volatility=volatility))
        out.append(private(signature(name)))
    # JIT compiles each of the submit function's statements afresh at every call (some 20 ms
    # apiece): more than it saves on a batch of a thousand records (measured: 15% of the
    # server's time for a push)
    out.append(f"ALTER FUNCTION public.{signature('ubu_submit_records')} SET jit = off")
    # the index cube's trigger groups ~90 000 rows per thousand records: under the default
    # 4MB that is an external merge sort on disk, in memory a hash aggregate (schema 0103)
    out.append(f"ALTER FUNCTION public.{signature('ubu_submit_records')} SET work_mem = '32MB'")
    out.append(GUARD_SQL)
    for table in RECORD_TABLES:
        out.append(f"DROP TRIGGER IF EXISTS {table}_guard ON public.{table}")
        out.append(f"CREATE TRIGGER {table}_guard BEFORE INSERT OR DELETE OR TRUNCATE "
                   f"ON public.{table} FOR EACH STATEMENT "
                   "EXECUTE FUNCTION public.ubu_records_guard()")
    return out


def remove_sql() -> list[str]:
    out = [f"DROP TRIGGER IF EXISTS {t}_guard ON public.{t}" for t in RECORD_TABLES]
    out.append("DROP FUNCTION IF EXISTS public.ubu_records_guard()")
    out += [f"DROP FUNCTION IF EXISTS public.{signature(n)}" for n in FUNCTIONS]
    return out


def payload(record: Any, period: str) -> dict[str, Any]:
    """A FollowUpRecord as ubu-record/1 with its index scores: what ubu_submit_records takes."""
    from ubu_tui.store.submissions import index_scores

    methods_of = {item.item_id: [list(m) for m in item.methods]
                  for sess in record.sessions for item in sess.items if item.methods}
    return {
        "format": "ubu-record/1", "id": record.id, "instrument": record.instrument_id,
        "version": record.instrument_version, "municipality": record.municipality,
        "unit": record.unit_id, "period": period,
        "sessions": [{
            "respondent": s.respondent, "disposition": s.disposition.value,
            "break_reason": s.break_reason, "decline_reason": s.decline_reason,
            "mode": int(s.mode), "language": s.language,
            "adhoc": list(s.adhoc),
            "items": {i.item_id: [i.kind.value, i.code] for i in s.items},
            "methods": {i.item_id: methods_of[i.item_id] for i in s.items
                        if i.item_id in methods_of},
        } for s in record.sessions],
        "scores": {ix: [n, total] for ix, (n, total) in index_scores(record).items()},
    }


def payloads_of(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """ubu-record/1 records (as exported or imported, already checked) with their index scores.

    Straight from the JSON, with each instrument loaded once: a push of 10 000 records should
    spend its time in the database, not here.
    """
    from ubu_tui.instrument.loader import instrument_by_version

    indices: dict[tuple[str, str], list[tuple[str, tuple[str, ...]]]] = {}
    out = []
    for r in records:
        key = (r["instrument"], r["version"])
        if key not in indices:
            indices[key] = [(ix.id, tuple(ix.items))
                            for ix in instrument_by_version(*key).scored_indices()]
        values = {item: code for s in r["sessions"]
                  for item, (kind, code) in s["items"].items() if kind == "value"}
        scores = {}
        for ix, items in indices[key]:
            codes = [values[i] for i in items if i in values]
            if codes:
                scores[ix] = [len(codes), sum(codes)]
        out.append({**r, "scores": scores})
    return out


def on_postgres(engine: Engine) -> bool:
    return engine.url.get_backend_name() == "postgresql"


def submit_payloads(session: Session, payloads: list[dict[str, Any]] | str) -> int:
    """Store whole records through the database's one way in; return how many were new.

    `payloads` may come as their JSON text already (see `prepared`)."""
    if not payloads:
        return 0
    as_json = payloads if isinstance(payloads, str) else json.dumps(payloads,
                                                                    ensure_ascii=False)
    result = session.execute(text("SELECT public.ubu_submit_records(CAST(:p AS jsonb))"),
                             {"p": as_json})
    return int(result.scalar_one())


def prepared(chunks: Sequence[list[dict[str, Any]]]) -> Generator[str, None, None]:
    """Each chunk's payloads as JSON text, made in a thread while the server stores the
    previous chunk (the server's work and ours then overlap instead of taking turns). A chunk
    is taken from `chunks` in that thread too, so a sequence that reads its chunks when asked
    (a push's) reads them there."""
    from concurrent.futures import ThreadPoolExecutor

    def make(i: int) -> str:
        return json.dumps(payloads_of(chunks[i]), ensure_ascii=False)

    with ThreadPoolExecutor(max_workers=1) as pool:
        futures = [pool.submit(make, i) for i in range(min(2, len(chunks)))]
        for i in range(len(chunks)):
            if i + 2 < len(chunks):
                futures.append(pool.submit(make, i + 2))
            yield futures[i].result()


def export_records(session: Session, municipality: str | None) -> list[dict[str, Any]]:
    rows = session.execute(text("SELECT public.ubu_export(:m)"), {"m": municipality})
    return [row[0] for row in rows]


def withdraw_records(session: Session, municipality: str) -> int:
    result = session.execute(text("SELECT public.ubu_withdraw(:m)"), {"m": municipality})
    return int(result.scalar_one())
