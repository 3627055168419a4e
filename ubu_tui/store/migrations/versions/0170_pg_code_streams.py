"""PostgreSQL: an item's codes draw their deviations from a stream of their own, the sensitive
item's codes and n from streams of their own again, and so do a respondent's dispositions
and the response rate's base.

The cell-key method gives the same records the same published count in every table. Where a
group showed one code only, that code's cell was the group's answered cell exactly when no
other code had an answer, so its count equal to n said "every answer here is this one" and a
count unlike n said that an answer hid in a code without a row: for y_violation, that a youth
at the unit reported a serious violation (on the attack test's data a one-code row agreed with
n in 11 of 11 groups where it held every answer and in 15 of 143 where it did not). The same
held for the sensitive item's "no" beside the youth's "completed" disposition, and a decline
count beside its one reason. Now a code's key k is mapped to k * M mod 2**32 (ptable.stream:
a bijection that keeps sums, so each stream stays consistent in itself) before its deviation
is looked up: M = ptable.CODE_STREAM for every item's codes and the decline reasons, and the
sensitive items of the shipped versions have their own M for their codes and for their n.
A respondent's dispositions (and the declines' total, which stays the same figure as
"declined") and the response rate's base have streams of their own too: the base equal to n
said that no child outside 12-21 was among them, "completed" equal to n that all answered.
Two cells of the same records in two streams agree as often as two unrelated cells (about
one time in four). The results layer draws the same way (aggregate._row_from_counts,
shares.decline_tables), so the two stay bit-identical. Signatures, owners and grants are
unchanged; every published code count moves once, as a new release.

Revision ID: 0170
Revises: 0169
"""

from alembic import op

revision = "0170"
down_revision = "0169"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from ubu_tui.results.pg_functions import reinstall

    reinstall(op)


def downgrade() -> None:
    # The functions are generated from the code of the release that runs them (see 0153).
    pass
