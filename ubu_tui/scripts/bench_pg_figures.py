"""Results views through the PostgreSQL figure functions, beside the same views on SQLite.

    python -m ubu_tui.scripts.bench_pg_figures --postgres URL --sqlite FILE [--rounds 3]

An analyst or caseworker login reads results on PostgreSQL only through the SECURITY DEFINER
figure functions (results/pg_functions.py); bench_results times the owner, who reads the
tables. This times every results view of the results screen (bench_results.views) and the
standard report as a login of the analyst role, on stores bench_results has filled (the same
follow-ups in both: run it first with --postgres and --sqlite).

The functions' work is done by the server, so the figure that counts is the CPU of the
login's server process (/proc/<pid>/stat, the server on this machine), beside this process's
CPU (building the tables) and the wall clock, which on a shared machine measures the queue
for a core as much as the work. SQLite runs in this process: its CPU is this process's.

The login and its roles (prefix `ubu_bpf<pid>`, cluster-wide) are made by the owner's URL and
dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import Engine

from ubu_tui.results.query import Selection
from ubu_tui.scripts.bench_results import PERIODS, ubu_workloads, views

TICK = os.sysconf("SC_CLK_TCK")


def backend_cpu(pid: int) -> float:
    """User + system CPU seconds of a server process so far (stat fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def measure(fn: Callable[[], object], rounds: int, pid: int | None
            ) -> tuple[float, float, float]:
    """Best of the rounds: (wall s, this process's CPU s, server CPU s), after a warm-up."""
    fn()
    walls, cpus, servers = [], [], []
    for _ in range(rounds):
        s0 = backend_cpu(pid) if pid else 0.0
        t, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
        servers.append(backend_cpu(pid) - s0 if pid else 0.0)
    return min(walls), min(cpus), min(servers)


def main(argv: list[str] | None = None) -> None:
    from ubu_tui.store.shared import create_roles

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--postgres", required=True, help="the owner's URL of a store filled by "
                   "bench_results")
    p.add_argument("--sqlite", required=True, help="the SQLite file bench_results filled")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--only", help="only the views whose label contains this")
    args = p.parse_args(argv)
    from ubu_tui.scripts.bench_push import unreachable

    problem = unreachable(args.postgres)
    if problem:
        p.exit(2, f"{p.prog}: {problem}\n")
    if not Path(args.sqlite).is_file():
        p.exit(2, f"{p.prog}: no SQLite store at {args.sqlite}; fill one first with "
                  "bench_results --sqlite FILE --postgres URL\n")
    selection = Selection(PERIODS[0], PERIODS[-1])
    prefix = f"ubu_bpf{os.getpid()}"
    login = f"{prefix}_an"
    owner = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
    create_roles(owner, prefix)
    with owner.connect() as conn:
        conn.execute(text(f"CREATE ROLE {login} LOGIN IN ROLE {prefix}_analyst"))
    analyst: Engine | None = None
    try:
        # one connection, so that every call is served by the one server process measured
        analyst = create_engine(make_url(args.postgres).set(username=login),
                                pool_size=1, max_overflow=0)
        with analyst.connect() as conn:
            pid = int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
            assert not conn.execute(text(
                "SELECT has_table_privilege('public.submission', 'SELECT')")).scalar()
        sqlite = create_engine(f"sqlite:///{Path(args.sqlite).resolve()}")
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} before; "
              f"best of {args.rounds} after a warm-up; PostgreSQL as {login} (an analyst "
              "login: every figure through the figure functions)")
        print("| view | PG server CPU s | PG client CPU s | PG wall s | SQLite CPU s | "
              "SQLite wall s | PG server+client CPU / SQLite CPU |")
        print("|---|---|---|---|---|---|---|")
        pg_views = dict(views(analyst, selection))
        lite_views = dict(views(sqlite, selection))
        pg_views["standard report"] = ubu_workloads(analyst, selection)["standard report"]
        lite_views["standard report"] = ubu_workloads(sqlite, selection)["standard report"]
        ratios, servers = [], []
        for label, fn in pg_views.items():
            if args.only and args.only not in label:
                continue
            if "by method" in label:    # the functions have no method breakdown (a follow-up
                continue                # is in one group per method): not offered there
            wall, cpu, server = measure(fn, args.rounds, pid)
            lwall, lcpu, _ = measure(lite_views[label], args.rounds, None)
            ratio = (server + cpu) / lcpu if lcpu else float("inf")
            if label != "standard report":
                ratios.append(ratio)
                servers.append(server)
            print(f"| {label} | {server:.3f} | {cpu:.3f} | {wall:.3f} | {lcpu:.3f} | "
                  f"{lwall:.3f} | {ratio:.2f} |", flush=True)
        if servers:
            print(f"\n{len(servers)} views: server CPU median {statistics.median(servers):.3f} "
                  f"s, total {sum(servers):.2f} s, slowest {max(servers):.3f} s; "
                  f"(server+client)/SQLite CPU median {statistics.median(ratios):.2f}, "
                  f"worst {max(ratios):.2f}, over 2: {sum(r > 2 for r in ratios)}")
        print(f"load average after: {os.getloadavg()[0]:.1f}")
    finally:
        if analyst is not None:
            analyst.dispose()
        with owner.connect() as conn:
            conn.execute(text(f"DROP ROLE IF EXISTS {login}"))
            for role in ("caseworker", "analyst", "admin"):
                conn.execute(text(f"DROP OWNED BY {prefix}_{role}"))
                conn.execute(text(f"DROP ROLE IF EXISTS {prefix}_{role}"))
        owner.dispose()


if __name__ == "__main__":
    main()
