"""Dispositions counted per month and respondent, kept by the database itself, for the
report's response rates (as item_count and index_count do for answers and indices).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

from ubu_tui.store.counters import Counter, install, remove

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION ubu_count_disposition() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $fn$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO disposition_count (period, respondent, disposition, n)
        SELECT s.period, NEW.respondent, NEW.disposition, 1 FROM submission s
        WHERE s.id = NEW.submission_id
        ON CONFLICT (period, respondent, disposition) DO UPDATE
        SET n = disposition_count.n + 1;
        RETURN NEW;
    END IF;
    UPDATE disposition_count SET n = n - 1
    WHERE period = (SELECT period FROM submission WHERE id = OLD.submission_id)
      AND respondent = OLD.respondent AND disposition = OLD.disposition;
    RETURN OLD;
END
$fn$
"""


COUNTER = Counter(
    source="session_record", name="session_record_count",
    pg_function="ubu_count_disposition", pg_sql=PG_FUNCTION,
    on_insert=("BEGIN INSERT INTO disposition_count (period, respondent, disposition, n) "
               "SELECT period, NEW.respondent, NEW.disposition, 1 FROM submission "
               "WHERE id = NEW.submission_id "
               "ON CONFLICT (period, respondent, disposition) DO UPDATE SET n = n + 1; END"),
    on_delete=("BEGIN UPDATE disposition_count SET n = n - 1 WHERE period = (SELECT period "
               "FROM submission WHERE id = OLD.submission_id) AND respondent = OLD.respondent "
               "AND disposition = OLD.disposition; END"),
)


def upgrade() -> None:
    op.create_table(
        "disposition_count",
        sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("respondent", sa.String(12), primary_key=True),
        sa.Column("disposition", sa.String(16), primary_key=True),
        sa.Column("n", sa.Integer(), nullable=False),
    )
    op.execute("INSERT INTO disposition_count (period, respondent, disposition, n) "
               "SELECT s.period, r.respondent, r.disposition, COUNT(*) FROM session_record r "
               "JOIN submission s ON s.id = r.submission_id "
               "GROUP BY s.period, r.respondent, r.disposition")
    install(op, COUNTER)


def downgrade() -> None:
    remove(op, COUNTER)
    op.drop_table("disposition_count")
