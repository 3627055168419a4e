"""Instrument 2026.2, finished: why a respondent declined, and local versions kept out.

- session_record.decline_reason: the coded reason of a decline (the instrument's closed list,
  1–9), NULL for every other disposition and for records of versions without the list.
- PostgreSQL: ubu_submit_records and ubu_export carry the reason; they take mode 5 (by phone
  with an interpreter, new in 2026.2), which the function of 0041 refused; and a record of a
  local version ("2026.2+0180") is refused with a message that says why: the shared database
  is where national figures are made, and a local version is never pooled into them.
- PostgreSQL: the figure functions count national versions only, as the results layer does
  (query.NATIONAL_ONLY), whatever the owner may have written around ubu_submit_records; and
  ubu_decline_figures publishes the declines by reason to the logins that read figures.

Revision ID: 0081
Revises: 0093
"""

import sqlalchemy as sa
from alembic import op

revision = "0081"
down_revision = "0093"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A nullable column: ALTER TABLE ADD COLUMN on both databases, so that SQLite keeps the
    # counting triggers on session_record (a batch copy of the table would drop them).
    op.add_column("session_record", sa.Column("decline_reason", sa.SmallInteger(),
                                              nullable=True))
    if op.get_bind().dialect.name != "postgresql":
        return
    from ubu_tui.results.pg_functions import SIGNATURES, all_sql
    from ubu_tui.store.pg_records import install_sql

    for sql in install_sql():
        op.execute(sql)
    for sql in all_sql():       # CREATE OR REPLACE keeps each function's grants
        op.execute(sql)
    for signature in SIGNATURES:
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
    # The new ubu_decline_figures to the roles that read figures, where `db roles` made them
    # already (it grants every ubu_*_figures function when it runs again).
    decline = next(s for s in SIGNATURES if "ubu_decline_figures" in s)
    op.execute("DO $$ DECLARE r text; BEGIN FOREACH r IN ARRAY ARRAY['ubu_caseworker', "
               "'ubu_analyst', 'ubu_admin'] LOOP IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles "
               f"WHERE rolname = r) THEN EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION "
               f"{decline} TO %I', r); END IF; END LOOP; END $$")


def downgrade() -> None:
    op.drop_column("session_record", "decline_reason")    # SQLite 3.35+: triggers kept
