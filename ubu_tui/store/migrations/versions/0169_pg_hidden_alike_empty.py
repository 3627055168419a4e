"""PostgreSQL: a hidden total has no row, and a group with no row for one item of a call is
left out of the call like a hidden one.

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
it, so the two stay bit-identical. Signatures, owners and grants are unchanged.

Revision ID: 0169
Revises: 0168
"""

from alembic import op
from sqlalchemy import text

revision = "0169"
down_revision = "0168"
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
