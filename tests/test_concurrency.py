"""Processes submitting at once, to SQLite and to PostgreSQL: every follow-up stored once,
none lost, no error reaches a user. Every writer opens the store and then waits for one "go",
so all of them write at the same time. Four writers of 20 each by default; eight of 500 each
with --slow (CI): a writer's process start costs more than its 20 follow-ups, and the
default run must stay short."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import DEMO_UNITS, ROOT, pg_url
from tests.helpers import fresh_pg_database
from ubu_tui.store import open_store
from ubu_tui.store.registry import import_units


def sizes(request) -> tuple[int, int]:
    """(writers, follow-ups per writer)."""
    slow = request.config.getoption("--slow") or os.environ.get("UBU_SLOW") == "1"
    return (8, 500) if slow else (4, 20)


def run_workers(url: str, writers: int, count: int) -> set[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-m", "tests.submit_many", url, str(count),
                               str(w)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
             for w in range(writers)]
    for p in procs:                     # every writer has opened the store ...
        assert p.stdout is not None and p.stdin is not None
        if p.stdout.readline().strip() != "ready":
            out, err = p.communicate(timeout=60)
            raise AssertionError(out[-500:] + err[-2000:])
    for p in procs:                     # ... before any of them writes
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    ids: set[str] = set()
    retried = 0
    for p in procs:
        out, err = p.communicate(timeout=1800)
        assert p.returncode == 0, out[-500:] + err[-2000:]
        assert "Traceback" not in err
        lines = out.split()
        ids |= {lines[i + 1] for i, word in enumerate(lines) if word == "submitted"}
        retried += lines.count("retried")
    print(f"{retried} steps found the database locked and were tried again")   # shown with -s
    return ids


def stored(engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        subs, distinct = conn.execute(text("SELECT count(*), count(DISTINCT id) "
                                           "FROM submission")).one()
        drafts = conn.execute(text("SELECT count(*) FROM draft")).scalar()
    return subs, distinct, drafts


def submit_at_once(url: str, request) -> None:
    engine = open_store(url)
    import_units(engine, DEMO_UNITS)
    writers, count = sizes(request)
    ids = run_workers(url, writers, count)
    assert len(ids) == writers * count
    assert stored(engine) == (writers * count, writers * count, 0)
    engine.dispose()


def test_writers_submit_at_once_to_sqlite(tmp_path: Path, request):
    submit_at_once(f"sqlite:///{tmp_path / 'shared.sqlite3'}", request)


PG = pg_url()


@pytest.mark.skipif(PG is None, reason="no PostgreSQL answered at UBU_TEST_PG_URL")
def test_writers_submit_at_once_to_postgres(request):
    assert PG is not None
    admin = create_engine(PG, isolation_level="AUTOCOMMIT")
    name = fresh_pg_database(admin)
    url = PG.rsplit("/", 1)[0] + f"/{name}"
    try:
        submit_at_once(url, request)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
        admin.dispose()
