"""PostgreSQL: a login's regrouping of the units reaches the figures at the next release.

An admin login edits the unit registry and reads the figures, which group by unit type,
operating form and orientation from the registry as it stood at the call (and the index cube's
unit_type column followed it at once, schema 0131). Putting a hidden unit (fewer than 3
follow-ups) in one type with different sets of shown units, reading the type's count each time
(each set a new cell with a fresh draw of the cell-key noise), averaged the hidden unit's count
out; deleting a unit with records did the same through the group "not registered".

A change of a unit's grouping columns, and a deletion, by any login but the owner is now held
in the new table unit_change (readable by the admin) while the row keeps the grouping in force;
the owner's release applies them (`ubu db release`: earlier months'; --now: all), and so does
the first record that comes in after the month turned, through the ordinary statements on unit;
the index cube's sums of all the units regrouped are moved in one statement (the cube's row
trigger on unit, installed again, leaves a unit being applied to it). A new unit and the other
columns act at once. See store/pg_registry.py for the rules. ubu_release is installed again: it
applies the held changes.

SQLite has no logins: nothing changes there.

Revision ID: 0167
Revises: 0168
"""

from alembic import op
from sqlalchemy import text

revision = "0167"
down_revision = "0168"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    from ubu_tui.store import pg_registry, pg_release

    for sql in (*pg_registry.install_sql(), *pg_release.install_sql()):
        op.execute(text(sql))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    from ubu_tui.store import pg_registry

    for sql in pg_registry.remove_sql():
        op.execute(text(sql))
