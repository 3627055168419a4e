"""How long `ubu push` and `ubu import` take to bring follow-ups into PostgreSQL.

    python -m ubu_tui.scripts.bench_push --postgres postgresql+psycopg://postgres@127.0.0.1/x \
        [--followups 10000] [--as-login NAME]

Writes synthetic follow-ups to a temporary SQLite store, then times (1) a push of all of them
into a fresh PostgreSQL database and (2) an import of their JSON Lines export into another
fresh one. The databases are made next to the one the URL names and dropped afterwards.
"""

from __future__ import annotations

import argparse
import secrets
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

UNITS = 40


@contextmanager
def fresh_database(url: str) -> Iterator[Engine]:
    from ubu_tui.scripts.synth import ensure_units
    from ubu_tui.store import open_store

    name = f"ubu_bench_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    engine = open_store(url.rsplit("/", 1)[0] + f"/{name}")
    ensure_units(engine, UNITS)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
        admin.dispose()


def main(argv: list[str] | None = None) -> None:
    from ubu_tui.instrument import default_instrument
    from ubu_tui.scripts.synth import ensure_units, generate, insert
    from ubu_tui.store import open_store
    from ubu_tui.store.shared import push
    from ubu_tui.store.transfer import export_jsonl, import_jsonl

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--postgres", required=True, help="URL of an existing database on the "
                   "server; the benchmark's own databases are made beside it")
    p.add_argument("--followups", type=int, default=10_000)
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        local = open_store(f"sqlite:///{Path(tmp) / 'office.sqlite3'}")
        ensure_units(local, UNITS)
        insert(local, list(generate(default_instrument(), args.followups,
                                    list(range(1001, 1001 + UNITS)), ["2026-09", "2026-10"])))
        export = Path(tmp) / "records.jsonl"
        export_jsonl(local, export)
        with fresh_database(args.postgres) as target:
            started = time.perf_counter()
            report = push(local, target)
            pushed = time.perf_counter() - started
        with fresh_database(args.postgres) as target:
            started = time.perf_counter()
            imported = import_jsonl(target, export)
            taken = time.perf_counter() - started
    print(f"push   {report.sent:>6} follow-ups to PostgreSQL: {pushed:6.1f} s "
          f"({report.batches} batches)")
    print(f"import {imported.added:>6} follow-ups to PostgreSQL: {taken:6.1f} s")


if __name__ == "__main__":
    main()
