"""PostgreSQL: every SECURITY DEFINER function written the way the manual asks (search_path
pg_catalog, public, pg_temp; every table as public.<table>), figure functions that refuse to run
in a transaction that has written (padding), and the login → municipality map.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

FIGURES = ("ubu_item_figures", "ubu_index_figures")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    from ubu_tui.store.pg_figures import index_figures_sql, item_figures_sql
    from ubu_tui.store.pg_security import caller_functions_sql, private

    # Which municipality a login acts for (filled by `ubu db roles --login … --municipality …`).
    op.create_table(
        "ubu_login",
        sa.Column("login", sa.String(63), primary_key=True),
        sa.Column("municipality", sa.String(4), nullable=False),
    )
    op.execute("REVOKE ALL ON public.ubu_login FROM PUBLIC")
    for sql in caller_functions_sql():
        op.execute(sql)
    op.execute(item_figures_sql())
    op.execute(index_figures_sql())
    for name in FIGURES:
        op.execute(private(f"{name}(text, text, text, integer)"))
    op.execute("ALTER FUNCTION public.ubu_write_once() SET search_path = pg_catalog, pg_temp")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION IF EXISTS public.ubu_may_act_for(text)")
    op.execute("DROP FUNCTION IF EXISTS public.ubu_my_municipality()")
    op.execute("DROP FUNCTION IF EXISTS public.ubu_caller_is_owner()")
    op.drop_table("ubu_login")
