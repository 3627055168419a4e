"""PostgreSQL: means and shares are divided by the published count, never the true n.

A mean of (true sum + noise) / true n gives the true n away through its denominator
(3.142857… can only be 22/7), and with it every shown group's exact count, the exact total and,
by subtraction, the exact size of the hidden groups. The figure functions of 0021 are replaced
by the ones of results/pg_functions.py, which divide by the published count (a figure that is
public anyway), as the results layer does, and their sum noise takes half a point either way
on top (ptable.half_step), so that a mean times its count no longer gives the parity of the
true sum.

ubu_submit_records and ubu_export are replaced too (store/pg_records.py): a municipality login
neither chooses nor sees record keys any more. With chosen keys, a caseworker who adds its own
records to a small group and reads the group's published count for one key after another can
locate the other records' key sum in the perturbation table and then subtract the exact noise
from their published sum.

Revision ID: 0041
Revises: 0070
"""

from alembic import op

revision = "0041"
down_revision = "0070"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    from ubu_tui.results.pg_functions import SIGNATURES, all_sql
    from ubu_tui.store.pg_records import install_sql

    for sql in install_sql():
        op.execute(sql)
    # CREATE OR REPLACE keeps each function's grants; the new ones get none from PUBLIC
    for sql in all_sql():
        op.execute(sql)
    for signature in (*SIGNATURES, "public.ubu_perturb(numeric, numeric)",
                      "public.ubu_sum_deviation(numeric, float8)",
                      "public.ubu_share(numeric, numeric, numeric)"):
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")


def downgrade() -> None:
    """The functions of 0021 are not kept apart from this code: nothing to restore."""
