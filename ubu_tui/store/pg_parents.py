"""Statement-level checks that stand in for the record parts' foreign keys on PostgreSQL
(schema 0102; why, in that migration's note)."""

from __future__ import annotations

from ubu_tui.store.pg_security import definer, private

PARTS = ("session_record", "answer_record", "method_record", "index_score")

PARENT_BODY = r"""
BEGIN
    IF EXISTS (SELECT 1 FROM (SELECT DISTINCT n.submission_id FROM new_rows n) d
               WHERE NOT EXISTS (SELECT 1 FROM public.submission s
                                 WHERE s.id = d.submission_id)) THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = pg_catalog.format('%s: a row names a submission that does not exist',
                                        TG_TABLE_NAME);
    END IF;
    RETURN NULL;
END"""

CHILDREN_BODY = r"""
BEGIN
    IF EXISTS (SELECT 1 FROM old_rows o
               WHERE EXISTS (SELECT 1 FROM public.session_record x WHERE x.submission_id = o.id)
                  OR EXISTS (SELECT 1 FROM public.answer_record x WHERE x.submission_id = o.id)
                  OR EXISTS (SELECT 1 FROM public.method_record x WHERE x.submission_id = o.id)
                  OR EXISTS (SELECT 1 FROM public.index_score x WHERE x.submission_id = o.id))
    THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = 'a submission is deleted only after all of its parts';
    END IF;
    RETURN NULL;
END"""


def install_sql() -> list[str]:
    out = [
        definer("ubu_parent_check", "", "trigger", PARENT_BODY, volatility="VOLATILE"),
        private("ubu_parent_check()"),
        definer("ubu_children_check", "", "trigger", CHILDREN_BODY, volatility="VOLATILE"),
        private("ubu_children_check()"),
        "CREATE TRIGGER submission_children AFTER DELETE ON public.submission "
        "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION public.ubu_children_check()",
    ]
    for table in PARTS:
        out += [
            f"ALTER TABLE public.{table} DROP CONSTRAINT IF EXISTS {table}_submission_id_fkey",
            f"CREATE TRIGGER {table}_parent AFTER INSERT ON public.{table} "
            "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
            "EXECUTE FUNCTION public.ubu_parent_check()",
        ]
    return out


def remove_sql() -> list[str]:
    out = ["DROP TRIGGER IF EXISTS submission_children ON public.submission"]
    for table in PARTS:
        out += [
            f"DROP TRIGGER IF EXISTS {table}_parent ON public.{table}",
            f"ALTER TABLE public.{table} ADD CONSTRAINT {table}_submission_id_fkey "
            "FOREIGN KEY (submission_id) REFERENCES public.submission (id)",
        ]
    out += ["DROP FUNCTION IF EXISTS public.ubu_parent_check()",
            "DROP FUNCTION IF EXISTS public.ubu_children_check()"]
    return out
