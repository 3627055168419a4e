"""Index figures per calendar year as well: index_cube summed over the months of each year.

The unit comparison and every other index view over a year read index_cube's monthly rows:
at national scale a year by unit is 270 000 rows, about 0.35 CPU seconds, over the 0.3 s aim.
index_cube_year holds the same sums per year (a twelfth of the rows); a view over whole years
reads it, and the months outside whole years from index_cube as before.

It is kept from index_cube itself by a row trigger: every change to a monthly sum (a
submission, a batch's grouped statement, a withdrawal, on SQLite and PostgreSQL alike) adds
its difference to the year's sum. So the two can never disagree, whichever writer changed the
months, and the cell keys (ckey, hkey) stay exact sums of the records' keys.

Revision ID: 0111
Revises: 0081
"""

import sqlalchemy as sa
from alembic import op

revision = "0111"
down_revision = "0081"
branch_labels = None
depends_on = None

KEY = "dim, index_id, year, unit_type, grp"
SUMS = ("n", "total", "high", "ckey", "hkey")
# the difference a change of one monthly row makes; OLD is absent for an insert
_DELTA = {"insert": {s: f"NEW.{s}" for s in SUMS},
          "update": {s: f"NEW.{s} - OLD.{s}" for s in SUMS}}


def _upsert(kind: str, table: str, alias: str = "") -> str:
    """The year's upsert; SQLite takes no alias for the target inside a trigger, PostgreSQL
    needs one to tell the stored sum from the function's."""
    d = _DELTA[kind]
    own = f"{alias}." if alias else ""
    return (f"INSERT INTO {table}{f' AS {alias}' if alias else ''} ({KEY}, {', '.join(SUMS)}) "
            "VALUES (NEW.dim, NEW.index_id, substr(NEW.period, 1, 4), NEW.unit_type, NEW.grp, "
            + ", ".join(d[s] for s in SUMS) + f") ON CONFLICT ({KEY}) DO UPDATE SET "
            + ", ".join(f"{s} = {own}{s} + excluded.{s}" for s in SUMS))


def _pg_function() -> list[str]:
    from ubu_tui.store.pg_security import definer, private

    def pg(kind: str) -> str:
        return _upsert(kind, "public.index_cube_year", "c").replace("substr(",
                                                                     "pg_catalog.substr(")

    body = ("BEGIN\n    IF TG_OP = 'INSERT' THEN\n        " + pg("insert")
            + ";\n    ELSIF TG_OP = 'UPDATE' THEN\n        " + pg("update")
            + ";\n    ELSE\n        UPDATE public.index_cube_year c SET "
            + ", ".join(f"{s} = c.{s} - OLD.{s}" for s in SUMS)
            + " WHERE c.dim = OLD.dim AND c.index_id = OLD.index_id "
              "AND c.year = pg_catalog.substr(OLD.period, 1, 4) "
              "AND c.unit_type = OLD.unit_type AND c.grp = OLD.grp;\n    END IF;\n"
              "    RETURN NULL;\nEND")
    return [definer("ubu_cube_year", "", "trigger", body, volatility="VOLATILE"),
            private("ubu_cube_year()"),
            "CREATE TRIGGER index_cube_year AFTER INSERT OR UPDATE OR DELETE ON "
            "public.index_cube FOR EACH ROW EXECUTE FUNCTION public.ubu_cube_year()"]


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "index_cube_year", sa.Column("dim", sa.String(16), primary_key=True),
        sa.Column("index_id", sa.String(40), primary_key=True),
        sa.Column("year", sa.String(4), primary_key=True),
        sa.Column("unit_type", sa.SmallInteger(), primary_key=True, autoincrement=False),
        sa.Column("grp", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("high", sa.Integer(), nullable=False),
        sa.Column("ckey", sa.BigInteger(), nullable=False),
        sa.Column("hkey", sa.BigInteger(), nullable=False),
        sqlite_with_rowid=False)
    op.execute(f"INSERT INTO index_cube_year ({KEY}, {', '.join(SUMS)}) "
               "SELECT dim, index_id, substr(period, 1, 4), unit_type, grp, "
               + ", ".join(f"SUM({s})" for s in SUMS)
               + " FROM index_cube GROUP BY dim, index_id, substr(period, 1, 4), unit_type, grp")
    if postgres:
        for sql in _pg_function():
            op.execute(sql)
    else:
        op.execute(f"CREATE TRIGGER index_cube_year AFTER INSERT ON index_cube BEGIN "
                   f"{_upsert('insert', 'index_cube_year')}; END")
        op.execute(f"CREATE TRIGGER index_cube_year_up AFTER UPDATE ON index_cube BEGIN "
                   f"{_upsert('update', 'index_cube_year')}; END")
        op.execute("CREATE TRIGGER index_cube_year_un AFTER DELETE ON index_cube BEGIN "
                   "UPDATE index_cube_year SET "
                   + ", ".join(f"{s} = {s} - OLD.{s}" for s in SUMS)
                   + " WHERE dim = OLD.dim AND index_id = OLD.index_id "
                     "AND year = substr(OLD.period, 1, 4) AND unit_type = OLD.unit_type "
                     "AND grp = OLD.grp; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS index_cube_year ON index_cube")
        op.execute("DROP FUNCTION IF EXISTS ubu_cube_year()")
    else:
        for name in ("index_cube_year", "index_cube_year_up", "index_cube_year_un"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("index_cube_year")
