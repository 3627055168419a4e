"""PostgreSQL: a push's statement triggers read the batch's records only; the submit function
expands a batch's answers once.

Every kept count's statement trigger joined the rows a statement wrote to the whole
submission table, and the cube's also to every method row: the planner hashed every record
in the store for each trigger and batch, so a push cost more the more the national store
held. The triggers now find the batch's records first, through the primary key
(counters.batch_of), and the cube's the batch's methods through their index. The cube's ten
dimensions are grouping sets of one pass over the batch's scores instead of a cross join that
grouped every score once per dimension. The planner guesses a batch's records at ten rows and
then chose nested loops and text sorts, so the counter functions run with hash joins and hash
aggregates only, the batch read through the index (enable_nestloop, enable_sort and
enable_seqscan off, per function). The counts they add are
the same, row for row (index_cube_year's float sums to the last bit only where the order of
their summands changed: the cube's rows come in another order).

ubu_submit_records read a batch's ~97 000 answers out of the JSON three times (the shape
check, the instrument check, the insert); it now expands them once into a temporary table of
its own that the checks and the insert share (see pg_records.SUBMIT_BODY for why no caller
can put one in its place). Every refusal and its message are as before.

Signatures, owners and grants are unchanged (CREATE OR REPLACE); the submit function keeps its
settings. SQLite has neither
statement triggers nor a submit function: nothing changes there.

Revision ID: 0164
Revises: 0163
"""

from alembic import op
from sqlalchemy import text

revision = "0164"
down_revision = "0163"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    from ubu_tui.store import cube
    from ubu_tui.store import kept_items as k
    from ubu_tui.store.counters import STATEMENT_COUNTERS, StatementCounter, statement_counter_sql
    from ubu_tui.store.pg_records import install_sql

    on_insert, on_delete = cube.pg_score_statements()
    counters = (
        *STATEMENT_COUNTERS,
        StatementCounter(source="index_score", name="index_score_cube", function="ubu_cube_index",
                         on_insert=on_insert, on_delete=on_delete),
        StatementCounter(source="session_record", name="session_record_unit_count",
                         function="ubu_count_unit_dispositions",
                         on_insert=cube.UNIT_DISPOSITIONS_PG[0],
                         on_delete=cube.UNIT_DISPOSITIONS_PG[1]),
        StatementCounter(source="answer_record", name=k.ITEM_TRIGGER,
                         function="ubu_count_item_groups", on_insert=k.ITEM_TRIGGERS_PG[0],
                         on_delete=k.ITEM_TRIGGERS_PG[1]),
        StatementCounter(source="method_record", name=k.METHOD_TRIGGER,
                         function="ubu_count_methods", on_insert=k.METHOD_TRIGGERS_PG[0],
                         on_delete=k.METHOD_TRIGGERS_PG[1]),
        StatementCounter(source="session_record", name=k.DECLINE_TRIGGER,
                         function="ubu_count_declines", on_insert=k.DECLINE_TRIGGERS_PG[0],
                         on_delete=k.DECLINE_TRIGGERS_PG[1]))
    for counter in counters:
        for sql in statement_counter_sql(counter):
            op.execute(text(sql))
    for sql in install_sql():
        op.execute(text(sql))


def downgrade() -> None:
    # The triggers and the function are generated from the code of the release that runs
    # them; a downgrade leaves them as they are (the same counts; the older release
    # reinstalls its own with `ubu db upgrade`).
    pass
