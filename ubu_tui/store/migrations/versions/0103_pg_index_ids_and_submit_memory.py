"""PostgreSQL: index scores checked against the version's indices; the submit function sorts
in memory.

- instrument_index lists the indices of every shipped instrument version (filled here and at
  `ubu db upgrade`, like instrument_item), and ubu_submit_records refuses a score for an index
  that the record's version does not have (until now its id was checked by shape only).
- ubu_submit_records runs with work_mem = 32MB: the index cube's statement trigger groups some
  90 000 rows per batch of a thousand records, which spilled to disk under the default 4MB
  (an external merge sort); in memory it is a hash aggregate. Measured: 5-15 % less server
  time per 2 000 records. The setting holds for that function's calls only.

SQLite has neither: nothing changes there.

Revision ID: 0103
Revises: 0111
"""

from alembic import op
from sqlalchemy import text

revision = "0103"
down_revision = "0111"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    from ubu_tui.store import pg_instruments
    from ubu_tui.store.pg_records import install_sql

    for sql in pg_instruments.CREATE_INDICES:
        op.execute(sql)
    pg_instruments.sync(op.get_bind())
    for sql in install_sql():
        op.execute(text(sql))


def downgrade() -> None:
    """The functions of 0102 are not kept apart from this code: the table alone goes."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TABLE IF EXISTS public.instrument_index")
