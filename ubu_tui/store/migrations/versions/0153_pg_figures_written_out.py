"""PostgreSQL: the figure functions without a helper call per cell or a join per code row.

ubu_item_figures, ubu_index_figures, ubu_decline_figures and ubu_disposition_figures wrote
their perturbation as calls of the SECURITY DEFINER helpers (ubu_perturb, ubu_sum_deviation,
ubu_share), which PostgreSQL never inlines, and joined each group's code cells back to the
group in a nested loop (its CTEs are estimated at one row): an item call by unit on 80
follow-ups took 0.85 s. They now write the lookups out in their query and carry each group's
cells along as arrays (results/pg_functions.py); all six figure functions (methods and
coverage too) run with JIT off, which compiled for 0.2-0.3 s per call at 100 000 follow-ups
and saved nothing, and with custom plans only: from a session's sixth call on, PL/pgSQL's
cached generic plan (made without the breakdown, items or period) took an item call by
municipality at 100 000 follow-ups from 0.8 s to 10 s. Every figure and every suppression is as
before; signatures, owners and grants are unchanged (CREATE OR REPLACE keeps the EXECUTE
grants). SQLite has no figure functions: nothing changes there.

Revision ID: 0153
Revises: 0141
"""

from alembic import op

revision = "0153"
down_revision = "0141"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from ubu_tui.results.pg_functions import reinstall

    reinstall(op)


def downgrade() -> None:
    # The functions are generated from the code of the release that runs them; a downgrade
    # leaves them as they are (the older release reinstalls its own with `ubu db upgrade`).
    pass
