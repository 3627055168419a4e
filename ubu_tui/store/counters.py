"""Counts the database keeps by triggers (item_count, index_count, disposition_count).

Each migration that adds one states its SQL; installing and removing the triggers on SQLite
and PostgreSQL is the same every time, so it lives here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Counter:
    source: str          # the table whose rows are counted
    name: str            # trigger name; SQLite's delete trigger adds "_un"
    pg_function: str     # the PostgreSQL trigger function's name
    pg_sql: str          # CREATE OR REPLACE FUNCTION … for it
    on_insert: str       # SQLite: what follows "AFTER INSERT ON <source>" ("WHEN … BEGIN … END")
    on_delete: str       # SQLite: what follows "AFTER DELETE ON <source>"


def install(op: Any, counter: Counter) -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(f"CREATE TRIGGER {counter.name} AFTER INSERT ON {counter.source} "
                   f"{counter.on_insert}")
        op.execute(f"CREATE TRIGGER {counter.name}_un AFTER DELETE ON {counter.source} "
                   f"{counter.on_delete}")
    elif dialect == "postgresql":
        op.execute(counter.pg_sql)
        op.execute(f"CREATE TRIGGER {counter.name} AFTER INSERT OR DELETE ON {counter.source} "
                   f"FOR EACH ROW EXECUTE FUNCTION {counter.pg_function}()")


def remove(op: Any, counter: Counter) -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(f"DROP TRIGGER IF EXISTS {counter.name}")
        op.execute(f"DROP TRIGGER IF EXISTS {counter.name}_un")
    elif dialect == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {counter.name} ON {counter.source}")
        op.execute(f"DROP FUNCTION IF EXISTS {counter.pg_function}()")


# --- PostgreSQL: once per statement (schema 0012; the key sums since 0020) -------------------
# (The functions are plpgsql: created by 0012 before 0020 adds the key columns, they are first
# run after it; 0020 installs them again.)
# A row trigger ran three queries per answer: a push of 2 000 follow-ups took 149 s. A statement
# trigger sees every row the statement wrote as a transition table and updates each count once.

def batch_of(rows: str) -> str:
    """public.submission narrowed to the records of the transition table `rows`, for a
    statement trigger to join its rows to (as `... JOIN {batch_of('new_rows')} s ON ...`).

    Joined to the whole table instead, the planner hashed every submission in the store for
    each trigger and batch (a sequential scan), so a push cost more the more the national
    store held; this way a batch's thousand records are found through the primary key
    whatever the store's size (schema 0164). (As `= ANY` of an array: written as `IN`, the
    planner still hashed the whole table up to some 100 000 records.)"""
    return ("(SELECT * FROM public.submission WHERE id = ANY "
            f"(ARRAY(SELECT DISTINCT submission_id FROM {rows})))")


@dataclass(frozen=True)
class StatementCounter:
    source: str          # the counted table
    name: str            # trigger names: <name> (insert) and <name>_un (delete)
    function: str        # the trigger function
    on_insert: str       # SQL over the transition table `new_rows`
    on_delete: str       # SQL over the transition table `old_rows`


STATEMENT_COUNTERS = (
    StatementCounter(
        source="answer_record", name="answer_record_count", function="ubu_count_answers",
        on_insert="""
        INSERT INTO public.item_count AS c (period, item_id, code, n, ckey)
        SELECT s.period, a.item_id, a.code, pg_catalog.count(*), pg_catalog.sum(s.record_key)
        FROM new_rows a JOIN """ + batch_of("new_rows") + """ s ON s.id = a.submission_id
        WHERE a.outcome IN ('value', 'nonresponse')
        GROUP BY s.period, a.item_id, a.code
        ON CONFLICT (period, item_id, code) DO UPDATE SET n = c.n + EXCLUDED.n,
            ckey = c.ckey + EXCLUDED.ckey""",
        on_delete="""
        UPDATE public.item_count c SET n = c.n - d.k, ckey = c.ckey - d.ck
        FROM (SELECT s.period, a.item_id, a.code, pg_catalog.count(*) AS k,
                     pg_catalog.sum(s.record_key) AS ck
              FROM old_rows a JOIN """ + batch_of("old_rows") + """ s ON s.id = a.submission_id
              WHERE a.outcome IN ('value', 'nonresponse')
              GROUP BY s.period, a.item_id, a.code) d
        WHERE c.period = d.period AND c.item_id = d.item_id AND c.code = d.code"""),
    StatementCounter(
        source="index_score", name="index_score_count", function="ubu_count_indices",
        on_insert="""
        INSERT INTO public.index_count AS c (period, unit_id, index_id, n, total, high, ckey,
                                             hkey)
        SELECT s.period, s.unit_id, x.index_id, pg_catalog.count(*),
               pg_catalog.sum(x.total * 1.0 / x.n),
               pg_catalog.count(*) FILTER (WHERE x.total >= 4 * x.n),
               pg_catalog.sum(s.record_key),
               COALESCE(pg_catalog.sum(s.record_key) FILTER (WHERE x.total >= 4 * x.n), 0)
        FROM new_rows x JOIN """ + batch_of("new_rows") + """ s ON s.id = x.submission_id
        WHERE x.n > 0
        GROUP BY s.period, s.unit_id, x.index_id
        ON CONFLICT (period, unit_id, index_id) DO UPDATE
        SET n = c.n + EXCLUDED.n, total = c.total + EXCLUDED.total,
            high = c.high + EXCLUDED.high, ckey = c.ckey + EXCLUDED.ckey,
            hkey = c.hkey + EXCLUDED.hkey""",
        on_delete="""
        UPDATE public.index_count c
        SET n = c.n - d.k, total = c.total - d.t, high = c.high - d.h, ckey = c.ckey - d.ck,
            hkey = c.hkey - d.hk
        FROM (SELECT s.period, s.unit_id, x.index_id, pg_catalog.count(*) AS k,
                     pg_catalog.sum(x.total * 1.0 / x.n) AS t,
                     pg_catalog.count(*) FILTER (WHERE x.total >= 4 * x.n) AS h,
                     pg_catalog.sum(s.record_key) AS ck,
                     COALESCE(pg_catalog.sum(s.record_key)
                              FILTER (WHERE x.total >= 4 * x.n), 0) AS hk
              FROM old_rows x JOIN """ + batch_of("old_rows") + """ s ON s.id = x.submission_id
              WHERE x.n > 0
              GROUP BY s.period, s.unit_id, x.index_id) d
        WHERE c.period = d.period AND c.unit_id = d.unit_id AND c.index_id = d.index_id"""),
    StatementCounter(
        source="session_record", name="session_record_count",
        function="ubu_count_dispositions",
        on_insert="""
        INSERT INTO public.disposition_count AS c (period, respondent, disposition, n, ckey)
        SELECT s.period, r.respondent, r.disposition, pg_catalog.count(*),
               pg_catalog.sum(s.record_key)
        FROM new_rows r JOIN """ + batch_of("new_rows") + """ s ON s.id = r.submission_id
        GROUP BY s.period, r.respondent, r.disposition
        ON CONFLICT (period, respondent, disposition) DO UPDATE SET n = c.n + EXCLUDED.n,
            ckey = c.ckey + EXCLUDED.ckey""",
        on_delete="""
        UPDATE public.disposition_count c SET n = c.n - d.k, ckey = c.ckey - d.ck
        FROM (SELECT s.period, r.respondent, r.disposition, pg_catalog.count(*) AS k,
                     pg_catalog.sum(s.record_key) AS ck
              FROM old_rows r JOIN """ + batch_of("old_rows") + """ s ON s.id = r.submission_id
              GROUP BY s.period, r.respondent, r.disposition) d
        WHERE c.period = d.period AND c.respondent = d.respondent
          AND c.disposition = d.disposition"""),
)


def statement_counter_sql(counter: StatementCounter) -> list[str]:
    """Replace the row triggers of one count with a pair of statement triggers."""
    from ubu_tui.store.pg_security import definer, private

    body = (f"BEGIN\n    IF TG_OP = 'INSERT' THEN{counter.on_insert};\n    ELSE"
            f"{counter.on_delete};\n    END IF;\n    RETURN NULL;\nEND")
    return [
        f"DROP TRIGGER IF EXISTS {counter.name} ON public.{counter.source}",
        f"DROP TRIGGER IF EXISTS {counter.name}_un ON public.{counter.source}",
        definer(counter.function, "", "trigger", body, volatility="VOLATILE"),
        private(f"{counter.function}()"),
        # Each joins a statement's rows (up to ~97 000 answers of a batch) to their records
        # and groups them by text keys. The planner knows little of a transition table and
        # guesses a batch's records (batch_of) at ten: it then joined them in a nested loop
        # (3.3 million comparisons for one batch's answers, 0.65 s) or sorted the rows, and a
        # sort of text under the database's collation cost four times the hash. Where the
        # table's statistics were older than its rows it read every record and compared each
        # with every id of the batch (0.6 s per trigger and batch at 10 000 records). So:
        # the batch's records through the index, hash joins and hash aggregates, whatever
        # the estimates (schema 0164).
        f"ALTER FUNCTION public.{counter.function}() SET enable_sort = off",
        f"ALTER FUNCTION public.{counter.function}() SET enable_nestloop = off",
        f"ALTER FUNCTION public.{counter.function}() SET enable_seqscan = off",
        f"CREATE TRIGGER {counter.name} AFTER INSERT ON public.{counter.source} "
        f"REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
        f"EXECUTE FUNCTION public.{counter.function}()",
        f"CREATE TRIGGER {counter.name}_un AFTER DELETE ON public.{counter.source} "
        f"REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
        f"EXECUTE FUNCTION public.{counter.function}()",
    ]
