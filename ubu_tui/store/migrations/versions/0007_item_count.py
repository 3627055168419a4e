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
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(
            "CREATE TRIGGER answer_record_count AFTER INSERT ON answer_record "
            f"WHEN NEW.outcome IN {COUNTED} BEGIN "
            "INSERT INTO item_count (period, item_id, code, n) "
            "SELECT period, NEW.item_id, NEW.code, 1 FROM submission WHERE id = NEW.submission_id "
            "ON CONFLICT (period, item_id, code) DO UPDATE SET n = n + 1; END")
        op.execute(
            "CREATE TRIGGER answer_record_uncount AFTER DELETE ON answer_record "
            f"WHEN OLD.outcome IN {COUNTED} BEGIN "
            "UPDATE item_count SET n = n - 1 WHERE period = (SELECT period FROM submission "
            "WHERE id = OLD.submission_id) AND item_id = OLD.item_id AND code = OLD.code; END")
    elif dialect == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute("CREATE TRIGGER answer_record_count AFTER INSERT OR DELETE ON answer_record "
                   "FOR EACH ROW EXECUTE FUNCTION ubu_count_answer()")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS answer_record_count")
        op.execute("DROP TRIGGER IF EXISTS answer_record_uncount")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS answer_record_count ON answer_record")
        op.execute("DROP FUNCTION IF EXISTS ubu_count_answer()")
    op.drop_table("item_count")
