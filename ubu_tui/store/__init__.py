"""Storage: the only layer that opens database sessions.

The names below are loaded on first use, not when a submodule is imported: the set-up screen
needs `store.labels` (pure Python) at once, while SQLAlchemy, which `engine` and `schema` pull
in, takes longer to import than Textual and is imported in the app's worker thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from ubu_tui.store.engine import default_url, make_engine
    from ubu_tui.store.schema import ensure_schema


def open_store(url: str | None = None, *, practice: bool = False) -> Engine:
    """An engine on a database at the current schema, created or migrated as needed."""
    from ubu_tui.store.engine import default_url, make_engine
    from ubu_tui.store.schema import ensure_schema

    engine = make_engine(url or default_url(practice))
    ensure_schema(engine, "practice" if practice else "real")
    return engine


def __getattr__(name: str) -> Any:
    if name in ("default_url", "make_engine"):
        from ubu_tui.store import engine

        return getattr(engine, name)
    if name == "ensure_schema":
        from ubu_tui.store.schema import ensure_schema

        return ensure_schema
    raise AttributeError(name)      # the import protocol's, for a developer: no wording


__all__ = ["default_url", "ensure_schema", "make_engine", "open_store"]
