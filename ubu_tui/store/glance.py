"""What the home screen needs as soon as the store is open, in SQLAlchemy Core alone.

The ORM, SQLModel and pydantic that the models are built on together take about as long to
import as SQLAlchemy itself. Purging old drafts and counting drafts and records needs none of
them, so these run on bare table stubs, and the app imports the rest after the home screen has
its figures (see `UbuApp._open_store`). `drafts` and `submissions` export these same functions.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, column, delete, func, select, table, text
from sqlalchemy.engine import Engine

from ubu_tui.interview.eligibility import MAX_DAYS_AFTER
from ubu_tui.store.engine import connection_for

_DRAFT = table("draft", column("created_at", DateTime(timezone=True)))   # as models.Draft
_SUBMISSION = table("submission", column("id"))


def keeps_drafts(engine: Engine) -> bool:
    """Whether this login may keep interview drafts: every SQLite store, and on the shared
    database a caseworker login (or the owner); an analyst or admin login reads results only."""
    if engine.url.get_backend_name() != "postgresql":
        return True
    with connection_for(engine) as conn:
        return bool(conn.execute(text(
            "SELECT has_table_privilege('public.draft', 'DELETE')")).scalar_one())


def purge_old_drafts(engine: Engine, now: datetime | None = None) -> int:
    """Delete drafts older than the follow-up window (a draft older than it can't be due);
    return how many went."""
    from datetime import timedelta

    cutoff = (now or datetime.now(UTC)) - timedelta(days=MAX_DAYS_AFTER)
    with connection_for(engine) as conn:
        result = conn.execute(delete(_DRAFT).where(_DRAFT.c.created_at < cutoff))
        return int(result.rowcount or 0)


def count_drafts(engine: Engine) -> int:
    """How many drafts there are: counted, not read (each one's state is the whole coded
    follow-up in JSON)."""
    with connection_for(engine) as conn:
        return int(conn.execute(select(func.count()).select_from(_DRAFT)).scalar_one())


def count_submissions(engine: Engine) -> int:
    """How many records there are, for the home screen. Counts only, never contents."""
    with connection_for(engine) as conn:
        if engine.url.get_backend_name() == "postgresql":   # those of the login's municipality
            return int(conn.execute(text("SELECT public.ubu_submission_count()")).scalar_one())
        return int(conn.execute(select(func.count()).select_from(_SUBMISSION)).scalar_one())
