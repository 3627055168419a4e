"""PostgreSQL: the yearly index sums kept once per statement instead of once per cube row.

index_cube_year (schema 0111) is kept from index_cube by a row trigger: every monthly row a
batch of records changes ran one upsert of its year, some 28 000 a batch of a thousand records,
a fifth of the server's time for a push (issue #18, measured with the trigger disabled). The
same sums now come from statement triggers that see the statement's changed rows as transition
tables and add their difference per year with one grouped statement: an insert adds the new
rows, an update the new rows less the old (an INSERT ... ON CONFLICT DO UPDATE fires both,
each with its own rows), a delete takes the old rows away. Still kept from index_cube itself,
so every writer of the months keeps the years (the submit function's trigger, the bulk
writers' grouped statements, a withdrawal). SQLite keeps its row triggers: nothing changes
there.

Revision ID: 0121
Revises: 0131
"""

from alembic import op

revision = "0121"
down_revision = "0131"
branch_labels = None
depends_on = None

KEY = "dim, index_id, year, unit_type, grp"
SUMS = ("n", "total", "high", "ckey", "hkey")
YEAR = "pg_catalog.substr(period, 1, 4)"


def _grouped(rows: str, sign: str = "") -> str:
    """Each row of the transition table `rows` as its year's sums (negated with sign '-')."""
    return (f"SELECT dim, index_id, {YEAR} AS year, unit_type, grp, "
            + ", ".join(f"{sign}{s} AS {s}" for s in SUMS) + f" FROM {rows}")


def _add(source: str) -> str:
    """Upsert the grouped sums of `source` into the yearly table."""
    return (f"INSERT INTO public.index_cube_year AS c ({KEY}, {', '.join(SUMS)}) "
            f"SELECT {KEY}, " + ", ".join(f"pg_catalog.sum({s})" for s in SUMS)
            + f" FROM ({source}) d GROUP BY {KEY} "
            f"ON CONFLICT ({KEY}) DO UPDATE SET "
            + ", ".join(f"{s} = c.{s} + EXCLUDED.{s}" for s in SUMS))


BODIES = {
    "insert": _add(_grouped("new_rows")),
    "update": _add(f"{_grouped('new_rows')} UNION ALL {_grouped('old_rows', '-')}"),
    "delete": ("UPDATE public.index_cube_year c SET "
               + ", ".join(f"{s} = c.{s} - d.{s}" for s in SUMS)
               + f" FROM (SELECT {KEY}, " + ", ".join(f"pg_catalog.sum({s}) AS {s}" for s in SUMS)
               + f" FROM ({_grouped('old_rows')}) o GROUP BY {KEY}) d "
               "WHERE c.dim = d.dim AND c.index_id = d.index_id AND c.year = d.year "
               "AND c.unit_type = d.unit_type AND c.grp = d.grp"),
}
REFERENCING = {"insert": "NEW TABLE AS new_rows",
               "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
               "delete": "OLD TABLE AS old_rows"}


def statement_sql() -> list[str]:
    from ubu_tui.store.pg_security import definer, private

    out = ["DROP TRIGGER IF EXISTS index_cube_year ON public.index_cube"]
    for event, sql in BODIES.items():
        name = f"ubu_cube_year_{event}"
        out += [definer(name, "", "trigger", f"BEGIN\n    {sql};\n    RETURN NULL;\nEND",
                        volatility="VOLATILE"),
                private(f"{name}()"),
                f"CREATE TRIGGER index_cube_year_{event} AFTER {event.upper()} ON "
                f"public.index_cube REFERENCING {REFERENCING[event]} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION public.{name}()"]
    return out


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for sql in statement_sql():
        op.execute(sql)


def downgrade() -> None:
    """Back to 0111's row trigger (its function was left in place)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for event in BODIES:
        op.execute(f"DROP TRIGGER IF EXISTS index_cube_year_{event} ON public.index_cube")
        op.execute(f"DROP FUNCTION IF EXISTS public.ubu_cube_year_{event}()")
    op.execute("CREATE TRIGGER index_cube_year AFTER INSERT OR UPDATE OR DELETE ON "
               "public.index_cube FOR EACH ROW EXECUTE FUNCTION public.ubu_cube_year()")
