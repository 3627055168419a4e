"""PostgreSQL: item figures with the suppression rules applied inside the database.

Roles that may not read individual records (caseworker, analyst) get aggregates through this
SECURITY DEFINER function only. It applies the same rules as ubu_tui.results.disclosure
(primary on asked and answered, then the smallest further groups until the hidden ones are two
or more and add up to the threshold, else the total is hidden), and returns no figure for a
hidden group. A test keeps the two in agreement.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        from ubu_tui.store.pg_figures import item_figures_sql

        op.execute(item_figures_sql())
        op.execute("REVOKE ALL ON FUNCTION ubu_item_figures(text, text, text, integer) "
                   "FROM PUBLIC")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS ubu_item_figures(text, text, text, integer)")
