"""Index scores summed per month, unit and index, kept by the database itself.

The unit comparison then reads some 270 000 rows at national scale instead of grouping 1.5
million per-record scores. Triggers on index_score keep the sums exact whatever writes or
withdraws records; like item_count, no restricted role reads this table.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

from ubu_tui.store.counters import Counter, install, remove

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SCORE = "NEW.total * 1.0 / NEW.n"
HIGH = "CASE WHEN NEW.total >= 4 * NEW.n THEN 1 ELSE 0 END"

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION ubu_count_index() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $fn$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.n > 0 THEN
            INSERT INTO index_count (period, unit_id, index_id, n, total, high)
            SELECT s.period, s.unit_id, NEW.index_id, 1, {SCORE}, {HIGH}
            FROM submission s WHERE s.id = NEW.submission_id
            ON CONFLICT (period, unit_id, index_id) DO UPDATE
            SET n = index_count.n + 1, total = index_count.total + EXCLUDED.total,
                high = index_count.high + EXCLUDED.high;
        END IF;
        RETURN NEW;
    END IF;
    IF OLD.n > 0 THEN
        UPDATE index_count c SET n = c.n - 1, total = c.total - OLD.total * 1.0 / OLD.n,
               high = c.high - CASE WHEN OLD.total >= 4 * OLD.n THEN 1 ELSE 0 END
        FROM submission s
        WHERE s.id = OLD.submission_id AND c.period = s.period AND c.unit_id = s.unit_id
          AND c.index_id = OLD.index_id;
    END IF;
    RETURN OLD;
END
$fn$
"""


COUNTER = Counter(
    source="index_score", name="index_score_count", pg_function="ubu_count_index",
    pg_sql=PG_FUNCTION,
    on_insert=("WHEN NEW.n > 0 BEGIN "
               "INSERT INTO index_count (period, unit_id, index_id, n, total, high) "
               f"SELECT period, unit_id, NEW.index_id, 1, {SCORE}, {HIGH} FROM submission "
               "WHERE id = NEW.submission_id ON CONFLICT (period, unit_id, index_id) DO UPDATE "
               "SET n = n + 1, total = total + excluded.total, high = high + excluded.high; END"),
    on_delete=("WHEN OLD.n > 0 BEGIN UPDATE index_count SET n = n - 1, "
               "total = total - OLD.total * 1.0 / OLD.n, "
               "high = high - CASE WHEN OLD.total >= 4 * OLD.n THEN 1 ELSE 0 END "
               "WHERE index_id = OLD.index_id AND (period, unit_id) = (SELECT period, unit_id "
               "FROM submission WHERE id = OLD.submission_id); END"),
)


def upgrade() -> None:
    op.create_table(
        "index_count",
        sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("unit_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("index_id", sa.String(40), primary_key=True),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),     # sum of the records' mean scores
        sa.Column("high", sa.Integer(), nullable=False),    # records scoring 4 or more
    )
    op.execute("INSERT INTO index_count (period, unit_id, index_id, n, total, high) "
               "SELECT s.period, s.unit_id, x.index_id, COUNT(*), SUM(x.total * 1.0 / x.n), "
               "SUM(CASE WHEN x.total >= 4 * x.n THEN 1 ELSE 0 END) FROM index_score x "
               "JOIN submission s ON s.id = x.submission_id WHERE x.n > 0 "
               "GROUP BY s.period, s.unit_id, x.index_id")
    install(op, COUNTER)


def downgrade() -> None:
    remove(op, COUNTER)
    op.drop_table("index_count")
