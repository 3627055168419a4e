"""PostgreSQL: records come in through one function and counts are kept once per statement.

- ubu_submit_records(jsonb) checks and stores whole records, a batch per call, one INSERT per
  table; ubu_withdraw, ubu_export and ubu_submission_count act for the caller's municipality
  (see ubu_tui.store.pg_records);
- a statement trigger on every record table refuses rows written by any role but the owner;
- the count triggers (0007, 0009, 0010) run once per statement over transition tables instead
  of once per row.

Revision ID: 0012
Revises: 0011
"""

import importlib.util
from pathlib import Path

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

ROW_FUNCTIONS = ("ubu_count_answer", "ubu_count_index", "ubu_count_disposition")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    from ubu_tui.store.counters import STATEMENT_COUNTERS, statement_counter_sql
    from ubu_tui.store.pg_records import install_sql

    for counter in STATEMENT_COUNTERS:
        for sql in statement_counter_sql(counter):
            op.execute(sql)
    for name in ROW_FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS public.{name}()")
    for sql in install_sql():
        op.execute(sql)


def _row_counter(filename: str):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(filename, Path(__file__).with_name(filename))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.COUNTER


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    from ubu_tui.store.counters import STATEMENT_COUNTERS, install
    from ubu_tui.store.pg_records import remove_sql

    for sql in remove_sql():
        op.execute(sql)
    for counter in STATEMENT_COUNTERS:
        op.execute(f"DROP TRIGGER IF EXISTS {counter.name} ON public.{counter.source}")
        op.execute(f"DROP TRIGGER IF EXISTS {counter.name}_un ON public.{counter.source}")
        op.execute(f"DROP FUNCTION IF EXISTS public.{counter.function}()")
    for filename in ("0007_item_count.py", "0009_index_count.py", "0010_disposition_count.py"):
        install(op, _row_counter(filename))
