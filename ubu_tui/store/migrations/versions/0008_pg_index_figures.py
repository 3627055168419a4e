"""PostgreSQL: index figures for the restricted roles, suppressed inside the database, from
the same template as the item figures.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        from ubu_tui.store.pg_figures import index_figures_sql

        op.execute(index_figures_sql())
        op.execute("REVOKE ALL ON FUNCTION ubu_index_figures(text, text, text, integer) "
                   "FROM PUBLIC")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS ubu_index_figures(text, text, text, integer)")
