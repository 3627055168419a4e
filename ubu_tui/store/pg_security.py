"""How every SECURITY DEFINER function of the shared database is written, in one place.

The PostgreSQL manual ("Writing SECURITY DEFINER Functions Safely") asks for two things, and
`definer()` does both for every function it wraps:

- a fixed `search_path` of `pg_catalog, public, pg_temp`. PostgreSQL searches the caller's
  temporary schema *first* unless it is named, so it is named, last: a `TEMP TABLE submission`
  or `TEMP VIEW submission` of the caller can no longer stand in for the real one. pg_catalog
  comes first so that no `public.sum()` or operator can shadow a built-in (and `ubu db roles`
  takes CREATE on schema public away from PUBLIC, so nobody but the owner can add one);
- bodies that name every table as `public.<table>` (a test reads every definer function's
  source in the database and refuses an unqualified table name).

Figure functions also begin with `NO_WRITES_GUARD`: they refuse to run in a transaction that
has written anything, so that nobody can insert made-up records, read the figures and roll back
("padding"). A transaction that only reads has no transaction id yet; the first write assigns
one, in a subtransaction too.
"""

from __future__ import annotations

SEARCH_PATH = "pg_catalog, public, pg_temp"

NO_WRITES_GUARD = """
    IF pg_catalog.pg_current_xact_id_if_assigned() IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = 'figures are not given in a transaction that has written to the database',
            HINT = 'commit or roll back first, then ask for the figures in a transaction of '
                   'their own';
    END IF;
"""

# Who called: a SECURITY DEFINER function runs as its owner, so current_user is no help;
# session_user is the login, which SET ROLE cannot change. The owner of the record tables
# (and a superuser) may do everything; every other login acts for one municipality at most.
CALLER_FUNCTIONS = [
    ("ubu_caller_is_owner", "", "boolean", "sql", "STABLE", """
    SELECT pg_catalog.pg_has_role(session_user,
        (SELECT c.relowner FROM pg_catalog.pg_class c
         WHERE c.oid = 'public.submission'::pg_catalog.regclass), 'MEMBER')
"""),
    ("ubu_my_municipality", "", "text", "sql", "STABLE", """
    SELECT l.municipality::text FROM public.ubu_login l WHERE l.login = session_user::text
"""),
    # the drafts' row-level security: this one answers for one municipality only
    ("ubu_may_act_for", "p_municipality text", "boolean", "sql", "STABLE", """
    SELECT COALESCE(public.ubu_caller_is_owner()
                    OR p_municipality = public.ubu_my_municipality(), false)
"""),
]


def definer(name: str, args: str, returns: str, body: str, *, language: str = "plpgsql",
            volatility: str = "STABLE") -> str:
    """CREATE OR REPLACE a SECURITY DEFINER function `public.<name>` written safely.

    `args` is the argument list as in CREATE FUNCTION ("p_from text, p_to text"); `returns`
    the RETURNS clause ("integer", "TABLE(...)", "SETOF jsonb"); `body` the function body
    (for plpgsql, from DECLARE/BEGIN to END), naming every table as public.<table>.
    """
    return (f"CREATE OR REPLACE FUNCTION public.{name}({args}) RETURNS {returns}\n"
            f"LANGUAGE {language} {volatility} SECURITY DEFINER\n"
            f"SET search_path = {SEARCH_PATH}\nAS $fn$\n{body}\n$fn$")


def private(signature: str) -> str:
    """A new function is executable by PUBLIC; a definer function must be granted instead."""
    return f"REVOKE ALL ON FUNCTION public.{signature} FROM PUBLIC"


def caller_functions_sql() -> list[str]:
    out = []
    for name, args, returns, language, volatility, body in CALLER_FUNCTIONS:
        out.append(definer(name, args, returns, body, language=language,
                           volatility=volatility))
        out.append(private(f"{name}({args})"))
    return out
