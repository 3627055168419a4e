"""Background answers on the submission row, index figures per group, one item's answers by index.

Every grouped results query used to place each follow-up in its group by looking up the
caseworker's answer (two text-key index probes per follow-up), then join all its answers: at
national scale 1.5 s for the report's one breakdown and 9–14 s for a breakdown of every item.
Now the submission row carries the groups of its background answers (bg_*: one small integer
each, written with the record); the database keeps index figures per month, dimension, group
and unit type (index_cube, with cell keys); and a covering index reaches one item's answers
without reading the answer rows.

Revision ID: 0070
Revises: 0021
"""

import sqlalchemy as sa
from alembic import op

from ubu_tui.store.counters import Counter, install, remove

revision = "0070"
down_revision = "0021"
branch_labels = None
depends_on = None

# Frozen copies of store/background.py and store/cube.py as of this revision.
BACKGROUND = {
    "bg_unit_type": ("cw_unit_type", "CASE WHEN bg.outcome = 'value' THEN bg.code ELSE -1 END"),
    "bg_legal_basis": ("cw_legal_basis",
                       "CASE WHEN bg.outcome = 'value' THEN bg.code ELSE -1 END"),
    "bg_reason": ("cw_reason", "CASE WHEN bg.outcome = 'value' THEN bg.code ELSE -1 END"),
    "bg_sex": ("cw_sex", "CASE WHEN bg.outcome = 'value' THEN bg.code ELSE -1 END"),
    "bg_age_band": ("cw_age", "CASE WHEN bg.outcome <> 'value' THEN -1 WHEN bg.code < 15 "
                              "THEN 1 WHEN bg.code < 18 THEN 2 ELSE 3 END"),
    "bg_breakdown": ("cw_end", "CASE WHEN bg.outcome <> 'value' THEN -1 WHEN bg.code = 1 "
                               "THEN 1 WHEN bg.code BETWEEN 2 AND 5 THEN 2 ELSE -1 END"),
    "bg_length": ("cw_length", "CASE WHEN bg.outcome = 'value' THEN bg.code ELSE -1 END"),
}
DIMS = {
    "unit": "s.unit_id",
    "municipality": "CAST(s.municipality AS INTEGER)",
    "unit_type": "s.bg_unit_type",
    "legal_basis": "s.bg_legal_basis",
    "reason": "s.bg_reason",
    "sex": "s.bg_sex",
    "age_band": "s.bg_age_band",
    "breakdown": "s.bg_breakdown",
    "length": "s.bg_length",
}
DIM_ROWS = "(" + " UNION ALL ".join(f"SELECT '{d}' AS dim" for d in DIMS) + ")"
GROUP = "CASE d.dim " + " ".join(f"WHEN '{d}' THEN {e}" for d, e in DIMS.items()) + " END"
COUNTED = "('value', 'nonresponse')"
SCORE = "NEW.total * 1.0 / NEW.n"
HIGH = "CASE WHEN NEW.total >= 4 * NEW.n THEN 1 ELSE 0 END"
OLD_HIGH = "CASE WHEN OLD.total >= 4 * OLD.n THEN 1 ELSE 0 END"
PG_HEAD = ("LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp "
           "AS $fn$")
INDEX_KEY = "dim, index_id, period, unit_type, grp"


def _match(table: str, old: str) -> str:
    """The WHERE of a withdrawal: the cube rows of the deleted row's record, one per dim."""
    own = f"{table}.index_id = {old}.index_id"
    return (f"s.id = {old}.submission_id AND {table}.dim = d.dim AND {table}.period = s.period "
            f"AND {table}.unit_type = s.bg_unit_type AND {table}.grp = {GROUP} AND {own}")


# The method dimension: a record is in the group of every method used (several, or none), read
# from its method rows, which every writer stores before its index scores.
METHODS_OF = "(SELECT DISTINCT method FROM method_record WHERE submission_id = {0}.submission_id)"
METHOD_SELECT = (f"SELECT 'method', NEW.index_id, s.period, s.bg_unit_type, m.method, 1, "
                 f"{SCORE}, {HIGH}, s.record_key, {HIGH} * s.record_key "
                 f"FROM submission s, {METHODS_OF.format('NEW')} m "
                 "WHERE s.id = NEW.submission_id")
METHOD_MATCH = ("s.id = OLD.submission_id AND {t}.dim = 'method' AND {t}.grp = m.method "
                "AND {t}.period = s.period AND {t}.unit_type = s.bg_unit_type "
                "AND {t}.index_id = OLD.index_id")
INDEX_SELECT = (f"SELECT d.dim, NEW.index_id, s.period, s.bg_unit_type, {GROUP}, 1, {SCORE}, "
                f"{HIGH}, s.record_key, {HIGH} * s.record_key "
                f"FROM submission s CROSS JOIN {DIM_ROWS} d WHERE s.id = NEW.submission_id")

INDEX_PG = f"""
CREATE OR REPLACE FUNCTION public.ubu_cube_index() RETURNS trigger {PG_HEAD}
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.n > 0 THEN
            INSERT INTO public.index_cube AS c ({INDEX_KEY}, n, total, high, ckey, hkey)
            {INDEX_SELECT}
            ON CONFLICT ({INDEX_KEY}) DO UPDATE
            SET n = c.n + 1, total = c.total + EXCLUDED.total, high = c.high + EXCLUDED.high,
                ckey = c.ckey + EXCLUDED.ckey, hkey = c.hkey + EXCLUDED.hkey;
            INSERT INTO public.index_cube AS c ({INDEX_KEY}, n, total, high, ckey, hkey)
            {METHOD_SELECT}
            ON CONFLICT ({INDEX_KEY}) DO UPDATE
            SET n = c.n + 1, total = c.total + EXCLUDED.total, high = c.high + EXCLUDED.high,
                ckey = c.ckey + EXCLUDED.ckey, hkey = c.hkey + EXCLUDED.hkey;
        END IF;
        RETURN NEW;
    END IF;
    IF OLD.n > 0 THEN
        UPDATE public.index_cube c SET n = c.n - 1, total = c.total - OLD.total * 1.0 / OLD.n,
               high = c.high - {OLD_HIGH}, ckey = c.ckey - s.record_key,
               hkey = c.hkey - {OLD_HIGH} * s.record_key
        FROM public.submission s CROSS JOIN {DIM_ROWS} d WHERE {_match("c", "OLD")};
        UPDATE public.index_cube c SET n = c.n - 1, total = c.total - OLD.total * 1.0 / OLD.n,
               high = c.high - {OLD_HIGH}, ckey = c.ckey - s.record_key,
               hkey = c.hkey - {OLD_HIGH} * s.record_key
        FROM public.submission s, {METHODS_OF.format("OLD")} m
        WHERE {METHOD_MATCH.format(t="c")};
    END IF;
    RETURN OLD;
END
$fn$
""".replace("FROM submission s", "FROM public.submission s").replace(
    "FROM method_record", "FROM public.method_record")   # a definer names public. tables

# PostgreSQL keeps it once per statement, as #14 made the other counts (schema 0012): a batch
# of records is one grouped statement per dimension set, not ten upserts per index score.
_PG_SUMS = ("pg_catalog.count(*), pg_catalog.sum(x.total * 1.0 / x.n), "
            "pg_catalog.count(*) FILTER (WHERE x.total >= 4 * x.n), "
            "pg_catalog.sum(s.record_key), "
            "COALESCE(pg_catalog.sum(s.record_key) FILTER (WHERE x.total >= 4 * x.n), 0)")
_PG_DIMS = DIM_ROWS
_PG_METHODS = ("(SELECT DISTINCT submission_id, method FROM public.method_record "
               "WHERE submission_id IN (SELECT submission_id FROM {rows}))")
_PG_SET = ("n = c.n + EXCLUDED.n, total = c.total + EXCLUDED.total, high = c.high + EXCLUDED.high, "
           "ckey = c.ckey + EXCLUDED.ckey, hkey = c.hkey + EXCLUDED.hkey")


def _pg_grouped(rows: str) -> str:
    """Per (dim, index, period, unit type, group): the sums of the statement's rows `rows`."""
    return (f"SELECT d.dim, x.index_id, s.period, s.bg_unit_type AS unit_type, {GROUP} AS grp, "
            f"{_PG_SUMS} FROM {rows} x JOIN public.submission s ON s.id = x.submission_id "
            f"CROSS JOIN {_PG_DIMS} d WHERE x.n > 0 "
            f"GROUP BY d.dim, x.index_id, s.period, s.bg_unit_type, {GROUP} "
            "UNION ALL "
            "SELECT 'method', x.index_id, s.period, s.bg_unit_type, m.method, "
            f"{_PG_SUMS} FROM {rows} x JOIN public.submission s ON s.id = x.submission_id "
            f"JOIN {_PG_METHODS.format(rows=rows)} m ON m.submission_id = s.id "
            "WHERE x.n > 0 GROUP BY x.index_id, s.period, s.bg_unit_type, m.method")


PG_STATEMENT_INSERT = f"""
        INSERT INTO public.index_cube AS c ({INDEX_KEY}, n, total, high, ckey, hkey)
        {_pg_grouped("new_rows")}
        ON CONFLICT ({INDEX_KEY}) DO UPDATE SET {_PG_SET}"""
PG_STATEMENT_DELETE = f"""
        UPDATE public.index_cube c SET n = c.n - u.k, total = c.total - u.t,
               high = c.high - u.h, ckey = c.ckey - u.ck, hkey = c.hkey - u.hk
        FROM (SELECT g.dim, g.index_id, g.period, g.unit_type, g.grp, g.k, g.t, g.h, g.ck, g.hk
              FROM ({_pg_grouped("old_rows")}) AS g(dim, index_id, period, unit_type, grp,
                                                    k, t, h, ck, hk)) u
        WHERE c.dim = u.dim AND c.index_id = u.index_id AND c.period = u.period
          AND c.unit_type = u.unit_type AND c.grp = u.grp"""

COUNTERS = (
    Counter(
        source="index_score", name="index_score_cube", pg_function="ubu_cube_index",
        pg_sql=INDEX_PG,
        on_insert=(f"WHEN NEW.n > 0 BEGIN "
                   f"INSERT INTO index_cube ({INDEX_KEY}, n, total, high, ckey, hkey) "
                   f"{INDEX_SELECT} ON CONFLICT ({INDEX_KEY}) DO UPDATE SET n = n + 1, "
                   "total = total + excluded.total, high = high + excluded.high, "
                   "ckey = ckey + excluded.ckey, hkey = hkey + excluded.hkey; "
                   f"INSERT INTO index_cube ({INDEX_KEY}, n, total, high, ckey, hkey) "
                   f"{METHOD_SELECT} ON CONFLICT ({INDEX_KEY}) DO UPDATE SET n = n + 1, "
                   "total = total + excluded.total, high = high + excluded.high, "
                   "ckey = ckey + excluded.ckey, hkey = hkey + excluded.hkey; END"),
        on_delete=("WHEN OLD.n > 0 BEGIN UPDATE index_cube SET n = n - 1, "
                   f"total = total - OLD.total * 1.0 / OLD.n, high = high - {OLD_HIGH}, "
                   "ckey = ckey - s.record_key, "
                   f"hkey = hkey - {OLD_HIGH} * s.record_key "
                   f"FROM submission s CROSS JOIN {DIM_ROWS} d "
                   f"WHERE {_match('index_cube', 'OLD')}; "
                   "UPDATE index_cube SET n = n - 1, "
                   f"total = total - OLD.total * 1.0 / OLD.n, high = high - {OLD_HIGH}, "
                   "ckey = ckey - s.record_key, "
                   f"hkey = hkey - {OLD_HIGH} * s.record_key "
                   f"FROM submission s, {METHODS_OF.format('OLD')} m "
                   f"WHERE {METHOD_MATCH.format(t='index_cube')}; END")),
)


def _write_once(create: bool) -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if not create:
        op.execute("DROP TRIGGER IF EXISTS submission_write_once"
                   + (" ON submission" if postgres else ""))
    elif postgres:
        op.execute("CREATE TRIGGER submission_write_once BEFORE UPDATE ON submission "
                   "FOR EACH ROW EXECUTE FUNCTION ubu_write_once()")
    else:
        op.execute("CREATE TRIGGER submission_write_once BEFORE UPDATE ON submission "
                   "BEGIN SELECT RAISE(ABORT, 'submitted records cannot be changed'); END")


def upgrade() -> None:
    from ubu_tui.store.cube import CUBE_FROM_RECORDS

    postgres = op.get_bind().dialect.name == "postgresql"
    for column in BACKGROUND:
        op.add_column("submission", sa.Column(column, sa.SmallInteger(), nullable=False,
                                              server_default="-1"))
    # The groups of the records stored before this revision, from their answers, once.
    _write_once(False)
    op.execute("UPDATE submission SET " + ", ".join(
        f"{column} = COALESCE((SELECT {sql} FROM answer_record bg WHERE bg.submission_id = "
        f"submission.id AND bg.item_id = '{item}'), -1)"
        for column, (item, sql) in BACKGROUND.items()))
    _write_once(True)
    if postgres:
        # A writer that leaves them out must fail, not put its records in "not known".
        for column in BACKGROUND:
            op.execute(f"ALTER TABLE submission ALTER COLUMN {column} DROP DEFAULT")
        # the shared database's submit function now writes them (store/pg_records.py)
        from ubu_tui.store.pg_records import install_sql

        for sql in install_sql():
            op.execute(sql)
    op.create_table(
        "index_cube", sa.Column("dim", sa.String(16), primary_key=True),
        sa.Column("index_id", sa.String(40), primary_key=True),
        sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("unit_type", sa.SmallInteger(), primary_key=True, autoincrement=False),
        sa.Column("grp", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("high", sa.Integer(), nullable=False),
        sa.Column("ckey", sa.BigInteger(), nullable=False),
        sa.Column("hkey", sa.BigInteger(), nullable=False),
        sqlite_with_rowid=False)
    op.execute("CREATE TEMPORARY TABLE bulk_new (id VARCHAR(32) PRIMARY KEY)")
    op.execute("INSERT INTO bulk_new (id) SELECT id FROM submission")
    for statement in CUBE_FROM_RECORDS:
        if statement.startswith("INSERT INTO index_cube"):
            op.execute(statement)
    op.execute("DROP TABLE bulk_new")
    if postgres:
        from ubu_tui.store.counters import StatementCounter, statement_counter_sql

        for sql in statement_counter_sql(StatementCounter(
                source="index_score", name="index_score_cube", function="ubu_cube_index",
                on_insert=PG_STATEMENT_INSERT, on_delete=PG_STATEMENT_DELETE)):
            op.execute(sql)
    else:
        for counter in COUNTERS:
            install(op, counter)
    # One item's answers for every record, without touching the rows (a results view reads
    # one item); it replaces the plain item_id index, which it starts with.
    op.drop_index("ix_answer_record_item_id", "answer_record")
    # A record's period, key and groups found in one index probe by its id (the table's own
    # row is a second probe: a text primary key is an index beside the table in SQLite).
    op.create_index("ix_submission_groups", "submission",
                    ["id", "period", "record_key", "unit_id", "municipality", *BACKGROUND])
    # The unit comparison reads a year of index_count (270 000 rows at national scale): from
    # one covering index instead of the key index plus the table row for each.
    op.create_index("ix_index_count_figures", "index_count",
                    ["period", "unit_id", "index_id", "n", "total", "high", "ckey", "hkey"])
    # ix_answer_submission_item (0003) starts with submission_id: this one only slowed writes
    op.drop_index("ix_answer_record_submission_id", "answer_record")
    op.create_index("ix_answer_item_covering", "answer_record",
                    ["item_id", "submission_id", "outcome", "code"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS index_score_cube ON index_score")
        op.execute("DROP TRIGGER IF EXISTS index_score_cube_un ON index_score")
        op.execute("DROP FUNCTION IF EXISTS ubu_cube_index()")
    else:
        for counter in COUNTERS:
            remove(op, counter)
    op.drop_index("ix_index_count_figures", "index_count")
    op.drop_index("ix_submission_groups", "submission")
    op.drop_index("ix_answer_item_covering", "answer_record")
    op.create_index("ix_answer_record_item_id", "answer_record", ["item_id"])
    op.create_index("ix_answer_record_submission_id", "answer_record", ["submission_id"])
    op.drop_table("index_cube")
    _write_once(False)
    with op.batch_alter_table("submission") as batch:
        for column in BACKGROUND:
            batch.drop_column(column)
    _write_once(True)
