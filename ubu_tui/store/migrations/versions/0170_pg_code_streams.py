"""PostgreSQL: an item's codes draw their deviations from a stream of their own, the sensitive
item's codes and n from streams of their own again, and so do a respondent's dispositions;
a mean's and a share's noise come from the measure's own stream; the sensitive item publishes
its yes and no other answer code; the response rate's base is derived, not drawn.

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
"declined") have a stream of their own too: "completed" equal to n said that all answered.
Two cells of the same records in two streams agree as often as two unrelated cells (about
one time in four).

Attacked before release (tests/test_pg_attack.py):
- a mean's and a share's noise came from the key of the follow-ups alone, so two items
  answered by the same follow-ups published the exact difference of their sums (799 of 799
  pairs at a shown unit-month; shares 766 of 766), and two respondents' response rates over
  the same follow-ups the exact difference of their answered counts. The key is now mapped
  into the measure's own stream (ptable.measure_stream, md5 of the measure id; the SQL the
  same) before the sum, share and half-step noise are looked up;
- n minus the sensitive item's "no" was still its yes count plus noise, a fresh draw in every
  grid period and filter while the yes (published 0) stayed 0: averaged over 475 calls it
  ranked the units where a youth said yes first. The sensitive item now publishes its yes
  (ptable.SENSITIVE_ANSWER) and no other answer code; the results layer shows "Nej" as n
  minus the published yes;
- the base in a stream of its own was a third draw of the same follow-ups' count per call;
  it is now n minus the published not-eligible part (as an item's asked is, 0169);
- a share's noise was half a count step, so "total minus the shown units" over six calls
  told a hidden follow-up's 4-5 for 38 of 47 items (28 by guessing); its step now grows with
  the published base, max(0.5, 0.25 * sqrt(n)) (ptable.share_step; 27 of 47).
The results layer draws the same way (aggregate, shares.decline_tables), so the two stay
bit-identical. Signatures, owners and grants are unchanged; every published code count,
mean and share moves once, as a new release.

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
