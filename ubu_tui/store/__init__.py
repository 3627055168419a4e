"""Storage: the only layer that opens database sessions."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from ubu_tui.store.engine import default_url, make_engine
from ubu_tui.store.schema import ensure_schema


def open_store(url: str | None = None, *, practice: bool = False) -> Engine:
    """An engine on a database at the current schema, created or migrated as needed."""
    engine = make_engine(url or default_url(practice))
    ensure_schema(engine, "practice" if practice else "real")
    return engine


__all__ = ["default_url", "ensure_schema", "make_engine", "open_store"]
