"""Answer counts per month, item and code, kept by the database itself.

The standard report's item distributions read these few thousand rows instead of every answer
(9.1 million at national scale). Triggers on answer_record keep them exact whatever writes the
answers (the app, import, push, a bulk load) and whatever withdraws them. The counts are not
suppressed: no role but the owner reads them; the results layer suppresses as for any count.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from ubu_tui.store.counters import Counter, install, remove

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

COUNTED = "('value', 'nonresponse')"

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION ubu_count_answer() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $fn$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.outcome IN {COUNTED} THEN
            INSERT INTO item_count (period, item_id, code, n)
            SELECT s.period, NEW.item_id, NEW.code, 1 FROM submission s
            WHERE s.id = NEW.submission_id
            ON CONFLICT (period, item_id, code) DO UPDATE SET n = item_count.n + 1;
        END IF;
        RETURN NEW;
    END IF;
    IF OLD.outcome IN {COUNTED} THEN
        UPDATE item_count SET n = n - 1
        WHERE period = (SELECT period FROM submission WHERE id = OLD.submission_id)
          AND item_id = OLD.item_id AND code = OLD.code;
    END IF;
    RETURN OLD;
END
$fn$
"""


COUNTER = Counter(
    source="answer_record", name="answer_record_count", pg_function="ubu_count_answer",
    pg_sql=PG_FUNCTION,
    on_insert=(f"WHEN NEW.outcome IN {COUNTED} BEGIN "
               "INSERT INTO item_count (period, item_id, code, n) "
               "SELECT period, NEW.item_id, NEW.code, 1 FROM submission "
               "WHERE id = NEW.submission_id "
               "ON CONFLICT (period, item_id, code) DO UPDATE SET n = n + 1; END"),
    on_delete=(f"WHEN OLD.outcome IN {COUNTED} BEGIN "
               "UPDATE item_count SET n = n - 1 WHERE period = (SELECT period FROM submission "
               "WHERE id = OLD.submission_id) AND item_id = OLD.item_id AND code = OLD.code; END"),
)


def upgrade() -> None:
    op.create_table(
        "item_count",
        sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("item_id", sa.String(48), primary_key=True),
        sa.Column("code", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("n", sa.Integer(), nullable=False),
    )
    op.execute("INSERT INTO item_count (period, item_id, code, n) "
               "SELECT s.period, a.item_id, a.code, COUNT(*) FROM answer_record a "
               f"JOIN submission s ON s.id = a.submission_id WHERE a.outcome IN {COUNTED} "
               "GROUP BY s.period, a.item_id, a.code")
    install(op, COUNTER)


def downgrade() -> None:
    remove(op, COUNTER)
    op.drop_table("item_count")
