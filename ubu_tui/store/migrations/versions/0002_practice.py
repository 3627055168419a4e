"""Practice: which scenario a practice draft plays, and trainees' scores.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("draft") as batch:
        batch.add_column(sa.Column("scenario", sa.String(60), nullable=True))
    op.create_table(
        "practice_result",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("participant", sa.Integer(), nullable=True),
        sa.Column("scenario", sa.String(60), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("checks", sa.Integer(), nullable=False),
        sa.Column("mistakes", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("practice_result")
    with op.batch_alter_table("draft") as batch:
        batch.drop_column("scenario")
