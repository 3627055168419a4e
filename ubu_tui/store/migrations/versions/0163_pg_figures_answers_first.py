"""PostgreSQL: item figures read the asked items' answers first; ptable read once per call.

ubu_item_figures gathered every selected follow-up with its group (about 100 000 at national
scale) and then probed answer_record for each; it now reads the asked items' answers (the
covering index ix_answer_item_covering) and finds each answer's follow-up and group, as the
results layer counts them (results/query.py). The registry's groups (unit type, operating
form, orientation) are joined once instead of looked up by a subquery per row.

The figure functions looked up every perturbed figure in public.ptable by a correlated
subquery, four or five per published group (an index call by unit publishes 52 500); they now
read the table once per call into two arrays and look each figure up by a binary search of
them, which finds exactly the deviation the subquery found (results/pg_functions.py).

Every published row is the one published before. Signatures, owners and grants are unchanged
(CREATE OR REPLACE keeps the EXECUTE grants). SQLite has no figure functions: nothing changes
there.

Revision ID: 0163
Revises: 0165
"""

from alembic import op
from sqlalchemy import text

revision = "0163"
down_revision = "0165"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    from ubu_tui.results.pg_functions import all_sql

    for sql in all_sql():
        op.execute(text(sql))


def downgrade() -> None:
    # The functions are generated from the code of the release that runs them; a downgrade
    # leaves them as they are (the older release reinstalls its own with `ubu db upgrade`).
    pass
