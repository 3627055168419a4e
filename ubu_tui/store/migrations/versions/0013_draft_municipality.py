"""Drafts carry their municipality; on PostgreSQL a login sees and changes only the drafts of
the municipality it acts for (row-level security over the ubu_login map).

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

OWN = "public.ubu_may_act_for(municipality)"


def upgrade() -> None:
    with op.batch_alter_table("draft") as batch:
        batch.add_column(sa.Column("municipality", sa.String(4), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        # drafts written before this keep their municipality inside the saved state
        op.execute("UPDATE public.draft SET municipality = "
                   "(state::jsonb #>> '{setup,municipality}') WHERE state LIKE '{%'")
        op.execute("ALTER TABLE public.draft ENABLE ROW LEVEL SECURITY")
        # every role but the table's owner is subject to it, whatever it was granted on the
        # table; a login the owner's (or a superuser's) session switched to with SET ROLE
        # acts for the owner
        op.execute(f"CREATE POLICY draft_own_municipality ON public.draft FOR ALL TO PUBLIC "
                   f"USING ({OWN}) WITH CHECK ({OWN})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP POLICY IF EXISTS draft_own_municipality ON public.draft")
        op.execute("ALTER TABLE public.draft DISABLE ROW LEVEL SECURITY")
    with op.batch_alter_table("draft") as batch:
        batch.drop_column("municipality")
