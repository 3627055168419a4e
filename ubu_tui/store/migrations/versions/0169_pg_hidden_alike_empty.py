"""PostgreSQL: a hidden total has no row, a group with no row for one item of a call is left
out of the call like a hidden one, and an item's asked count is n plus its published
non-response parts.

A hidden total came back as a row without figures, and a total without records as no row at
all. Filtered to one unit (one value, as 0166 allows), any item, index, respondent or decline
call so told whether the unit had none or one or two in the period (a unit of one follow-up:
its youth's declining, which of the items and indices its guardian and caseworker answered).
Now a hidden total has no row, as an empty one; the results layer always showed both as the
one symbol, and reads a missing total as hidden.

A group hidden for one item of a call is left out for all items of the call; a group with no
answer at all for an item was not. A call for items {A, B} beside one for {A} so told, for a
unit shown for A, "none" from "one or two" for B. Now a group with no row for an item whose
total is shown is left out too, so what a call leaves out follows from what each item
publishes alone. The results layer's consistency rule (aggregate._consistent) changes with
it, so the two stay bit-identical.

An item's `asked` (answered plus non-response) was a cell of its own, published apart from
the non-response parts. A part published as 0 has no row (0166), but asked != n still told
that someone at the unit refused or did not know (489 shown unit-months on the attack test's
data whose non-response parts had no row). asked is now n plus the published non-response
parts, in the functions and the results layer alike. The coverage function's hidden total
has no row either (a coverage table then shows only when something in it is shown, for the
owner too). Signatures, owners and grants are unchanged.

Revision ID: 0169
Revises: 0167
"""

from alembic import op

revision = "0169"
down_revision = "0167"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from ubu_tui.results.pg_functions import reinstall

    reinstall(op)


def downgrade() -> None:
    # The functions are generated from the code of the release that runs them (see 0153).
    pass
