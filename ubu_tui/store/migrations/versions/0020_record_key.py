"""Cell-key disclosure control: a random key per record, key sums in the kept counts, and the
perturbation table in the database.

Every submission gets `record_key`, a uniform random integer in [0, 2**32) (records stored
before this revision get one drawn now, by the database's own generator: never from content).
The counts the database keeps (item_count, index_count, disposition_count) also keep the sum
of their records' keys (`ckey`; index_count also `hkey` for the records scoring 4 or more), so
the results layer perturbs every figure from the counts alone, as fast as before. `ptable`
holds the perturbation table of ubu_tui.results.ptable, so that the PostgreSQL figure
functions look up the same deviations as the results layer.

Revision ID: 0020
Revises: 0013
"""

import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

from ubu_tui.store.counters import Counter, install, remove

revision = "0020"
down_revision = "0013"
branch_labels = None
depends_on = None

COUNTED = "('value', 'nonresponse')"
SCORE = "NEW.total * 1.0 / NEW.n"
HIGH = "CASE WHEN NEW.total >= 4 * NEW.n THEN 1 ELSE 0 END"
OLD_HIGH = "CASE WHEN OLD.total >= 4 * OLD.n THEN 1 ELSE 0 END"
PG_HEAD = ("LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp "
           "AS $fn$")

ANSWER_PG = f"""
CREATE OR REPLACE FUNCTION public.ubu_count_answer() RETURNS trigger {PG_HEAD}
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.outcome IN {COUNTED} THEN
            INSERT INTO public.item_count AS c (period, item_id, code, n, ckey)
            SELECT s.period, NEW.item_id, NEW.code, 1, s.record_key FROM public.submission s
            WHERE s.id = NEW.submission_id
            ON CONFLICT (period, item_id, code) DO UPDATE
            SET n = c.n + 1, ckey = c.ckey + EXCLUDED.ckey;
        END IF;
        RETURN NEW;
    END IF;
    IF OLD.outcome IN {COUNTED} THEN
        UPDATE public.item_count c SET n = c.n - 1, ckey = c.ckey - s.record_key
        FROM public.submission s
        WHERE s.id = OLD.submission_id AND c.period = s.period
          AND c.item_id = OLD.item_id AND c.code = OLD.code;
    END IF;
    RETURN OLD;
END
$fn$
"""

INDEX_PG = f"""
CREATE OR REPLACE FUNCTION public.ubu_count_index() RETURNS trigger {PG_HEAD}
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.n > 0 THEN
            INSERT INTO public.index_count AS c (period, unit_id, index_id, n, total, high,
                                                 ckey, hkey)
            SELECT s.period, s.unit_id, NEW.index_id, 1, {SCORE}, {HIGH}, s.record_key,
                   {HIGH} * s.record_key
            FROM public.submission s WHERE s.id = NEW.submission_id
            ON CONFLICT (period, unit_id, index_id) DO UPDATE
            SET n = c.n + 1, total = c.total + EXCLUDED.total, high = c.high + EXCLUDED.high,
                ckey = c.ckey + EXCLUDED.ckey, hkey = c.hkey + EXCLUDED.hkey;
        END IF;
        RETURN NEW;
    END IF;
    IF OLD.n > 0 THEN
        UPDATE public.index_count c SET n = c.n - 1, total = c.total - OLD.total * 1.0 / OLD.n,
               high = c.high - {OLD_HIGH}, ckey = c.ckey - s.record_key,
               hkey = c.hkey - {OLD_HIGH} * s.record_key
        FROM public.submission s
        WHERE s.id = OLD.submission_id AND c.period = s.period AND c.unit_id = s.unit_id
          AND c.index_id = OLD.index_id;
    END IF;
    RETURN OLD;
END
$fn$
"""

DISPOSITION_PG = f"""
CREATE OR REPLACE FUNCTION public.ubu_count_disposition() RETURNS trigger {PG_HEAD}
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO public.disposition_count AS c (period, respondent, disposition, n, ckey)
        SELECT s.period, NEW.respondent, NEW.disposition, 1, s.record_key
        FROM public.submission s WHERE s.id = NEW.submission_id
        ON CONFLICT (period, respondent, disposition) DO UPDATE
        SET n = c.n + 1, ckey = c.ckey + EXCLUDED.ckey;
        RETURN NEW;
    END IF;
    UPDATE public.disposition_count c SET n = c.n - 1, ckey = c.ckey - s.record_key
    FROM public.submission s
    WHERE s.id = OLD.submission_id AND c.period = s.period
      AND c.respondent = OLD.respondent AND c.disposition = OLD.disposition;
    RETURN OLD;
END
$fn$
"""

COUNTERS = (
    Counter(
        source="answer_record", name="answer_record_count", pg_function="ubu_count_answer",
        pg_sql=ANSWER_PG,
        on_insert=(f"WHEN NEW.outcome IN {COUNTED} BEGIN "
                   "INSERT INTO item_count (period, item_id, code, n, ckey) "
                   "SELECT period, NEW.item_id, NEW.code, 1, record_key FROM submission "
                   "WHERE id = NEW.submission_id ON CONFLICT (period, item_id, code) "
                   "DO UPDATE SET n = n + 1, ckey = ckey + excluded.ckey; END"),
        on_delete=(f"WHEN OLD.outcome IN {COUNTED} BEGIN "
                   "UPDATE item_count SET n = n - 1, ckey = ckey - (SELECT record_key FROM "
                   "submission WHERE id = OLD.submission_id) WHERE period = (SELECT period "
                   "FROM submission WHERE id = OLD.submission_id) AND item_id = OLD.item_id "
                   "AND code = OLD.code; END")),
    Counter(
        source="index_score", name="index_score_count", pg_function="ubu_count_index",
        pg_sql=INDEX_PG,
        on_insert=("WHEN NEW.n > 0 BEGIN "
                   "INSERT INTO index_count (period, unit_id, index_id, n, total, high, ckey, "
                   f"hkey) SELECT period, unit_id, NEW.index_id, 1, {SCORE}, {HIGH}, "
                   f"record_key, {HIGH} * record_key FROM submission "
                   "WHERE id = NEW.submission_id ON CONFLICT (period, unit_id, index_id) "
                   "DO UPDATE SET n = n + 1, total = total + excluded.total, "
                   "high = high + excluded.high, ckey = ckey + excluded.ckey, "
                   "hkey = hkey + excluded.hkey; END"),
        on_delete=("WHEN OLD.n > 0 BEGIN UPDATE index_count SET n = n - 1, "
                   "total = total - OLD.total * 1.0 / OLD.n, "
                   f"high = high - {OLD_HIGH}, "
                   "ckey = ckey - (SELECT record_key FROM submission "
                   "WHERE id = OLD.submission_id), "
                   f"hkey = hkey - {OLD_HIGH} * (SELECT record_key FROM submission "
                   "WHERE id = OLD.submission_id) "
                   "WHERE index_id = OLD.index_id AND (period, unit_id) = (SELECT period, "
                   "unit_id FROM submission WHERE id = OLD.submission_id); END")),
    Counter(
        source="session_record", name="session_record_count",
        pg_function="ubu_count_disposition", pg_sql=DISPOSITION_PG,
        on_insert=("BEGIN INSERT INTO disposition_count (period, respondent, disposition, n, "
                   "ckey) SELECT period, NEW.respondent, NEW.disposition, 1, record_key "
                   "FROM submission WHERE id = NEW.submission_id "
                   "ON CONFLICT (period, respondent, disposition) DO UPDATE SET n = n + 1, "
                   "ckey = ckey + excluded.ckey; END"),
        on_delete=("BEGIN UPDATE disposition_count SET n = n - 1, ckey = ckey - (SELECT "
                   "record_key FROM submission WHERE id = OLD.submission_id) WHERE period = "
                   "(SELECT period FROM submission WHERE id = OLD.submission_id) "
                   "AND respondent = OLD.respondent AND disposition = OLD.disposition; END")),
)


def _old_counters() -> list[Counter]:
    here = Path(__file__).parent
    out = []
    for name in ("0007_item_count", "0009_index_count", "0010_disposition_count"):
        spec = importlib.util.spec_from_file_location(f"_ubu_mig_{name}", here / f"{name}.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        out.append(module.COUNTER)
    return out


def _random_key() -> str:
    if op.get_bind().dialect.name == "postgresql":
        return "floor(random() * 4294967296)::bigint"
    return "(random() % 4294967296 + 4294967296) % 4294967296"


def _write_once() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE TRIGGER submission_write_once BEFORE UPDATE ON submission "
                   "FOR EACH ROW EXECUTE FUNCTION ubu_write_once()")
    else:
        op.execute("CREATE TRIGGER submission_write_once BEFORE UPDATE ON submission "
                   "BEGIN SELECT RAISE(ABORT, 'submitted records cannot be changed'); END")


def upgrade() -> None:
    from ubu_tui.results.ptable import bands

    postgres = op.get_bind().dialect.name == "postgresql"
    if not postgres:        # PostgreSQL counts per statement since 0012; installed again below
        for counter in _old_counters():
            remove(op, counter)
    op.add_column("submission", sa.Column("record_key", sa.BigInteger(), nullable=False,
                                          server_default="0"))
    # Submitted records are write-once; the key is drawn once, here, for the old ones.
    op.execute("DROP TRIGGER IF EXISTS submission_write_once"
               + (" ON submission" if op.get_bind().dialect.name == "postgresql" else ""))
    op.execute(f"UPDATE submission SET record_key = {_random_key()}")
    _write_once()
    if op.get_bind().dialect.name == "postgresql":
        # Whatever writes a record without its key (a server-side function, a bulk load) gets
        # a random one, never the constant 0 that would make every cell key predictable.
        op.execute("ALTER TABLE submission ALTER COLUMN record_key "
                   "SET DEFAULT floor(random() * 4294967296)::bigint")
    for table in ("item_count", "index_count", "disposition_count"):
        op.add_column(table, sa.Column("ckey", sa.BigInteger(), nullable=False,
                                       server_default="0"))
    op.add_column("index_count", sa.Column("hkey", sa.BigInteger(), nullable=False,
                                           server_default="0"))
    # Counted again in one pass each (a correlated update per row would read every answer of
    # an item for each of its rows: hours at national scale).
    op.execute("DELETE FROM item_count")
    op.execute("INSERT INTO item_count (period, item_id, code, n, ckey) "
               "SELECT s.period, a.item_id, a.code, COUNT(*), SUM(s.record_key) "
               "FROM answer_record a JOIN submission s ON s.id = a.submission_id "
               f"WHERE a.outcome IN {COUNTED} GROUP BY s.period, a.item_id, a.code")
    op.execute("DELETE FROM index_count")
    op.execute("INSERT INTO index_count (period, unit_id, index_id, n, total, high, ckey, hkey) "
               "SELECT s.period, s.unit_id, x.index_id, COUNT(*), SUM(x.total * 1.0 / x.n), "
               "SUM(CASE WHEN x.total >= 4 * x.n THEN 1 ELSE 0 END), SUM(s.record_key), "
               "SUM(CASE WHEN x.total >= 4 * x.n THEN s.record_key ELSE 0 END) "
               "FROM index_score x JOIN submission s ON s.id = x.submission_id WHERE x.n > 0 "
               "GROUP BY s.period, s.unit_id, x.index_id")
    op.execute("DELETE FROM disposition_count")
    op.execute("INSERT INTO disposition_count (period, respondent, disposition, n, ckey) "
               "SELECT s.period, r.respondent, r.disposition, COUNT(*), SUM(s.record_key) "
               "FROM session_record r JOIN submission s ON s.id = r.submission_id "
               "GROUP BY s.period, r.respondent, r.disposition")
    if postgres:
        from ubu_tui.store.counters import STATEMENT_COUNTERS, statement_counter_sql

        for statement in STATEMENT_COUNTERS:
            for sql in statement_counter_sql(statement):
                op.execute(sql)
    else:
        for counter in COUNTERS:
            install(op, counter)
    ptable = op.create_table(
        "ptable",
        sa.Column("n_class", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("lo", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("hi", sa.BigInteger(), nullable=False),
        sa.Column("deviation", sa.Integer(), nullable=False),
    )
    op.bulk_insert(ptable, [{"n_class": b.n_class, "lo": b.lo, "hi": b.hi,
                             "deviation": b.deviation} for b in bands()])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        raise NotImplementedError("schema 0020 is not taken back on PostgreSQL: the statement "
                                  "counters of 0012 count the key sums; restore a backup")
    for counter in COUNTERS:
        remove(op, counter)
    op.drop_table("ptable")
    with op.batch_alter_table("index_count") as batch:
        batch.drop_column("hkey")
        batch.drop_column("ckey")
    for table in ("item_count", "disposition_count", "submission"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("record_key" if table == "submission" else "ckey")
    for counter in _old_counters():
        install(op, counter)
