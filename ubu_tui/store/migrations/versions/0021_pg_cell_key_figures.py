"""PostgreSQL: the figure functions apply the cell-key method and return no exact figure.

The functions of 0004 and 0008 returned exact group sums (sum of codes, sum of scores, count
scoring high), so differencing two periods gave one record's answers back. They are dropped;
ubu_item_figures, ubu_index_figures and ubu_disposition_figures (results/pg_functions.py)
return what the results layer publishes and nothing else.

Revision ID: 0021
Revises: 0020
"""

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

OLD = ("ubu_item_figures(text, text, text, integer)",
       "ubu_index_figures(text, text, text, integer)")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    from ubu_tui.results.pg_functions import SIGNATURES, all_sql

    for old in OLD:
        op.execute(f"DROP FUNCTION IF EXISTS public.{old}")
    for sql in all_sql():
        op.execute(sql)
    for signature in (*SIGNATURES, "public.ubu_perturb(numeric, numeric)",
                      "public.ubu_sum_deviation(numeric, float8)",
                      "public.ubu_share(numeric, numeric, numeric)"):
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    from ubu_tui.results.pg_functions import SIGNATURES
    from ubu_tui.store.pg_figures import index_figures_sql, item_figures_sql

    for signature in (*SIGNATURES, "public.ubu_perturb(numeric, numeric)",
                      "public.ubu_sum_deviation(numeric, float8)",
                      "public.ubu_share(numeric, numeric, numeric)"):
        op.execute(f"DROP FUNCTION IF EXISTS {signature}")
    op.execute(item_figures_sql())
    op.execute(index_figures_sql())
    for old in OLD:
        op.execute(f"REVOKE ALL ON FUNCTION public.{old} FROM PUBLIC")
