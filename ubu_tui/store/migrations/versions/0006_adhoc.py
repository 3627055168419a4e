"""Which items of a session were interpreted ad hoc (no current translation in the interview
language): a space-separated list of item ids, empty when all were read from the wording.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("session_record") as batch:
        batch.add_column(sa.Column("adhoc", sa.Text(), nullable=False, server_default=""))
    if op.get_bind().dialect.name == "sqlite":
        # batch mode rebuilt the table: its write-once trigger must be made again
        op.execute("DROP TRIGGER IF EXISTS session_record_write_once")
        op.execute("CREATE TRIGGER session_record_write_once BEFORE UPDATE ON session_record "
                   "BEGIN SELECT RAISE(ABORT, 'submitted records cannot be changed'); END")


def downgrade() -> None:
    with op.batch_alter_table("session_record") as batch:
        batch.drop_column("adhoc")
