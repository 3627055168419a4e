"""Indexes for results: a follow-up's answers found by item in one probe, and covered.

Without it SQLite joins a background variable through the item_id index, scanning every
follow-up's answer to that item for each follow-up (seconds at a few thousand records).

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_answer_submission_item", "answer_record",
                    ["submission_id", "item_id", "outcome", "code"])
    op.create_index("ix_session_submission", "session_record",
                    ["submission_id", "respondent", "disposition"])


def downgrade() -> None:
    op.drop_index("ix_session_submission", "session_record")
    op.drop_index("ix_answer_submission_item", "answer_record")
