"""index_cube by the registry's unit type: the results screen's unit-type filter from the cube.

Since #16 the results are filtered by the registry's unit type, but index_cube's unit_type
column held the caseworker's answer, so every index view filtered by unit type (other than the
registry breakdowns, served per unit from index_count) was computed from the records: indices by
sex within unit type 1 took 0.53 CPU s at 100 000 follow-ups, over the 0.3 s aim. The column now
holds the unit type the registry gives the record's unit (-1 when the unit is not registered),
so a filtered view reads the cube as an unfiltered one does.

A unit's figures follow its registry row, history included: triggers on `unit` move a unit's
sums from its old type to its new one when the registry changes it (and from -1 when a unit is
registered after its records came in). The cube is rebuilt once from the records here;
index_cube_year is rebuilt from it (100 000 follow-ups: 52 CPU s, once).

An item by method reads, for each answer, its record's methods and whether each is the first
row of that method: one index (submission_id, method) now answers both without the rows (0.27
to 0.17 CPU s at 100 000 follow-ups). It starts with submission_id, so it replaces that index.

Parts are counted per unit as well (disposition_unit_count, kept like disposition_count): the
standard report's response rates per unit no longer read every part of the period.

Revision ID: 0131
Revises: 0094
"""

from alembic import op

from ubu_tui.store.counters import Counter, StatementCounter, install, remove, statement_counter_sql

revision = "0131"
down_revision = "0094"
branch_labels = None
depends_on = None

YEAR_TRIGGERS = ("index_cube_year", "index_cube_year_up", "index_cube_year_un")
SUMS = "n, total, high, ckey, hkey"


def _score_triggers(registry: bool) -> None:
    """The cube's triggers on index_score, keyed by the registry's unit type or (downgrade) by
    the caseworker's answer as schema 0070 installed them."""
    from ubu_tui.store import cube

    args = () if registry else ("s.bg_unit_type", "")
    if op.get_bind().dialect.name == "postgresql":
        on_insert, on_delete = cube.pg_score_statements(*args)
        for sql in statement_counter_sql(StatementCounter(
                source="index_score", name="index_score_cube", function="ubu_cube_index",
                on_insert=on_insert, on_delete=on_delete)):
            op.execute(sql)
        return
    on_insert, on_delete = cube.sqlite_score_triggers(*args)
    counter = Counter(source="index_score", name="index_score_cube", pg_function="",
                      pg_sql="", on_insert=on_insert, on_delete=on_delete)
    remove(op, counter)
    install(op, counter)


def _rebuild(registry: bool) -> None:
    """Every cube row again from the records, then the yearly sums from the cube (their row
    trigger paused meanwhile: one grouped statement instead of one upsert per monthly row)."""
    from ubu_tui.store.cube import CUBE_FROM_RECORDS, JOIN_UNIT, UNIT_TYPE

    postgres = op.get_bind().dialect.name == "postgresql"
    saved: list[str] = []
    if postgres:
        op.execute("ALTER TABLE index_cube DISABLE TRIGGER index_cube_year")
    else:
        bind = op.get_bind()
        for name in YEAR_TRIGGERS:
            sql = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'trigger' "
                                       "AND name = ?", (name,)).scalar()
            if sql:
                saved.append(sql)
                op.execute(f"DROP TRIGGER {name}")
    op.execute("DELETE FROM index_cube")
    op.execute("CREATE TEMPORARY TABLE bulk_new (id VARCHAR(32) PRIMARY KEY)")
    op.execute("INSERT INTO bulk_new (id) SELECT id FROM submission")
    for statement in CUBE_FROM_RECORDS:
        if statement.startswith("INSERT INTO index_cube"):
            if not registry:
                statement = statement.replace(JOIN_UNIT.format(schema=""), "").replace(
                    UNIT_TYPE, "s.bg_unit_type")
            op.execute(statement)
    op.execute("DROP TABLE bulk_new")
    op.execute("DELETE FROM index_cube_year")
    op.execute(f"INSERT INTO index_cube_year (dim, index_id, year, unit_type, grp, {SUMS}) "
               "SELECT dim, index_id, substr(period, 1, 4), unit_type, grp, "
               + ", ".join(f"SUM({s})" for s in SUMS.split(", "))
               + " FROM index_cube GROUP BY dim, index_id, substr(period, 1, 4), unit_type, grp")
    if postgres:
        op.execute("ALTER TABLE index_cube ENABLE TRIGGER index_cube_year")
    for sql in saved:
        op.execute(sql)


def upgrade() -> None:
    from ubu_tui.store import cube

    _score_triggers(registry=True)
    if op.get_bind().dialect.name == "postgresql":
        for sql in cube.pg_unit_trigger():
            op.execute(sql)
    else:
        for sql in cube.sqlite_unit_triggers():
            op.execute(sql)
    _rebuild(registry=True)
    _unit_dispositions()
    op.create_index("ix_method_record_submission_method", "method_record",
                    ["submission_id", "method"])
    op.drop_index("ix_method_record_submission_id", table_name="method_record")


def _unit_dispositions() -> None:
    """Parts per month, unit, respondent and disposition: the response rates per unit (in
    the standard report beside the unit comparison) read 300 000 parts at national scale,
    0.32 CPU s; these are a few thousand kept rows."""
    import sqlalchemy as sa

    from ubu_tui.store.cube import UNIT_DISPOSITIONS_PG, UNIT_DISPOSITIONS_SQLITE

    op.create_table(
        "disposition_unit_count", sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("unit_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("respondent", sa.String(12), primary_key=True),
        sa.Column("disposition", sa.String(16), primary_key=True),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("ckey", sa.BigInteger(), nullable=False, server_default="0"),
        sqlite_with_rowid=False)
    op.execute("INSERT INTO disposition_unit_count (period, unit_id, respondent, disposition, "
               "n, ckey) SELECT s.period, s.unit_id, r.respondent, r.disposition, COUNT(*), "
               "SUM(s.record_key) FROM session_record r JOIN submission s "
               "ON s.id = r.submission_id "
               "GROUP BY s.period, s.unit_id, r.respondent, r.disposition")
    if op.get_bind().dialect.name == "postgresql":
        for sql in statement_counter_sql(StatementCounter(
                source="session_record", name="session_record_unit_count",
                function="ubu_count_unit_dispositions", on_insert=UNIT_DISPOSITIONS_PG[0],
                on_delete=UNIT_DISPOSITIONS_PG[1])):
            op.execute(sql)
    else:
        install(op, Counter(source="session_record", name="session_record_unit_count",
                            pg_function="", pg_sql="", on_insert=UNIT_DISPOSITIONS_SQLITE[0],
                            on_delete=UNIT_DISPOSITIONS_SQLITE[1]))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS session_record_unit_count ON session_record")
        op.execute("DROP TRIGGER IF EXISTS session_record_unit_count_un ON session_record")
        op.execute("DROP FUNCTION IF EXISTS ubu_count_unit_dispositions()")
    else:
        op.execute("DROP TRIGGER IF EXISTS session_record_unit_count")
        op.execute("DROP TRIGGER IF EXISTS session_record_unit_count_un")
    op.drop_table("disposition_unit_count")
    op.create_index("ix_method_record_submission_id", "method_record", ["submission_id"])
    op.drop_index("ix_method_record_submission_method", table_name="method_record")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS index_cube_unit ON unit")
        op.execute("DROP FUNCTION IF EXISTS ubu_cube_unit()")
    else:
        from ubu_tui.store.cube import SQLITE_UNIT_TRIGGERS

        for name in SQLITE_UNIT_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    _score_triggers(registry=False)
    _rebuild(registry=False)
