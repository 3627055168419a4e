"""Coverage: set-up decisions counted per municipality and month, and the ended placements a
municipality enters per month, so that results can say how many ended placements were followed
up and why the others were not.

Revision ID: 0060
Revises: 0030
"""

import sqlalchemy as sa
from alembic import op

revision = "0060"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coverage_count",
        sa.Column("municipality", sa.String(4), primary_key=True),
        sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("outcome", sa.String(24), primary_key=True),
        sa.Column("n", sa.Integer, nullable=False, server_default="0"),
        sa.Column("ckey", sa.BigInteger, nullable=False, server_default="0"),
    )
    op.create_table(
        "ended_count",
        sa.Column("municipality", sa.String(4), primary_key=True),
        sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("ckey", sa.BigInteger, nullable=False, server_default="0"),
    )
    if op.get_bind().dialect.name == "postgresql":
        from ubu_tui.store.coverage import functions_sql

        op.execute("REVOKE ALL ON public.coverage_count, public.ended_count FROM PUBLIC")
        for sql in functions_sql():
            op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        from ubu_tui.store.coverage import COVERAGE_FUNCTIONS

        for fn in COVERAGE_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS public.{fn}")
    op.drop_table("ended_count")
    op.drop_table("coverage_count")
