"""Unit type, operating form and orientation from the unit registry (issue #16).

Results are now broken down and filtered by the registry's unit type, operating form and
orientation (results/query.DIMENSIONS), read from `unit` when the figures are made, no longer
by the caseworker's unit-type answer. Nothing stored changes (records are write-once); on
PostgreSQL the figure functions are reinstalled so that restricted logins get the same
breakdowns. They read public.unit as their owner (SECURITY DEFINER, search_path fixed and
every object qualified, as before); signatures and grants are unchanged.

Revision ID: 0094
Revises: 0103
"""

from alembic import op

revision = "0094"
down_revision = "0103"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from ubu_tui.results.pg_functions import reinstall

    reinstall(op)


def downgrade() -> None:
    # The functions are generated from the code of the release that runs them; a downgrade
    # leaves them as they are (the older release reinstalls its own with `ubu db upgrade`).
    pass
