"""Figure functions for the last report parts a restricted login lacked: the methods used
(ubu_method_figures) and coverage (ubu_coverage_figures), publishing exactly what the results
layer does (results/pg_functions.py). `ubu db roles` grants every ubu_*_figures function to the
roles; run it again on a database whose roles were made before this schema.

Revision ID: 0093
Revises: 0092
"""

from alembic import op

revision = "0093"
down_revision = "0092"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    from ubu_tui.results.pg_functions import COVERAGE_SIGNATURE, METHOD_SIGNATURE, more_sql

    for sql in more_sql():
        op.execute(sql)
    for signature in (METHOD_SIGNATURE, COVERAGE_SIGNATURE):
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    from ubu_tui.results.pg_functions import COVERAGE_SIGNATURE, METHOD_SIGNATURE

    for signature in (METHOD_SIGNATURE, COVERAGE_SIGNATURE):
        op.execute(f"DROP FUNCTION IF EXISTS {signature}")
