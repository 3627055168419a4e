"""PostgreSQL: a record's parts name their record, checked once per statement.

The foreign keys from session_record, answer_record, method_record and index_score to
submission ran one lookup (with a row lock) per inserted row: for a push of 10 000 follow-ups,
some 700 000 lookups and a third of the server's time. Here they give way to statement
triggers that check the same thing once per statement, over the distinct record ids the
statement wrote (store/pg_parents.py):

- a part must name a submission that exists (insert);
- a submission cannot be deleted while any part still names it (delete).

What the row lock of a foreign key adds — that a parent cannot be deleted by another
transaction while a part naming it is being written — cannot arise here: parts are written only
together with their new submission, in the same transaction (ubu_submit_records, the owner's
bulk writes), and a submission is invisible to everyone else until that transaction commits.

SQLite keeps its foreign keys.

Revision ID: 0102
Revises: 0101
"""

from alembic import op

revision = "0102"
down_revision = "0101"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    from ubu_tui.store.pg_parents import install_sql

    for sql in install_sql():
        op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    from ubu_tui.store.pg_parents import remove_sql

    for sql in remove_sql():
        op.execute(sql)
