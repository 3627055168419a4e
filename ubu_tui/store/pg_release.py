"""Releases: the figure functions count only records received before a cut-off (schema 0101).

Padding is the attack of a login that can both add records and read figures: it adds made-up
records to a group, reads the group's figures, and works the real records' figures out from
the difference. The figure functions refuse a transaction that has written (pg_security), so
the made-up records must be committed, and then they stay stored for good, with the login that
sent them and the month they came in. What is left is to commit padding again and again, each
time reading a fresh draw of the cell-key noise, and to average the draws away.

A release stops that: every record a municipality login sends gets the next number of the
sequence `ubu_receipt`, and the figure functions count a record only once its number is at or
below the release cut. The cut moves by itself at the start of every month (it is the last
number received before the current month began), and the owner may move it forward at any
time with `ubu db release --now`; it never moves back. So a padded record can change a
published figure at most once a month, not once a query.

Records the owner writes (its own pushes and imports, the synthesiser) are released at once:
the owner reads every record anyway and has nothing to gain by padding. They carry number 0.

Nothing finer than a month is stored about when a record came in (invariant 1: no exact date);
the sequence number only orders the records.
"""

from __future__ import annotations

from ubu_tui.store.pg_security import definer, private

NEVER = 9223372036854775807   # the cut when nothing has come in this month: everything counts

CUT_BODY = rf"""
    SELECT GREATEST(
        -- the monthly cut: the last number received before this month began
        COALESCE((SELECT pg_catalog.min(s.received_seq) FROM public.submission s
                  WHERE s.received_month >= pg_catalog.to_char(pg_catalog.now(), 'YYYY-MM')
                    AND s.received_seq > 0) - 1, {NEVER}),
        -- and any cut the owner made later (ubu db release --now)
        COALESCE((SELECT pg_catalog.max(r.cut) FROM public.ubu_release r), 0))
"""

RELEASE_BODY = r"""
DECLARE
    v_cut bigint;
    v_waiting integer;
BEGIN
    IF NOT public.ubu_caller_is_owner() THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = 'only the owner of the database makes a release';
    END IF;
    -- the registry changes logins asked (store/pg_registry.py): those of earlier months, or
    -- with p_now every one, count from this release as the records do
    PERFORM public.ubu_apply_unit_changes(p_now);
    IF p_now THEN
        SELECT COALESCE(pg_catalog.max(s.received_seq), 0) INTO v_cut FROM public.submission s;
        INSERT INTO public.ubu_release (cut, released_by, month)
        VALUES (v_cut, session_user::text, pg_catalog.to_char(pg_catalog.now(), 'YYYY-MM'));
    END IF;
    v_cut := public.ubu_release_cut();
    SELECT pg_catalog.count(*)::integer INTO v_waiting FROM public.submission s
    WHERE s.received_seq > v_cut;
    RETURN v_waiting;
END"""


def install_sql() -> list[str]:
    return [
        definer("ubu_release_cut", "", "bigint", CUT_BODY, language="sql"),
        private("ubu_release_cut()"),
        definer("ubu_release", "p_now boolean", "integer", RELEASE_BODY,
                volatility="VOLATILE"),
        private("ubu_release(boolean)"),
    ]
