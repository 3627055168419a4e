"""Counts the database keeps by triggers (item_count, index_count, disposition_count).

Each migration that adds one states its SQL; installing and removing the triggers on SQLite
and PostgreSQL is the same every time, so it lives here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Counter:
    source: str          # the table whose rows are counted
    name: str            # trigger name; SQLite's delete trigger adds "_un"
    pg_function: str     # the PostgreSQL trigger function's name
    pg_sql: str          # CREATE OR REPLACE FUNCTION … for it
    on_insert: str       # SQLite: what follows "AFTER INSERT ON <source>" ("WHEN … BEGIN … END")
    on_delete: str       # SQLite: what follows "AFTER DELETE ON <source>"


def install(op: Any, counter: Counter) -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(f"CREATE TRIGGER {counter.name} AFTER INSERT ON {counter.source} "
                   f"{counter.on_insert}")
        op.execute(f"CREATE TRIGGER {counter.name}_un AFTER DELETE ON {counter.source} "
                   f"{counter.on_delete}")
    elif dialect == "postgresql":
        op.execute(counter.pg_sql)
        op.execute(f"CREATE TRIGGER {counter.name} AFTER INSERT OR DELETE ON {counter.source} "
                   f"FOR EACH ROW EXECUTE FUNCTION {counter.pg_function}()")


def remove(op: Any, counter: Counter) -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(f"DROP TRIGGER IF EXISTS {counter.name}")
        op.execute(f"DROP TRIGGER IF EXISTS {counter.name}_un")
    elif dialect == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {counter.name} ON {counter.source}")
        op.execute(f"DROP FUNCTION IF EXISTS {counter.pg_function}()")
