"""How long `ubu push` and `ubu import` take to bring follow-ups into PostgreSQL.

    python -m ubu_tui.scripts.bench_push --postgres postgresql+psycopg://postgres@127.0.0.1/x \
        [--followups 10000] [--as-login NAME]

Writes synthetic follow-ups to a temporary SQLite store, then times (1) a push of all of them
into a fresh PostgreSQL database and (2) an import of their JSON Lines export into another
fresh one. The databases are made next to the one the URL names and dropped afterwards.

Besides the wall-clock time it prints the CPU seconds spent by this process and by the
PostgreSQL server processes that served it (read from /proc, so on the same machine only): on
a shared machine the wall clock mostly measures the other users, the CPU seconds do not.
"""

from __future__ import annotations

import argparse
import os
import secrets
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine

UNITS = 40
BACKENDS: dict[int, set[int]] = {}   # engine → the server processes that served it


@contextmanager
def fresh_database(url: str) -> Iterator[Engine]:
    from ubu_tui.scripts.synth import ensure_units
    from ubu_tui.store import open_store

    # named after the database the URL gives, so that a shared server's users each keep to
    # their own prefix (ubu_<name>_*)
    name = f"{url.rsplit('/', 1)[1].split('?')[0] or 'ubu'}_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    engine = open_store(url.rsplit("/", 1)[0] + f"/{name}")
    ensure_units(engine, UNITS)
    engine.dispose()
    backends: set[int] = set()

    @event.listens_for(engine, "connect")
    def _pid(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        with dbapi_conn.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            backends.add(cur.fetchone()[0])

    BACKENDS[id(engine)] = backends
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
        admin.dispose()


def server_cpu(engine: Engine) -> float:
    """CPU seconds used so far by the server processes that served `engine` (0 if unknown)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in BACKENDS.get(id(engine), ()):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def timed(engine: Engine, work):  # type: ignore[no-untyped-def]
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return (result, time.perf_counter() - wall, time.process_time() - cpu,
            server_cpu(engine))


def unreachable(url: str) -> str | None:
    """Why the database `url` names cannot be used (None if it can): said before anything
    is written, not as a traceback from the middle of the run."""
    from sqlalchemy.exc import ArgumentError, OperationalError

    try:
        engine = create_engine(url)
    except (ArgumentError, ImportError, ValueError) as err:
        return f"--postgres {url!r} is not a database URL ({err})"
    if engine.url.get_backend_name() != "postgresql":
        return f"--postgres {url!r} names no PostgreSQL database"
    try:
        with engine.connect():
            return None
    except OperationalError as err:
        name = engine.url.database
        reason = str(err.orig).strip().splitlines()[-1] if err.orig else str(err)
        hint = (f"; create it first, e.g. psql -h {engine.url.host or 'localhost'} -U "
                f"{engine.url.username or 'postgres'} -d postgres -c 'CREATE DATABASE {name}'"
                if "does not exist" in reason else "")
        return f"cannot connect to {engine.url.render_as_string()}: {reason}{hint}"
    finally:
        engine.dispose()


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
    problem = unreachable(args.postgres)
    if problem:
        p.exit(2, f"{p.prog}: {problem}\n")
    load = f"{os.getloadavg()[0]:.1f}"
    with tempfile.TemporaryDirectory() as tmp:
        local = open_store(f"sqlite:///{Path(tmp) / 'office.sqlite3'}")
        ensure_units(local, UNITS)
        insert(local, list(generate(default_instrument(), args.followups,
                                    list(range(1001, 1001 + UNITS)), ["2026-09", "2026-10"])))
        export = Path(tmp) / "records.jsonl"
        export_jsonl(local, export)
        with fresh_database(args.postgres) as target:
            report, *push_times = timed(target, lambda: push(local, target))
        with fresh_database(args.postgres) as target:
            imported, *import_times = timed(target, lambda: import_jsonl(target, export))
    print(f"load average before: {load}; after: {os.getloadavg()[0]:.1f}")
    for what, n, (wall, mine, server) in (("push", report.sent, push_times),
                                          ("import", imported.added, import_times)):
        print(f"{what:<6} {n:>6} follow-ups to PostgreSQL: {wall:6.1f} s wall clock; CPU "
              f"{mine:5.1f} s here + {server:5.1f} s in the server = {mine + server:5.1f} s")


if __name__ == "__main__":
    main()
