"""PostgreSQL: a raised threshold is held against the published count, not the true one; a
login enters ended placements only for months not yet published.

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

ubu_set_ended took any month, any number (negative too) and the caller's key. A caseworker
login entered 0 ended placements for months long past, each row with a fresh key, and read the
national total over a range starting at each: a fresh draw of the noise per range, averaged to
the other municipalities' exact total (80 draws read 14 where the total was 14); and it could
rewrite its count of a published month, stepping the total through the threshold. Now a login
enters a number from 0 to 100 000 for this month or the last one, the server draws its key,
and ubu_coverage_figures publishes a month once the month after it is over, so that every
count a login can write or correct is unpublished.

A filter (p_filter, p_values) takes one value: with a list, every subset of the units was a
new cell with its own draw of the noise, and a unit hidden under the threshold was the mean of
(subset with it) - (subset without it) over the subsets of the shown ones (63 subsets put each
hidden unit of 1 or 2 answers within 0.13 of its count). The app only ever asks with one.

A part of a shown group (an answer code, a disposition, a method applied, a coverage outcome)
published as 0 has no row: a part was a row only where it had a record, so a row of 0 told
"one or two" from "none" (541 such rows on the attack test's data), which the perturbation's 0
is there to hide. The results layer leaves them out alike (disclosure.published_parts).

Revision ID: 0166
Revises: 0164
"""

from alembic import op
from sqlalchemy import text

revision = "0166"
down_revision = "0164"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    from ubu_tui.results.pg_functions import all_sql, more_sql
    from ubu_tui.store.coverage import functions_sql

    for sql in (*all_sql(), *more_sql(), *functions_sql()):
        op.execute(text(sql))


def downgrade() -> None:
    # The functions are generated from the code of the release that runs them (see 0153).
    pass
