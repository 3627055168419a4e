"""One engine factory from a URL, and the translation of database failures into plain messages."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, event, exc
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.pool import StaticPool

if TYPE_CHECKING:
    from sqlmodel import Session

from ubu_tui.errors import StoreError
from ubu_tui.i18n import _


def default_url(practice: bool = False) -> str:
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("ubu-tui", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    name = "ubu-practice.sqlite3" if practice else "ubu.sqlite3"
    return f"sqlite:///{folder / name}"


_EXAMPLES = "use for example sqlite:////path/ubu.sqlite3 or postgresql://host/db"
_SQLITE_URI_KEYS = {"mode", "cache", "immutable", "nolock", "vfs"}
SQLITE_HEADER = b"SQLite format 3\x00"


def _sqlite_path(parsed: URL) -> tuple[str, bool]:
    """The file behind an SQLite URL, and whether it is opened read-only."""
    path = parsed.database or ""
    readonly = parsed.query.get("mode") == "ro"
    if path.startswith("file:"):      # an SQLite URI, e.g. file:/x.sqlite3?mode=ro
        path, _, query = path[5:].partition("?")
        readonly = readonly or "mode=ro" in query.split("&")
    return path, readonly


def check_sqlite_file(path: Path, readonly: bool) -> None:
    """Refuse a file that is not ubu's before anything is done to it (no WAL switch, no schema).

    Read through SQLite's own read-only mode: the file's bytes stay as they were.
    """
    if not path.exists():
        if readonly:
            raise StoreError(_("Databasfilen {path} finns inte; skrivskyddat läge (mode=ro) "
                               "öppnar bara en befintlig ubu-databas. Kontrollera sökvägen.")
                              .format(path=path))
        return
    if path.is_dir():
        raise StoreError(_("{path} är en mapp, inte en databasfil; ange sökvägen till en fil i "
                           "--database-url.").format(path=path))
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except OSError as err:
        raise StoreError(_("Databasfilen {path} kan inte läsas ({reason}); kontrollera filens "
                           "behörigheter.").format(path=path, reason=err.strerror)) from None
    if not head:
        return                        # an empty file: a new database
    if head != SQLITE_HEADER:
        raise StoreError(_("{path} är ingen läsbar ubu-databas (inte SQLite utan en annan sorts "
                           "fil); den lämnades orörd. Ange en annan --database-url.")
                          .format(path=path))
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as err:
        raise StoreError(_("{path} är ingen läsbar ubu-databas ({reason}); den lämnades orörd. "
                           "Ange en annan --database-url.").format(path=path, reason=err)) from None
    if tables and "alembic_version" not in tables:
        raise StoreError(_("{path} innehåller tabeller som inte hör till en ubu-databas; den "
                           "lämnades orörd. Ange en annan --database-url.").format(path=path))


def make_engine(url: str) -> Engine:
    """An engine for any SQLAlchemy URL. SQLite gets WAL, full sync and a busy timeout."""
    try:
        parsed = make_url(url)
    except exc.ArgumentError:
        raise StoreError(_("'{url}' är ingen databas-URL; använd till exempel "
                           "sqlite:////sökväg/ubu.sqlite3 eller postgresql+psycopg://värd/db"
                           ).format(url=url)) from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise StoreError(_("Databaser av typen '{driver}' stöds inte: ubu arbetar med SQLite och "
                           "PostgreSQL. Använd till exempel sqlite:////sökväg/ubu.sqlite3 eller "
                           "postgresql://värd/databas.").format(driver=parsed.drivername))
    if backend == "sqlite":
        memory = parsed.database in (None, "", ":memory:")
        readonly = False
        if not memory:
            path, readonly = _sqlite_path(parsed)
            folder = Path(path).expanduser().resolve().parent
            if not folder.is_dir():
                raise StoreError(_("mappen {folder} för databasen finns inte; skapa den "
                                   "eller ange en annan --database-url").format(folder=folder))
            check_sqlite_file(Path(path).expanduser(), readonly)
            if set(parsed.query) & _SQLITE_URI_KEYS and not (parsed.database or "").startswith(
                    "file:"):
                # sqlite:///x?mode=ro means what it says: the driver needs it as an SQLite URI.
                query = dict(parsed.query)
                query["uri"] = "true"
                url = parsed.set(database=f"file:{path}", query=query).render_as_string(False)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 5},
            poolclass=StaticPool if memory else None)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            if not memory and not readonly:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")   # a confirmed answer survives power loss
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=5000")
            cur.close()

        return engine
    if parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg").render_as_string(False))
    try:
        return create_engine(url, pool_pre_ping=True)
    except ModuleNotFoundError as err:
        raise StoreError(_("Drivrutin saknas för {driver} ({module}); installera "
                           "ubu-tui[postgres].")
                          .format(driver=parsed.drivername, module=err.name)) from None
    except exc.NoSuchModuleError:
        raise StoreError(_("'{driver}' är ingen PostgreSQL-drivrutin som ubu känner till; använd "
                           "postgresql:// eller postgresql+psycopg://.")
                          .format(driver=parsed.drivername)) from None


def describe(engine: Engine) -> str:
    """The database as a person knows it: an SQLite file's path, or the URL without password."""
    if engine.url.get_backend_name() == "sqlite" and engine.url.database not in (
            None, "", ":memory:"):
        path, readonly = _sqlite_path(engine.url)
        return f"{path} (read-only)" if readonly else path
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
    if "permission denied" in text and engine.url.get_backend_name() == "postgresql":
        # a login of the shared database without the right, not a file's permissions
        return StoreError(f"the login {engine.url.username!r} may not do this in {where} "
                          f"({text.splitlines()[0]}): interviews and drafts need a caseworker "
                          "login (ubu db roles --login NAME --municipality NNNN); an analyst "
                          "login reads results with `ubu report` and `ubu coverage`.")
    if "readonly" in text or "read-only" in text or "permission denied" in text:
        return StoreError(f"the database {where} cannot be written (read-only or no "
                          "permission); check the file's permissions.")
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return StoreError(f"{where} is not a readable ubu database (damaged or another kind "
                          "of file); it was left untouched. Give another --database-url.")
    if "unable to open" in text:
        return StoreError(f"the database {where} cannot be opened; check the path.")
    if "does not exist" in text and "database" in text:
        return StoreError(f"there is no database {engine.url.database!r} on the server of "
                          f"{where}; create it (createdb) or check the name in the URL.")
    if ("role" in text and "does not exist" in text) or "authentication failed" in text \
            or "no password supplied" in text:
        return StoreError(f"the server of {where} refused the user {engine.url.username!r}: "
                          "no such user or a wrong password; check the user and password in "
                          "the URL (or ~/.pgpass).")
    if "connection refused" in text or "failed to resolve host" in text \
            or "could not translate host" in text or "no route to host" in text \
            or "timeout expired" in text:
        return StoreError(f"no database server answers at {where}; check that it runs and that "
                          "host and port are right.")
    if "connection" in text or "could not connect" in text or "server closed" in text:
        return StoreError(f"lost the connection to {where}; check the network and try again. "
                          "Nothing was stored by the failed step.")
    if "cannot be changed" in text:
        return StoreError("submitted records cannot be changed")
    return StoreError(f"the database {where} refused the operation: {text.splitlines()[0]}")


@contextmanager
def session_for(engine: Engine) -> Iterator[Session]:
    """A session whose failures come out as StoreError; commits only if the block succeeds."""
    # here, not at the top: opening the store for the home screen needs no ORM (see glance)
    from sqlmodel import Session

    with _explained(engine), Session(engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def connection_for(engine: Engine) -> Iterator[Connection]:
    """`session_for` in SQLAlchemy Core: one transaction, committed if the block succeeds."""
    with _explained(engine), engine.begin() as conn:
        yield conn


@contextmanager
def _explained(engine: Engine) -> Iterator[None]:
    try:
        yield
    except exc.SQLAlchemyError as err:
        raise explain(err, engine) from None
    except OSError as err:
        raise StoreError(_("Databasen {database} svarade med ett fel: {reason}")
                          .format(database=describe(engine), reason=err.strerror)) from None
