"""PostgreSQL: a login's coverage counts go into the month received and are published once
the month is over.

ubu_count_decision took the month from the caller, and ubu_coverage_figures published every
month at once. A caseworker login could therefore add a set-up decision to any month, read the
coverage figures, and do it again: each call a fresh draw of the cell-key noise on its own
municipality's row and on the national total, to be averaged away (the padding attack that
releases stop for records, pg_release.py), and it could reopen months long published. Now a
login's decision counts in the server's current month (the owner, who imports, names the
month), an outcome the app does not know is refused, and the figure function publishes
decisions and ended placements of months before the current one only. Signatures, owners and
grants are unchanged.

Revision ID: 0165
Revises: 0162
"""

from alembic import op
from sqlalchemy import text

revision = "0165"
down_revision = "0162"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    from ubu_tui.results.pg_functions import coverage_figures_sql
    from ubu_tui.store.coverage import functions_sql

    for sql in (*functions_sql(), coverage_figures_sql()):
        op.execute(text(sql))


def downgrade() -> None:
    # The functions are generated from the code of the release that runs them (see 0153).
    pass
