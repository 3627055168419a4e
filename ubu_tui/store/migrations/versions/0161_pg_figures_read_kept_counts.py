"""PostgreSQL: the figure functions read the kept counts where the results layer does.

ubu_item_figures, ubu_index_figures, ubu_decline_figures, ubu_disposition_figures and
ubu_method_figures counted every selected record on every call: at 100 000 follow-ups an
index view read all 2.9 million index scores. They now read the counts the database keeps per
month (index_cube and index_cube_year, item_count, item_group_count, decline_count,
disposition_count, disposition_unit_count, method_count), under the conditions under which
results/query.py reads them for the owner, and count records only for the rest: other
breakdowns and filters, a store holding a local version's records, and the months that hold
records not yet released (the kept counts hold those too; the functions leave them out).
The kept cells carry the sum of their records' keys, so every count, key and suppression is
the one counted from the records (results/pg_functions.py). Signatures, owners and grants are
unchanged (CREATE OR REPLACE keeps the EXECUTE grants); no login gains access to a table.

The months with unreleased records are found through a new partial index on received_seq (a
municipality login's records only): without it every call scanned every received record.
SQLite has neither figure functions nor releases: nothing changes there.

Revision ID: 0161
Revises: 0157
"""

from alembic import op
from sqlalchemy import text

revision = "0161"
down_revision = "0157"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    from ubu_tui.results.pg_functions import all_sql, more_sql

    op.execute(text("CREATE INDEX IF NOT EXISTS ix_submission_received_seq "
                    "ON submission (received_seq) WHERE received_seq > 0"))
    for sql in (*all_sql(), *more_sql()):
        op.execute(text(sql))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # The functions are generated from the code of the release that runs them (see 0153).
    op.execute(text("DROP INDEX IF EXISTS ix_submission_received_seq"))
