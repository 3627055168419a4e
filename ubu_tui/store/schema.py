"""Bring a database to the schema this release knows, or refuse with a clear message."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import exc, inspect, text
from sqlalchemy.engine import Engine

from ubu_tui.errors import StoreError
from ubu_tui.i18n import _
from ubu_tui.store.engine import describe, explain

HEAD = "0171"            # the newest migration shipped; a test keeps it equal to Alembic's head
KNOWN = ("0001", "0002", "0003", "0004", "0005",
         "0006", "0007", "0008", "0009", "0010",
         "0011", "0012", "0013", "0020", "0021",
         "0070", "0041", "0030", "0060", "0101",
         "0102", "0091", "0092", "0093", "0081",
         "0111", "0103", "0094", "0131", "0121",
         "0141", "0153", "0157", "0161", "0162",
         # every revision this release migrates from
         "0165", "0163", "0164", "0166", "0168", "0167", "0169", "0170", "0171")
KIND_KEY = "store_kind"


def _kind_name(kind: str) -> str:
    return _("övningsdatabas") if kind == "practice" else _("riktig databas")


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            if inspect(conn).get_table_names():
                raise StoreError(_("{database} innehåller tabeller som inte hör till en "
                                   "ubu-databas; ange en annan --database-url.")
                                  .format(database=describe(engine)))
            return None
        row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        return row[0] if row else None


MIGRATIONS = Path(__file__).parent / "migrations"


def migrations_digest() -> str:
    """A SHA-256 of every migration's source: what the shipped fresh schema was made from."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(MIGRATIONS.rglob("*.py")):
        digest.update(path.relative_to(MIGRATIONS).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _create_sqlite(engine: Engine) -> bool:
    """Make a fresh SQLite store from the shipped schema (`store/fresh_sqlite.py`, the dump of
    what the migrations make); True when the store is then at HEAD. False, with nothing done,
    when the dump was not made from these migrations, or another process has meanwhile begun
    the store at another revision: Alembic's to finish. Importing Alembic and running every
    migration since 0001 cost the first command on a new machine 0.4 CPU s more than this."""
    from ubu_tui.store import fresh_sqlite

    if fresh_sqlite.REVISION != HEAD or fresh_sqlite.MIGRATIONS != migrations_digest():
        return False
    with engine.begin() as conn:
        conn.exec_driver_sql("BEGIN IMMEDIATE")   # one unit, as in _upgrade
        if inspect(conn).has_table("alembic_version"):
            # Several first commands at once (eight submitting processes in the tests): the
            # others find the store made under the lock, and need no Alembic either.
            return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() \
                == HEAD
        for sql in fresh_sqlite.STATEMENTS:
            conn.exec_driver_sql(sql)
    return True


def _upgrade(engine: Engine) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        if engine.url.get_backend_name() == "sqlite":
            # The driver runs DDL outside any transaction; a migration that failed halfway
            # would leave half a schema. An explicit BEGIN makes the whole upgrade one unit.
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def ensure_schema(engine: Engine, kind: str = "real") -> str:
    """Create or migrate the schema; say which happened. Refuse a newer or foreign database.

    `kind` keeps practice and real stores apart: a store made for one is refused for the other.
    """
    try:
        rev = current_revision(engine)
        if rev is not None and rev not in KNOWN:
            raise StoreError(_("{database} har schemaversion {revision}, nyare än den här "
                               "versionen av ubu-tui känner till ({head}); installera den nyare "
                               "versionen. Ingenting ändrades.")
                              .format(database=describe(engine), revision=rev, head=HEAD))
        action = "current"
        if rev != HEAD:
            if rev is not None and engine.url.get_backend_name() == "sqlite":
                _backup_sqlite(engine, rev)
            fresh = rev is None and engine.url.get_backend_name() == "sqlite"
            if not (fresh and _create_sqlite(engine)):
                _upgrade(engine)
            action = "created" if rev is None else "migrated"
        with engine.begin() as conn:
            found = conn.execute(text("SELECT value FROM store_meta WHERE key = :k"),
                                 {"k": KIND_KEY}).scalar()
            if found is None:
                conn.execute(text("INSERT INTO store_meta (key, value) VALUES (:k, :v)"),
                             {"k": KIND_KEY, "v": kind})
            elif found != kind:
                raise StoreError(_("{database} är en {found} och kan inte användas som {kind}; "
                                   "övning och riktiga uppgifter hålls isär.")
                                 .format(database=describe(engine), found=_kind_name(found),
                                         kind=_kind_name(kind)))
        return action
    except exc.SQLAlchemyError as err:
        raise explain(err, engine) from None


def store_kind(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT value FROM store_meta WHERE key = :k"),
                                {"k": KIND_KEY}).scalar() or "real")


def _backup_sqlite(engine: Engine, rev: str) -> None:
    path = engine.url.database
    if path and Path(path).exists():
        shutil.copy2(path, f"{path}.before-{HEAD}-from-{rev}.bak")
