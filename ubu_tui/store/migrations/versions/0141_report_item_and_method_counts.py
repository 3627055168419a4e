"""The standard report's items per unit and municipality, its methods and declines, kept.

The report read the serious-violation item's answers three times (by unit type, municipality
and unit) and the breakdown item's once (by unit type), each one item's answers joined to their
records, every method row of the year for the methods table and every part for the declines:
0.53 of its 0.93 CPU s at 100 000 follow-ups (issue #18). item_group_count keeps those two items
per month, unit or municipality and code; method_count the methods item per month, method and
applied code; decline_count the declined parts per month, respondent and reason; all with their
cell keys, kept like disposition_unit_count (store/kept_items.py). Filled once here from the
records.

Revision ID: 0141
Revises: 0121
"""

import sqlalchemy as sa
from alembic import op

from ubu_tui.store.counters import Counter, StatementCounter, install, statement_counter_sql

revision = "0141"
down_revision = "0121"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from ubu_tui.store import kept_items as k

    op.create_table(
        "item_group_count", sa.Column("dim", sa.String(12), primary_key=True),
        sa.Column("item_id", sa.String(48), primary_key=True),
        sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("grp", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("code", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("ckey", sa.BigInteger(), nullable=False, server_default="0"),
        sqlite_with_rowid=False)
    op.create_table(
        "method_count", sa.Column("item_id", sa.String(48), primary_key=True),
        sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("method", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("applied", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("ckey", sa.BigInteger(), nullable=False, server_default="0"),
        sqlite_with_rowid=False)
    op.create_table(
        "decline_count", sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("respondent", sa.String(12), primary_key=True),
        sa.Column("reason", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("ckey", sa.BigInteger(), nullable=False, server_default="0"),
        sqlite_with_rowid=False)
    # Filled by the bulk writers' own statements over every stored record: the same counts
    # the triggers keep from here on.
    op.execute("CREATE TEMPORARY TABLE bulk_new (id VARCHAR(32) PRIMARY KEY)")
    op.execute("INSERT INTO bulk_new (id) SELECT id FROM submission")
    for statement in k.ADD_COUNTS:
        op.execute(statement)
    op.execute("DROP TABLE bulk_new")
    if op.get_bind().dialect.name == "postgresql":
        for counter in (
                StatementCounter(source="answer_record", name=k.ITEM_TRIGGER,
                                 function="ubu_count_item_groups",
                                 on_insert=k.ITEM_TRIGGERS_PG[0],
                                 on_delete=k.ITEM_TRIGGERS_PG[1]),
                StatementCounter(source="method_record", name=k.METHOD_TRIGGER,
                                 function="ubu_count_methods",
                                 on_insert=k.METHOD_TRIGGERS_PG[0],
                                 on_delete=k.METHOD_TRIGGERS_PG[1]),
                StatementCounter(source="session_record", name=k.DECLINE_TRIGGER,
                                 function="ubu_count_declines",
                                 on_insert=k.DECLINE_TRIGGERS_PG[0],
                                 on_delete=k.DECLINE_TRIGGERS_PG[1])):
            for sql in statement_counter_sql(counter):
                op.execute(sql)
    else:
        install(op, Counter(source="answer_record", name=k.ITEM_TRIGGER, pg_function="",
                            pg_sql="", on_insert=k.ITEM_TRIGGERS_SQLITE[0],
                            on_delete=k.ITEM_TRIGGERS_SQLITE[1]))
        install(op, Counter(source="method_record", name=k.METHOD_TRIGGER, pg_function="",
                            pg_sql="", on_insert=k.METHOD_TRIGGERS_SQLITE[0],
                            on_delete=k.METHOD_TRIGGERS_SQLITE[1]))
        install(op, Counter(source="session_record", name=k.DECLINE_TRIGGER, pg_function="",
                            pg_sql="", on_insert=k.DECLINE_TRIGGERS_SQLITE[0],
                            on_delete=k.DECLINE_TRIGGERS_SQLITE[1]))


def downgrade() -> None:
    from ubu_tui.store import kept_items as k

    if op.get_bind().dialect.name == "postgresql":
        for table, name, function in (("answer_record", k.ITEM_TRIGGER, "ubu_count_item_groups"),
                                      ("method_record", k.METHOD_TRIGGER, "ubu_count_methods"),
                                      ("session_record", k.DECLINE_TRIGGER,
                                       "ubu_count_declines")):
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON public.{table}")
            op.execute(f"DROP TRIGGER IF EXISTS {name}_un ON public.{table}")
            op.execute(f"DROP FUNCTION IF EXISTS public.{function}()")
    else:
        for name in (k.ITEM_TRIGGER, k.METHOD_TRIGGER, k.DECLINE_TRIGGER):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
            op.execute(f"DROP TRIGGER IF EXISTS {name}_un")
    op.drop_table("decline_count")
    op.drop_table("method_count")
    op.drop_table("item_group_count")
