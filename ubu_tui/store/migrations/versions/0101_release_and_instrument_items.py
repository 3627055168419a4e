"""PostgreSQL: releases against padding, and the instrument versions' items in the database.

- Every record a municipality login sends gets a receipt number (sequence ubu_receipt), the
  month it came in and the login that sent it; the figure functions count it only once the
  release cut has passed it (store/pg_release.py). The owner's records, and every record
  stored before this revision, carry receipt number 0: released.
- instrument_item holds the item ids, respondents, types and allowed codes of every shipped
  instrument version, and ubu_submit_records refuses any answer that its version does not
  have (store/pg_instruments.py).

SQLite has no logins and no submit function: nothing changes there.

Revision ID: 0101
Revises: 0060
"""

from alembic import op
from sqlalchemy import text

revision = "0101"
down_revision = "0060"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    from ubu_tui.results.pg_functions import SIGNATURES, all_sql
    from ubu_tui.store import pg_instruments, pg_release
    from ubu_tui.store.pg_records import install_sql

    op.execute("CREATE SEQUENCE IF NOT EXISTS public.ubu_receipt AS bigint START 1")
    op.execute("REVOKE ALL ON SEQUENCE public.ubu_receipt FROM PUBLIC")
    # a constant default: no rewrite of the table, and no row trigger runs
    op.execute("ALTER TABLE public.submission ADD COLUMN received_seq bigint NOT NULL DEFAULT 0")
    op.execute("ALTER TABLE public.submission ADD COLUMN received_month varchar(7)")
    op.execute("ALTER TABLE public.submission ADD COLUMN submitted_by varchar(63)")
    # set after the columns exist, so that the records already stored keep NULL ("before 0101")
    # rather than the migrating login and today's month
    op.execute("ALTER TABLE public.submission ALTER COLUMN received_month "
               "SET DEFAULT pg_catalog.to_char(pg_catalog.now(), 'YYYY-MM')")
    op.execute("ALTER TABLE public.submission ALTER COLUMN submitted_by "
               "SET DEFAULT session_user")
    # the monthly cut is one probe: the first receipt number of this month
    op.execute("CREATE INDEX ix_submission_receipt ON public.submission "
               "(received_month, received_seq) WHERE received_seq > 0")
    op.execute("""CREATE TABLE public.ubu_release (
        cut bigint NOT NULL,
        released_by varchar(63) NOT NULL,
        month varchar(7) NOT NULL)""")
    op.execute("REVOKE ALL ON public.ubu_release FROM PUBLIC")
    for sql in pg_instruments.CREATE:
        op.execute(sql)
    pg_instruments.sync(op.get_bind())
    for sql in pg_release.install_sql():
        op.execute(text(sql))
    for sql in install_sql():
        op.execute(text(sql))
    for sql in all_sql():
        op.execute(text(sql))
    for signature in SIGNATURES:
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")


def downgrade() -> None:
    """The functions of 0041 are not kept apart from this code: nothing to restore."""
