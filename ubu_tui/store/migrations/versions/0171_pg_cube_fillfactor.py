"""PostgreSQL: the index cube's tables leave room on each page for the row versions a push
writes.

Every batch a login submits updates about 22 000 rows of `index_cube` and their yearly sums
in `index_cube_year` (the statement triggers of 0121 and 0164). With full pages each update
writes its new row version on another page and every index of the table gets a new entry;
with two fifths of each page left free (fillfactor 60) about half of them stay on their page
as heap-only tuples, and no index is touched. `bench_push --followups 10000`, alternating
without and with (load 2-3): server CPU 14.1, 14.1 -> 13.3, 12.8 s, wall 16.5, 15.6 -> 15.0,
14.8 s. The figure functions read these tables by their
keys and whole years from the small yearly table; their reads were not measurably slower
(bench_pg_figures, 100 000 follow-ups, after VACUUM FULL). Pages already written keep their
fill until the table is rewritten (VACUUM FULL, at a quiet hour); new pages use it at once.

Revision ID: 0171
Revises: 0170
"""

from alembic import op

revision = "0171"
down_revision = "0170"
branch_labels = None
depends_on = None

TABLES = ("index_cube", "index_cube_year")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} SET (fillfactor = 60)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} RESET (fillfactor)")
