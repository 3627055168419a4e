"""PostgreSQL: an index mean is taken from its exact score total.

Since 0161 the figure functions sum a cell's index scores per kept cell for most months and
per record for the months holding records not yet released (and everywhere while a local
version's records are stored). The two sums are the same number but can differ in their last
bits, and the mean kept them: a login comparing the raw float of one view call after call could
see that some record had come in since the last release, which the release cut exists to hide.
The total is now snapped to the multiple of 1/360360 it stands for (results/ptable.exact_total,
the same in the owner's results layer) before the noise is added, so the mean is the same
float whichever way its cells were counted. Signatures, owners and grants are unchanged.

Revision ID: 0162
Revises: 0161
"""

from alembic import op
from sqlalchemy import text

revision = "0162"
down_revision = "0161"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    from ubu_tui.results.pg_functions import all_sql

    for sql in all_sql():
        op.execute(text(sql))


def downgrade() -> None:
    # The functions are generated from the code of the release that runs them (see 0153).
    pass
