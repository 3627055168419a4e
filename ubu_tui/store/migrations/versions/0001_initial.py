"""The first schema: registry, drafts, write-once submissions.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

WRITE_ONCE = ("submission", "session_record", "answer_record", "method_record")


def upgrade() -> None:
    op.create_table(
        "store_meta",
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("value", sa.String(200), nullable=False),
    )
    op.create_table(
        "draft",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("label", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
    )
    op.create_table(
        "unit",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(120), nullable=False, index=True),
        sa.Column("owner", sa.String(120), nullable=False),
        sa.Column("org_number", sa.String(11), nullable=True),
        sa.Column("sole_trader", sa.Boolean(), nullable=False),
        sa.Column("unit_type", sa.Integer(), nullable=False),
        sa.Column("permit_ref", sa.String(40), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "submission",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("municipality", sa.String(4), nullable=False, index=True),
        sa.Column("unit_id", sa.Integer(), nullable=False, index=True),
        sa.Column("instrument_id", sa.String(40), nullable=False),
        sa.Column("instrument_version", sa.String(20), nullable=False),
        sa.Column("period", sa.String(7), nullable=False, index=True),
    )
    op.create_table(
        "session_record",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("submission_id", sa.String(32), sa.ForeignKey("submission.id"),
                  nullable=False, index=True),
        sa.Column("respondent", sa.String(12), nullable=False),
        sa.Column("disposition", sa.String(16), nullable=False),
        sa.Column("break_reason", sa.Integer(), nullable=True),
        sa.Column("mode", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
    )
    op.create_table(
        "answer_record",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("submission_id", sa.String(32), sa.ForeignKey("submission.id"),
                  nullable=False, index=True),
        sa.Column("respondent", sa.String(12), nullable=False),
        sa.Column("item_id", sa.String(48), nullable=False, index=True),
        sa.Column("outcome", sa.String(12), nullable=False),
        sa.Column("code", sa.Integer(), nullable=False),
    )
    op.create_table(
        "method_record",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("submission_id", sa.String(32), sa.ForeignKey("submission.id"),
                  nullable=False, index=True),
        sa.Column("item_id", sa.String(48), nullable=False),
        sa.Column("method", sa.Integer(), nullable=False),
        sa.Column("applied", sa.Integer(), nullable=False),
    )
    # Submitted records are never changed: the database refuses it, whatever the client.
    dialect = op.get_bind().dialect.name
    for table in WRITE_ONCE:
        if dialect == "sqlite":
            op.execute(
                f"CREATE TRIGGER {table}_write_once BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'submitted records cannot be changed'); END")
        elif dialect == "postgresql":
            op.execute(
                "CREATE OR REPLACE FUNCTION ubu_write_once() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION 'submitted records cannot be changed'; END $$ "
                "LANGUAGE plpgsql")
            op.execute(
                f"CREATE TRIGGER {table}_write_once BEFORE UPDATE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION ubu_write_once()")


def downgrade() -> None:
    for table in ("method_record", "answer_record", "session_record", "submission", "unit",
                  "draft", "store_meta"):
        op.drop_table(table)
