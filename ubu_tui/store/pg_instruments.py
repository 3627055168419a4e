"""The instrument versions' items, in the shared database (schema 0101).

ubu_submit_records checks the shape of every field, but without the instruments it would take
any item id of the right shape and any code: a login could store answers to questions that
were never asked, or codes no option has, and they would be counted. So the items of every
shipped instrument version — id, respondent, type, allowed codes — are kept in
`instrument_item`, filled when the schema is created or upgraded (`ubu db upgrade`, which a new
release of ubu-tui with a new instrument version asks for), and the submit function refuses
every answer, method and interpreted-item id that the record's own version does not have.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from ubu_tui.instrument.model import NONRESPONSE, AnswerType, Instrument

CREATE = [
    """CREATE TABLE IF NOT EXISTS public.instrument_item (
        instrument_id varchar(48) NOT NULL,
        version varchar(16) NOT NULL,
        item_id varchar(48) NOT NULL,
        respondent varchar(16) NOT NULL,
        type varchar(16) NOT NULL,
        codes integer[],              -- the option codes (scale, single, multi); NULL: any
        min_value integer,            -- age: the whole-year range
        max_value integer,
        nonresponse integer[] NOT NULL,   -- the negative codes the item offers
        PRIMARY KEY (instrument_id, version, item_id))""",
    # nobody but the owner needs it, and nothing in it is secret either
    "REVOKE ALL ON public.instrument_item FROM PUBLIC",
]

# The versions' scored indices with their parts per respondent (schema 0103): a record's index
# scores name indices of its own version only, so that no made-up id rides in one and no score
# lands in another index's figures.
CREATE_INDICES = [
    """CREATE TABLE IF NOT EXISTS public.instrument_index (
        instrument_id varchar(48) NOT NULL,
        version varchar(16) NOT NULL,
        index_id varchar(48) NOT NULL,
        PRIMARY KEY (instrument_id, version, index_id))""",
    "REVOKE ALL ON public.instrument_index FROM PUBLIC",
]


def rows_of(instrument: Instrument) -> list[dict[str, Any]]:
    out = []
    for item in instrument.items.values():
        with_options = item.type in (AnswerType.SCALE, AnswerType.SINGLE, AnswerType.MULTI)
        out.append({
            "i": instrument.id, "v": instrument.version, "item": item.id,
            "r": item.respondent, "t": item.type.value,
            "codes": [o.code for o in item.options] if with_options else None,
            "lo": item.min_value if item.type is AnswerType.AGE else None,
            "hi": item.max_value if item.type is AnswerType.AGE else None,
            "nr": [NONRESPONSE[k].code for k in item.nonresponse],
        })
    return out


def sync(conn: Connection) -> int:
    """Write the items of every shipped instrument version; return how many versions.

    A version already there is written again as it ships (an item is never taken away from a
    version, so records stored under it stay valid)."""
    from ubu_tui.instrument.loader import available_instruments, instrument_by_version

    versions = sorted(available_instruments())
    with_indices = conn.execute(text(
        "SELECT pg_catalog.to_regclass('public.instrument_index') IS NOT NULL")).scalar_one()
    for instrument_id, version in versions:
        rows = rows_of(instrument_by_version(instrument_id, version))
        conn.execute(text(
            "INSERT INTO public.instrument_item (instrument_id, version, item_id, respondent, "
            "type, codes, min_value, max_value, nonresponse) "
            "VALUES (:i, :v, :item, :r, :t, :codes, :lo, :hi, :nr) "
            "ON CONFLICT (instrument_id, version, item_id) DO UPDATE SET "
            "respondent = EXCLUDED.respondent, type = EXCLUDED.type, codes = EXCLUDED.codes, "
            "min_value = EXCLUDED.min_value, max_value = EXCLUDED.max_value, "
            "nonresponse = EXCLUDED.nonresponse"), rows)
        # (absent while 0101 runs on a new database: 0103 makes it and syncs again)
        if with_indices:
            conn.execute(text(
                "INSERT INTO public.instrument_index (instrument_id, version, index_id) "
                "VALUES (:i, :v, :ix) ON CONFLICT DO NOTHING"),
                [{"i": instrument_id, "v": version, "ix": ix.id}
                 for ix in instrument_by_version(instrument_id, version).scored_indices()])
    return len(versions)


# The checks ubu_submit_records runs against the table, after the shape checks (so every value
# used here is already known to be of the right JSON type and form).
CHECK_SQL = r"""
    IF v_bad IS NULL THEN
        SELECT pg_catalog.format('record %s (%s): instrument %s version %s is not known to '
                                 'this database', e.ord, e.r->>'id', e.r->>'instrument',
                                 e.r->>'version')
        INTO v_bad
        FROM pg_catalog.jsonb_array_elements(p_records) WITH ORDINALITY AS e(r, ord)
        WHERE NOT EXISTS (SELECT 1 FROM public.instrument_item k
                          WHERE k.instrument_id = e.r->>'instrument'
                            AND k.version = e.r->>'version')
        ORDER BY e.ord LIMIT 1;
    END IF;
    IF v_bad IS NULL THEN
        -- every answer against the item it claims to answer, and every item of the version
        -- answered. One pass, joined on one text key so that it is a hash join (a nested loop
        -- over the items of a version, per answer, took 3 s per thousand records)
        -- (the answers as the submit function read them out of the JSON once, their
        -- [outcome, code] already checked: schema 0164)
        WITH a AS MATERIALIZED (
            SELECT t.ord, t.id, t.resp, t.item, t.outcome, t.code::integer AS code, t.iv
            FROM pg_temp.ubu_submit_items t),
        k AS MATERIALIZED (
            SELECT x.instrument_id || ' ' || x.version AS iv, x.respondent AS resp,
                   x.item_id AS item, x.type, x.codes, x.min_value, x.max_value, x.nonresponse
            FROM public.instrument_item x),
        per AS MATERIALIZED (
            SELECT k.iv, k.resp, pg_catalog.count(*) AS items FROM k GROUP BY k.iv, k.resp),
        bad AS (
            SELECT a.ord, pg_catalog.format('record %s (%s), %s, item %s: %s', a.ord, a.id,
                                            a.resp, a.item, f.why) AS msg
            FROM a LEFT JOIN k ON k.iv || ' ' || k.resp || ' ' || k.item
                                  = a.iv || ' ' || a.resp || ' ' || a.item
            CROSS JOIN LATERAL (SELECT CASE
                WHEN k.item IS NULL THEN pg_catalog.format(
                    'not an item of %s for the %s', a.iv, a.resp)
                WHEN NOT CASE a.outcome
                        WHEN 'skipped' THEN a.code = -8
                        WHEN 'not_reached' THEN a.code = -9
                        WHEN 'nonresponse' THEN a.code = ANY(k.nonresponse)
                        ELSE a.code >= 0 AND CASE k.type
                            WHEN 'age' THEN a.code BETWEEN k.min_value AND k.max_value
                            WHEN 'unit' THEN true
                            WHEN 'multi' THEN true
                            ELSE a.code = ANY(k.codes) END END
                    THEN pg_catalog.format('code %s is not allowed for %s', a.code, a.outcome)
                END AS why) f
            WHERE f.why IS NOT NULL
            UNION ALL
            -- item ids are unique in a JSON object and every one is an item of the version
            -- (else named above): fewer than the version has means one is missing
            SELECT c.ord, pg_catalog.format('record %s (%s), %s: %s of its %s items have no '
                                            'outcome given', c.ord, c.id, c.resp,
                                            per.items - c.given, per.items)
            FROM (SELECT a.ord, a.id, a.iv, a.resp, pg_catalog.count(*) AS given
                  FROM a GROUP BY a.ord, a.id, a.iv, a.resp) c
            JOIN per ON per.iv = c.iv AND per.resp = c.resp
            WHERE c.given < per.items)
        SELECT b.msg INTO v_bad FROM bad b ORDER BY b.ord, b.msg LIMIT 1;
    END IF;
    IF v_bad IS NULL THEN
        -- methods: only for a methods item of the same respondent, and only its options
        SELECT pg_catalog.format('record %s (%s), %s, item %s: %s', e.ord, e.r->>'id',
                                 s->>'respondent', m.key, f.why)
        INTO v_bad
        FROM pg_catalog.jsonb_array_elements(p_records) WITH ORDINALITY AS e(r, ord)
        CROSS JOIN LATERAL pg_catalog.jsonb_array_elements(e.r->'sessions') s
        CROSS JOIN LATERAL pg_catalog.jsonb_each(s->'methods') m
        LEFT JOIN public.instrument_item k
               ON k.instrument_id = e.r->>'instrument' AND k.version = e.r->>'version'
              AND k.item_id = m.key AND k.respondent = s->>'respondent'
        CROSS JOIN LATERAL (SELECT CASE
            WHEN k.type IS DISTINCT FROM 'multi' THEN 'methods given for an item that is not '
                                                      'a methods item'
            WHEN EXISTS (SELECT 1 FROM pg_catalog.jsonb_array_elements(m.value) x
                         WHERE NOT (x->>0)::integer = ANY(k.codes))
                THEN 'a method that is not one of the item''s options'
            END AS why) f
        WHERE f.why IS NOT NULL ORDER BY e.ord LIMIT 1;
    END IF;
    IF v_bad IS NULL THEN
        SELECT pg_catalog.format('record %s (%s), %s, interpreted item %s: not an item of '
                                 '%s %s', e.ord, e.r->>'id', s->>'respondent', a #>> '{}',
                                 e.r->>'instrument', e.r->>'version')
        INTO v_bad
        FROM pg_catalog.jsonb_array_elements(p_records) WITH ORDINALITY AS e(r, ord)
        CROSS JOIN LATERAL pg_catalog.jsonb_array_elements(e.r->'sessions') s
        CROSS JOIN LATERAL pg_catalog.jsonb_array_elements(COALESCE(s->'adhoc', '[]')) a
        WHERE NOT EXISTS (SELECT 1 FROM public.instrument_item k
                          WHERE k.instrument_id = e.r->>'instrument'
                            AND k.version = e.r->>'version' AND k.item_id = a #>> '{}')
        ORDER BY e.ord LIMIT 1;
    END IF;
    IF v_bad IS NULL THEN
        SELECT pg_catalog.format('record %s (%s), index %s: not an index of %s %s', e.ord,
                                 e.r->>'id', x.key, e.r->>'instrument', e.r->>'version')
        INTO v_bad
        FROM pg_catalog.jsonb_array_elements(p_records) WITH ORDINALITY AS e(r, ord)
        CROSS JOIN LATERAL pg_catalog.jsonb_object_keys(COALESCE(e.r->'scores', '{}')) x(key)
        -- one hashed lookup per score: as NOT EXISTS it was a nested loop over the version's
        -- indices per score (the index id compared as text outside the index), 30 000 times
        -- per batch. No NULL on either side (shapes checked above, columns NOT NULL).
        WHERE (e.r->>'instrument', e.r->>'version', x.key) NOT IN (
            SELECT k.instrument_id::text, k.version::text, k.index_id::text
            FROM public.instrument_index k)
        ORDER BY e.ord LIMIT 1;
    END IF;
"""
