"""Eight processes submitting at once, to SQLite and to PostgreSQL: every follow-up stored
once, none lost, no error reaches a user. 20 each by default (still eight writers at once),
500 each with --slow."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import DEMO_UNITS, ROOT, pg_url
from ubu_tui.store import open_store
from ubu_tui.store.registry import import_units

PROCESSES = 8


def per_process(request) -> int:
    slow = request.config.getoption("--slow") or os.environ.get("UBU_SLOW") == "1"
    return 500 if slow else 20


def run_workers(url: str, count: int) -> set[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-m", "tests.submit_many", url, str(count),
                               str(w)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, cwd=ROOT, env=env) for w in range(PROCESSES)]
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
    count = per_process(request)
    ids = run_workers(url, count)
    assert len(ids) == PROCESSES * count
    assert stored(engine) == (PROCESSES * count, PROCESSES * count, 0)
    engine.dispose()


def test_eight_processes_submit_at_once_to_sqlite(tmp_path: Path, request):
    submit_at_once(f"sqlite:///{tmp_path / 'shared.sqlite3'}", request)


PG = pg_url()


@pytest.mark.skipif(PG is None, reason="no PostgreSQL answered at UBU_TEST_PG_URL")
def test_eight_processes_submit_at_once_to_postgres(request):
    assert PG is not None
    name = f"ubu_c_{secrets.token_hex(4)}"
    admin = create_engine(PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    url = PG.rsplit("/", 1)[0] + f"/{name}"
    try:
        submit_at_once(url, request)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
        admin.dispose()
