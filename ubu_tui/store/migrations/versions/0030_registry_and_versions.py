"""Instrument 2026.2: the unit registry records units without a permit (SiS homes, training
flats), who runs a unit and its orientation; a partial index finds records of a local
instrument version at once, so that the results layer can keep them out of national figures;
and an index says which versions a period holds.

Revision ID: 0030
Revises: 0041
"""

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0041"
branch_labels = None
depends_on = None

# The same condition, written the same way, as results.query.NATIONAL_ONLY negates: both
# databases use a partial index only when the query repeats its condition.
LOCAL = "instrument_version LIKE '%+%'"


def upgrade() -> None:
    with op.batch_alter_table("unit") as batch:
        batch.alter_column("permit_ref", existing_type=sa.String(40), nullable=True)
        batch.add_column(sa.Column("operating_form", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("orientation", sa.Integer(), nullable=True))
    op.create_index("ix_submission_local_version", "submission", ["instrument_version"],
                    sqlite_where=sa.text(LOCAL), postgresql_where=sa.text(LOCAL))
    # Which versions a period holds (results report older questions apart): read from the
    # index alone instead of every record of the period.
    op.create_index("ix_submission_period_version", "submission",
                    ["period", "instrument_id", "instrument_version"])


def downgrade() -> None:
    op.drop_index("ix_submission_period_version", table_name="submission")
    op.drop_index("ix_submission_local_version", table_name="submission")
    with op.batch_alter_table("unit") as batch:
        batch.drop_column("orientation")
        batch.drop_column("operating_form")
        batch.alter_column("permit_ref", existing_type=sa.String(40), nullable=False)
