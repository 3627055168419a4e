"""A fresh SQLite store made from the shipped schema is the store Alembic's migrations make.

A fresh store replays `store/fresh_sqlite.py` (the dump of a store just migrated from nothing)
instead of importing Alembic and running every migration: the first command on a new machine,
and every test process that makes a store, paid 0.4 CPU s for that. A store that differed from
the migrated one would drift from every store made before; these tests compare them whole.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ubu_tui.results.ptable_bands import BANDS
from ubu_tui.store import fresh_sqlite, make_engine, open_store, schema
from ubu_tui.store.schema import HEAD, ensure_schema, migrations_digest

STALE = ("the shipped fresh schema is not the migrations' any more: run "
         "`python -m ubu_tui.scripts.make_fresh_store` and commit ubu_tui/store/fresh_sqlite.py")


def _contents(path: Path) -> tuple[list, dict, tuple]:
    """Everything a store holds: its schema objects, every table's rows, its header pragmas."""
    conn = sqlite3.connect(path)
    try:
        master = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master "
                              "ORDER BY type, name").fetchall()
        rows = {name: sorted(conn.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
                for (name,) in conn.execute("SELECT name FROM sqlite_master "
                                            "WHERE type = 'table'")}
        pragmas = tuple(conn.execute(f"PRAGMA {p}").fetchone()
                        for p in ("user_version", "application_id", "auto_vacuum"))
    finally:
        conn.close()
    return master, rows, pragmas


def _by_alembic(path: Path) -> None:
    engine = make_engine(f"sqlite:///{path}")
    schema._upgrade(engine)
    engine.dispose()


def test_the_shipped_schema_was_made_from_the_migrations_shipped():
    from ubu_tui.scripts.make_fresh_store import migrated_statements

    assert (fresh_sqlite.REVISION, fresh_sqlite.MIGRATIONS) == (HEAD, migrations_digest()), STALE
    assert list(fresh_sqlite.STATEMENTS) == migrated_statements(), STALE


def test_a_fresh_store_is_the_store_the_migrations_make(tmp_path, monkeypatch):
    def no_alembic(_engine):
        raise AssertionError("a fresh SQLite store went through Alembic")

    monkeypatch.setattr(schema, "_upgrade", no_alembic)
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    assert ensure_schema(engine) == "created"
    assert ensure_schema(engine) == "current"
    engine.dispose()
    monkeypatch.undo()
    _by_alembic(tmp_path / "migrated.db")
    fresh, migrated = _contents(tmp_path / "fresh.db"), _contents(tmp_path / "migrated.db")
    assert fresh[1].pop("store_meta") == [("store_kind", "real")]     # ensure_schema's own row
    assert migrated[1].pop("store_meta") == []
    assert fresh == migrated
    assert fresh[1]["alembic_version"] == [(HEAD,)] and fresh[1]["ptable"]


def test_migrations_changed_since_the_schema_was_shipped_are_run_by_alembic(tmp_path,
                                                                            monkeypatch):
    """A stale shipped schema is never used: the store is made the slow, right way."""
    calls: list[int] = []
    upgrade = schema._upgrade

    def counted(engine):
        calls.append(1)
        upgrade(engine)

    monkeypatch.setattr(schema, "_upgrade", counted)
    monkeypatch.setattr(fresh_sqlite, "MIGRATIONS", "a migration edited afterwards")
    open_store(f"sqlite:///{tmp_path / 'stale.db'}").dispose()
    assert calls == [1]
    _by_alembic(tmp_path / "migrated.db")
    stale, migrated = _contents(tmp_path / "stale.db"), _contents(tmp_path / "migrated.db")
    stale[1].pop("store_meta"), migrated[1].pop("store_meta")
    assert stale == migrated


def test_a_store_made_by_another_process_meanwhile_is_left_as_it_is(tmp_path, monkeypatch):
    """Two first commands at once: the second finds the store made under its lock and adds
    nothing, without Alembic, instead of failing on tables that exist; a store another process
    left at an older revision is Alembic's to finish."""
    path = tmp_path / "shared.db"
    open_store(f"sqlite:///{path}").dispose()
    before = _contents(path)
    second = make_engine(f"sqlite:///{path}")
    assert schema._create_sqlite(second) is True
    assert _contents(path) == before
    with second.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0131'")
    assert schema._create_sqlite(second) is False
    second.dispose()


def test_an_in_memory_store_is_made_from_the_shipped_schema_too():
    engine = open_store("sqlite://")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == HEAD
        assert conn.exec_driver_sql("SELECT count(*) FROM ptable").scalar() == len(BANDS)
