"""The standard report at national scale, on SQLite and PostgreSQL, beside pandas.

    python -m ubu_tui.scripts.bench_results --followups 100000 --units 1500 [--postgres URL]

Generates synthetic follow-ups (once per database file; reused when present), then times the
full standard report, and the same figures computed by pandas reading the same database.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sqlalchemy.engine import Engine

from ubu_tui.instrument import default_instrument
from ubu_tui.results.query import Selection
from ubu_tui.results.report import standard_report

PERIODS = [f"2026-{m:02d}" for m in range(1, 13)]


def fill(engine: Engine, followups: int, units: int) -> None:
    from ubu_tui.scripts.synth import ensure_units, generate, insert
    from ubu_tui.store.submissions import count_submissions

    have = count_submissions(engine)
    if have >= followups:
        return
    ensure_units(engine, units)
    instrument = default_instrument()
    unit_ids = list(range(1001, 1001 + units))
    batch = 10_000
    for start in range(have, followups, batch):
        size = min(batch, followups - start)
        insert(engine, list(generate(instrument, size, unit_ids, PERIODS, seed=start)))


def pandas_report(engine: Engine) -> None:
    """The same aggregates the pandas way: read the rows, then group in memory."""
    import pandas as pd

    instrument = default_instrument()
    with engine.connect() as conn:
        subs = pd.read_sql("SELECT id, unit_id, period FROM submission", conn)
        answers = pd.read_sql("SELECT submission_id, item_id, outcome, code FROM answer_record",
                              conn)
        sessions = pd.read_sql("SELECT submission_id, respondent, disposition "
                               "FROM session_record", conn)
    subs = subs[(subs.period >= PERIODS[0]) & (subs.period <= PERIODS[-1])]
    answers = answers.merge(subs, left_on="submission_id", right_on="id")
    kept = answers[answers.outcome.isin(["value", "nonresponse"])]
    kept.groupby(["item_id", "code"]).size()
    members = pd.DataFrame([(ix.id, i) for ix in instrument.indices for i in ix.items],
                           columns=["index_id", "item_id"])
    scored = answers[answers.outcome == "value"].merge(members, on="item_id")
    per = scored.groupby(["submission_id", "unit_id", "index_id"]).code.mean().reset_index()
    per.groupby(["index_id", "unit_id"]).code.agg(["count", "mean"])
    per.groupby("index_id").code.agg(["count", "mean"])
    sessions.groupby(["respondent", "disposition"]).size()


def timed(label: str, fn, rounds: int = 3) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    print(f"  {label:<40} {best:8.2f} s (best of {rounds})", flush=True)
    return best


def main(argv: list[str] | None = None) -> None:
    from ubu_tui.store import open_store

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--followups", type=int, default=100_000)
    p.add_argument("--units", type=int, default=1500)
    p.add_argument("--sqlite", help="SQLite file for the data set (default: "
                   "/tmp/ubu-bench-results-<followups>.sqlite3, kept for the next run)")
    p.add_argument("--postgres", help="e.g. postgresql+psycopg://postgres@127.0.0.1/test "
                   "(its ubu tables are filled; use a scratch database)")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--no-pandas", action="store_true")
    args = p.parse_args(argv)
    sqlite = args.sqlite or f"/tmp/ubu-bench-results-{args.followups}.sqlite3"
    targets = [("SQLite", f"sqlite:///{Path(sqlite).resolve()}")]
    if args.postgres:
        targets.append(("PostgreSQL", args.postgres))
    instrument = default_instrument()
    selection = Selection(PERIODS[0], PERIODS[-1])
    for name, url in targets:
        engine = open_store(url)
        t = time.perf_counter()
        fill(engine, args.followups, args.units)
        print(f"{name}: {args.followups} follow-ups over {args.units} units "
              f"(ready in {time.perf_counter() - t:.0f} s)", flush=True)
        if engine.url.get_backend_name() == "sqlite":
            with engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
        timed("standard report (SQL in the database)",
              lambda e=engine: standard_report(e, instrument, selection), args.rounds)
        if not args.no_pandas:
            timed("same aggregates with pandas", lambda e=engine: pandas_report(e), args.rounds)


if __name__ == "__main__":
    main()
