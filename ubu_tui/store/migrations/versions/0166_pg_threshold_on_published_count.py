"""PostgreSQL: a raised threshold is held against the published count, not the true one.

A group was hidden when its true count n or its published count was under the threshold the
caller named. Every login names the threshold (p_threshold, 3 or more), so asking at 4, 5,
6, ... found the first threshold at which a shown group vanished: where that was at or below
its published count, the true count was exactly one less (an attack test read the exact n of
every unit whose noise was upward, about half of them, and with them the exact size of the
hidden remainder of a total). The true count is now held against the standard threshold (3)
only, which no caller can move, and a raised threshold against the published count, which the
caller sees anyway; at the standard threshold every figure is what it was. The results layer
(disclosure.hidden) changes with it, so the two stay bit-identical. Signatures, owners and
grants are unchanged.

Revision ID: 0166
Revises: 0165
"""

from alembic import op
from sqlalchemy import text

revision = "0166"
down_revision = "0165"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    from ubu_tui.results.pg_functions import all_sql, more_sql

    for sql in (*all_sql(), *more_sql()):
        op.execute(text(sql))


def downgrade() -> None:
    # The functions are generated from the code of the release that runs them (see 0153).
    pass
