"""PostgreSQL: figures are made for calendar months, quarters, half-years and years only, and a
login reads a period once the month after it is over.

Every period a login named was a cell of its own, with its own draw of the cell-key noise. A
group hidden under the threshold lies in every range that holds its month, beside the shown
groups, so "total minus the shown groups" over many ranges is the hidden group's count plus
noise again and again, and the mean comes to the count: 42 twelve-month ranges put a unit of
one follow-up within 0.03 of its single answer, with one analyst login, no filter and no
padding (tests/test_pg_attack.py). On the grid a month lies in four periods (itself, its
quarter, half-year and year). A period still taking in records (late pushes from the local
stores) became a new cell at every monthly release: a year read month by month was twelve
draws. So a login (not the owner) reads a period once the month after it is over, as
coverage has done since 0165. Every figure function checks both before anything is read;
the results layer refuses the same periods first with messages a reader can act on
(results/periods.py). Signatures, owners and grants are unchanged.

Revision ID: 0168
Revises: 0166
"""

from alembic import op

revision = "0168"
down_revision = "0166"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from ubu_tui.results.pg_functions import reinstall

    reinstall(op)


def downgrade() -> None:
    # The functions are generated from the code of the release that runs them (see 0153).
    pass
