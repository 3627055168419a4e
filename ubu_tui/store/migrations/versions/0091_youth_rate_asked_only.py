"""The response rate of the figure function counts only the parts that were to be asked: a
child under 12 is never asked the youth form, and counting the child made the youth rate low.

Revision ID: 0091
Revises: 0102
"""

from alembic import op

revision = "0091"
down_revision = "0102"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    from ubu_tui.results.pg_functions import disposition_figures_sql

    # CREATE OR REPLACE with the same signature keeps the function's grants
    op.execute(disposition_figures_sql())


def downgrade() -> None:
    """The earlier function is not kept apart from this code: nothing to restore."""
