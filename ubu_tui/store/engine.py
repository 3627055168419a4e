"""One engine factory from a URL, and the translation of database failures into plain messages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine

from ubu_tui.errors import StoreError
from ubu_tui.i18n import _


def default_url(practice: bool = False) -> str:
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("ubu-tui", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    name = "ubu-practice.sqlite3" if practice else "ubu.sqlite3"
    return f"sqlite:///{folder / name}"


def make_engine(url: str) -> Engine:
    """An engine for any SQLAlchemy URL. SQLite gets WAL, full sync and a busy timeout."""
    try:
        parsed = make_url(url)
    except exc.ArgumentError:
        raise StoreError(_("'{url}' är ingen databas-URL; använd till exempel "
                           "sqlite:////sökväg/ubu.sqlite3 eller postgresql+psycopg://värd/db"
                           ).format(url=url)) from None
    if parsed.get_backend_name() == "sqlite":
        memory = parsed.database in (None, "", ":memory:")
        if not memory:
            path = parsed.database or ""
            if path.startswith("file:"):      # an SQLite URI, e.g. file:/x.sqlite3?mode=ro
                path = path[5:].split("?", 1)[0]
            folder = Path(path).expanduser().resolve().parent
            if not folder.is_dir():
                raise StoreError(_("mappen {folder} för databasen finns inte; skapa den "
                                   "eller ange en annan --database-url").format(folder=folder))
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 5},
            poolclass=StaticPool if memory else None)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            if not memory:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")   # a confirmed answer survives power loss
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=5000")
            cur.close()

        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg").render_as_string(False))
    try:
        return create_engine(url, pool_pre_ping=True)
    except ModuleNotFoundError as err:
        raise StoreError(f"no driver for {parsed.drivername} ({err.name}); "
                         "install ubu-tui[postgres]") from None


def describe(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def explain(err: exc.SQLAlchemyError, engine: Engine) -> StoreError:
    """A database failure as a message a caseworker can act on."""
    text = str(getattr(err, "orig", err)).lower()
    where = describe(engine)
    if "locked" in text or "busy" in text:
        return StoreError(f"the database {where} is locked by another program; close it "
                          "(another ubu window?) and try again. Nothing was lost.")
    if "full" in text or "no space" in text:
        return StoreError(f"the disk holding {where} is full; free some space and try again. "
                          "Answers saved before this are kept.")
    if "readonly" in text or "read-only" in text or "permission denied" in text:
        return StoreError(f"the database {where} cannot be written (read-only or no "
                          "permission); check the file's permissions.")
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return StoreError(f"{where} is not a readable ubu database (damaged or another kind "
                          "of file); it was left untouched. Give another --database-url.")
    if "unable to open" in text:
        return StoreError(f"the database {where} cannot be opened; check the path.")
    if "connection" in text or "could not connect" in text or "server closed" in text:
        return StoreError(f"lost the connection to {where}; check the network and try again. "
                          "Nothing was stored by the failed step.")
    if "cannot be changed" in text:
        return StoreError("submitted records cannot be changed")
    return StoreError(f"the database {where} refused the operation: {text.splitlines()[0]}")


@contextmanager
def session_for(engine: Engine) -> Iterator[Session]:
    """A session whose failures come out as StoreError; commits only if the block succeeds."""
    try:
        with Session(engine, expire_on_commit=False) as session:
            yield session
    except exc.SQLAlchemyError as err:
        raise explain(err, engine) from None
    except OSError as err:
        raise StoreError(f"the database {describe(engine)} failed: {err.strerror}") from None
