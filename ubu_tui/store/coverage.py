"""Coverage counts: the set-up screen's decisions and the ended placements a municipality enters.

Each decision adds one to a count per municipality, month of the decision and outcome, and a
fresh random key to the count's key sum (as a submission's record key does), so that results can
publish the counts through the same cell-key method. Nothing here knows a person, a date of a
placement or a record: a count cannot be linked to any follow-up.
"""

from __future__ import annotations

import re
import secrets
from datetime import date

from sqlalchemy import text
from sqlalchemy.engine import Engine

from ubu_tui.errors import InputRejected
from ubu_tui.i18n import _
from ubu_tui.interview.eligibility import NOT_DUE
from ubu_tui.store.engine import explain
from ubu_tui.store.submissions import check_municipality

# On the shared database a caseworker may neither read nor write the counts directly: these
# two SECURITY DEFINER functions (schema 0060) add to them for the caller's own municipality.
COVERAGE_FUNCTIONS = ("ubu_count_decision(text, text, text, bigint)",
                      "ubu_set_ended(text, text, integer, bigint)")


def functions_sql() -> list[str]:
    from ubu_tui.store.pg_security import definer, private

    refuse = """
    IF NOT public.ubu_may_act_for(p_municipality) THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = 'this login does not act for municipality ' || p_municipality;
    END IF;"""
    return [
        # A login's decision counts in the month the server received it, whatever month it
        # names, and a login's months are published once they are over (ubu_coverage_figures):
        # as with records (pg_release.py), padding the counts buys one fresh draw of the noise
        # a month, not one a query, and never reopens a month already published.
        definer("ubu_count_decision", "p_municipality text, p_period text, p_outcome text, "
                "p_key bigint", "void", f"""DECLARE
    v_period text := CASE WHEN public.ubu_caller_is_owner() THEN p_period
                          ELSE pg_catalog.to_char(pg_catalog.now(), 'YYYY-MM') END;
BEGIN{refuse}
    IF NOT p_outcome = ANY(ARRAY[{", ".join(f"'{o}'" for o in (*OUTCOMES, "not_due"))}]) THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'unknown coverage outcome ' || pg_catalog.quote_literal(p_outcome);
    END IF;
    INSERT INTO public.coverage_count (municipality, period, outcome, n, ckey)
    VALUES (p_municipality, v_period, p_outcome, 1, p_key)
    ON CONFLICT (municipality, period, outcome)
    DO UPDATE SET n = public.coverage_count.n + 1,
                  ckey = public.coverage_count.ckey + p_key;
END""", volatility="VOLATILE"),
        private(COVERAGE_FUNCTIONS[0]),
        # A login enters a month's ended placements while the month, or the one after it, is
        # going on, never later: ubu_coverage_figures publishes a month once the month after
        # it is over, so every row a login can write or correct is still unpublished. Taking
        # any month, a login made rows in months long past, each with a fresh key, and read
        # the national total over a range starting at each: a fresh draw of the noise per
        # range, averaged to the other municipalities' exact total; and it could step its own
        # count of a published month through the threshold. The server checks the number as
        # the app does and draws a login's key (as ubu_submit_records draws record keys).
        definer("ubu_set_ended", "p_municipality text, p_period text, p_n integer, "
                "p_key bigint", "void", f"""DECLARE
    v_owner boolean := public.ubu_caller_is_owner();
BEGIN{refuse}
    IF p_period IS NULL OR p_period !~ '^[0-9]{{4}}-(0[1-9]|1[0-2])$' THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'ended placements are entered for a month written YYYY-MM';
    END IF;
    IF p_n IS NULL OR p_n < 0 OR p_n > {MAX_ENDED} THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'ended placements in a month: a number from 0 to {MAX_ENDED}';
    END IF;
    IF NOT v_owner AND p_period NOT IN (
            pg_catalog.to_char(pg_catalog.now(), 'YYYY-MM'),
            pg_catalog.to_char(pg_catalog.now() - interval '1 month', 'YYYY-MM')) THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = 'a login enters ended placements for this month or the last one only; '
                      'earlier months are published';
    END IF;
    INSERT INTO public.ended_count (municipality, period, n, ckey)
    VALUES (p_municipality, p_period, p_n, CASE WHEN v_owner THEN p_key
            ELSE pg_catalog.floor(pg_catalog.random() * 4294967296)::bigint END)
    ON CONFLICT (municipality, period) DO UPDATE SET n = p_n;
END""", volatility="VOLATILE"),
        private(COVERAGE_FUNCTIONS[1]),
    ]


def _postgres(engine: Engine) -> bool:
    return engine.url.get_backend_name() == "postgresql"


DUE, STARTED = "due", "started"
OUTCOMES = (DUE, STARTED, *(f"not_due:{code}" for code in NOT_DUE))
MAX_ENDED = 100_000        # more ended placements in one month than any municipality has


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def count_decision(engine: Engine, municipality: str, outcomes: list[str], day: date) -> None:
    """Add one to each outcome of a set-up decision (a not-due placement may have several
    reasons; each is counted, and 'not_due' itself once)."""
    check_municipality(municipality)
    for outcome in outcomes:
        if outcome not in OUTCOMES and outcome != "not_due":
            raise InputRejected(_("okänt täckningsutfall '{outcome}'").format(outcome=outcome))
    from sqlalchemy import exc

    try:
        with engine.begin() as conn:
            for outcome in outcomes:
                params = {"m": municipality, "p": _month(day), "o": outcome,
                          "k": secrets.randbits(32)}
                conn.execute(text(
                    "SELECT public.ubu_count_decision(:m, :p, :o, :k)" if _postgres(engine) else
                    "INSERT INTO coverage_count (municipality, period, outcome, n, ckey) "
                    "VALUES (:m, :p, :o, 1, :k) ON CONFLICT (municipality, period, outcome) "
                    "DO UPDATE SET n = coverage_count.n + 1, ckey = coverage_count.ckey + :k"),
                    params)
    except exc.SQLAlchemyError as err:
        raise explain(err, engine) from None

def outcomes_of(due: bool, codes: tuple[str, ...]) -> list[str]:
    return [DUE] if due else ["not_due", *(f"not_due:{c}" for c in codes)]


def set_ended(engine: Engine, municipality: str, period: str, n: int) -> None:
    """Record how many placements ended in a month (replacing an earlier figure for it)."""
    check_municipality(municipality)
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", period):
        raise InputRejected(_("månaden '{month}' är inte skriven ÅÅÅÅ-MM, t.ex. 2026-05")
                            .format(month=period))
    if not 0 <= n <= MAX_ENDED:
        raise InputRejected(_("{n} avslutade placeringar på en månad: ange ett tal från 0 till "
                              "{max}").format(n=n, max=MAX_ENDED))
    from sqlalchemy import exc

    try:
        with engine.begin() as conn:
            # the key is drawn once: entering the same figure again publishes the same count
            conn.execute(text(
                "SELECT public.ubu_set_ended(:m, :p, :n, :k)" if _postgres(engine) else
                "INSERT INTO ended_count (municipality, period, n, ckey) VALUES (:m, :p, :n, :k) "
                "ON CONFLICT (municipality, period) DO UPDATE SET n = :n"),
                {"m": municipality, "p": period, "n": n, "k": secrets.randbits(32)})
    except exc.SQLAlchemyError as err:
        raise explain(err, engine) from None
