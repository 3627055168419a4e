"""PostgreSQL: ubu_submit_records checks each distinct score and answer value once.

The function checks every record's shape before anything is stored. A batch of a thousand
records carries some 30 000 index scores (of about 30 index ids and a few hundred distinct
[n, total]) and 97 000 [outcome, code] pairs (some 60 distinct), and each was checked on its
own: regular expressions on every score's id and value, and on every answer's code. That was a
third of the function's time per batch. Now each distinct index id and value is checked once
and the records that carry a bad one are looked up by hash; values are told apart by their
JSON text, so 4.0 is checked as 4.0 and not passed as 4. The scores' index ids are looked up
against the version's indices by hash too (it was a nested loop over the version's indices
per score, comparing the id outside the index). Every refusal and its message are as before,
and the first fault is still the one named: the record checks, then the parts (in record
order, and within a record in the order of its parts), then the instrument's.

Signature, owner, grants and settings are unchanged (CREATE OR REPLACE). SQLite has no
submit function: nothing changes there.

Revision ID: 0157
Revises: 0153
"""

from alembic import op
from sqlalchemy import text

revision = "0157"
down_revision = "0153"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    from ubu_tui.store.pg_records import install_sql

    for sql in install_sql():
        op.execute(text(sql))


def downgrade() -> None:
    # The function is generated from the code of the release that runs it; a downgrade leaves
    # it as it is (the older release reinstalls its own with `ubu db upgrade`).
    pass
