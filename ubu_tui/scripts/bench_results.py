"""Results at national scale: ubu beside a fair pandas route and DuckDB, same figures checked.

    python -m ubu_tui.scripts.bench_results --followups 100000 --units 1500 \
        [--postgres URL] [--load 2] [--rounds 3] [--no-yardsticks]
    python -m ubu_tui.scripts.bench_results --sqlite /tmp/ubu-1m.sqlite3 --followups 1000000 \
        --months 600 --select-months 12 --no-yardsticks     # a store made by synth.py --fresh

Generates synthetic follow-ups once per database file (reused when present; see synth.py),
then times, on SQLite (and PostgreSQL when given):

- the standard report, as `ubu report` builds it;
- every results view the results screen can ask for: each breakdown (and none), with and
  without the unit-type filter, for an item and for the indices; the slowest and the median;
- one item by sex within a unit type, every index by sex, and every item by sex (a stress
  case: ninety views at once).

The yardsticks compute the same exact figures (before perturbation) from the same record
tables, without the counts ubu keeps: pandas from DataFrames with integer keys, holding only
the columns needed, and DuckDB (optional: `pip install duckdb`) from the same DataFrames. Both
get the rows loaded into memory first (the load time is printed apart). Every figure set is
checked against ubu's exact cells; a mismatch stops the run.

`--load N` runs N busy processes (`yes > /dev/null`) beside the measurement, to show the
figures on a machine doing other work; state the machine's state beside any figure quoted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from sqlalchemy.engine import Engine

from ubu_tui.errors import InputRejected
from ubu_tui.instrument import default_instrument
from ubu_tui.results import aggregate, query
from ubu_tui.results.aggregate import Context
from ubu_tui.results.periods import last_whole_year
from ubu_tui.results.query import Selection
from ubu_tui.results.report import standard_report

# the latest year a login may read whole (results/periods.py), so that bench_pg_figures can
# time the same year through the figure functions
YEAR = last_whole_year()
PERIODS = [f"{YEAR}-{m:02d}" for m in range(1, 13)]
VIEW_ITEM = "y_safe"
VIEW_AIM = 0.3           # seconds per results view at 100 000 follow-ups (issue #18)
Figures = dict[tuple[Any, ...], float]


def fill(engine: Engine, followups: int, units: int, periods: list[str] = PERIODS) -> bool:
    """Synthetic follow-ups up to `followups`; whether any were added."""
    from sqlalchemy import text

    from ubu_tui.scripts.synth import BATCH, ensure_units, generate, insert

    with engine.connect() as conn:     # the owner's count of a scratch store
        have = int(conn.execute(text("SELECT count(*) FROM submission")).scalar() or 0)
    if have >= followups:
        return False
    ensure_units(engine, units)
    instrument = default_instrument()
    unit_ids = list(range(1001, 1001 + units))
    for start in range(have, followups, BATCH):
        size = min(BATCH, followups - start)
        insert(engine, list(generate(instrument, size, unit_ids, periods, seed=start)))
    return True


def best(fn: Callable[[], object], rounds: int) -> tuple[float, float]:
    """The best wall-clock seconds and the best CPU seconds of this process over the rounds.

    On a shared machine the wall clock measures the queue for a core as much as the work;
    the CPU seconds (SQLite, pandas and DuckDB all run in this process) are the work itself.
    """
    wall, cpu = [], []
    for _ in range(rounds):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return min(wall), min(cpu)


# --- ubu: the views and their exact cells ----------------------------------------------------

def views(engine: Engine, selection: Selection) -> list[tuple[str, Callable[[], object]]]:
    """Every results view of the results screen (one measure, a breakdown, the filter)."""
    instrument = default_instrument()
    out: list[tuple[str, Callable[[], object]]] = []
    for unit_type in (0, 1):
        filters = (("unit_type", (unit_type,)),) if unit_type else ()
        sel = Selection(selection.period_from, selection.period_to, filters)
        for by in (None, *query.DIMENSIONS):
            def item(by: str | None = by, sel: Selection = sel) -> object:
                ctx = Context.open(engine, instrument, sel)
                return aggregate.item_tables(ctx, by, [VIEW_ITEM])

            def index(by: str | None = by, sel: Selection = sel) -> object:
                return aggregate.index_tables(Context.open(engine, instrument, sel), by)

            where = f"{by or 'no breakdown'}{', unit type 1' if unit_type else ''}"
            out += [(f"item {VIEW_ITEM} by {where}", item), (f"indices by {where}", index)]
    return out


def ubu_exact(engine: Engine, selection: Selection) -> dict[str, Figures]:
    """ubu's exact cells (before perturbation) for the figure sets the yardsticks compute."""
    instrument = default_instrument()
    within = Selection(selection.period_from, selection.period_to, (("unit_type", (1,)),))
    out: dict[str, Figures] = {}
    out["report: items"] = {(i, c): n for (i, _g), cells in
                            query.item_counts(engine, selection).items()
                            for c, (n, _k) in cells.items()}
    out["report: indices by unit"] = _index_figures(query.index_scores(
        engine, instrument, selection, "unit"))
    out["report: dispositions"] = {(r, d): n for (r, _g), cells in
                                   query.dispositions(engine, selection).items()
                                   for d, (n, _k) in cells.items()}
    out["report: breakdown by unit type"] = {
        (g, c): n for (_i, g), cells in
        query.item_counts(engine, selection, "unit_type", ["cw_end"]).items()
        for c, (n, _k) in cells.items()}
    out["one item by sex, unit type 1"] = {
        (g, c): n for (_i, g), cells in
        query.item_counts(engine, within, "sex", [VIEW_ITEM]).items()
        for c, (n, _k) in cells.items()}
    out["indices by sex"] = _index_figures(query.index_scores(engine, instrument, selection,
                                                              "sex"))
    out["every item by sex"] = {(i, g, c): n for (i, g), cells in
                                query.item_counts(engine, selection, "sex").items()
                                for c, (n, _k) in cells.items()}
    return out


def _index_figures(cells: dict[tuple[str, object], query.IndexCell]) -> Figures:
    out: Figures = {}
    for (ix, grp), (n, total, *_rest) in cells.items():
        out[(ix, grp, "n")] = n
        out[(ix, grp, "sum")] = round(total, 6)
    return out


def ubu_workloads(engine: Engine, selection: Selection) -> dict[str, Callable[[], object]]:
    instrument = default_instrument()
    within = Selection(selection.period_from, selection.period_to, (("unit_type", (1,)),))
    return {
        "standard report": lambda: standard_report(engine, instrument, selection),
        "one item by sex, unit type 1": lambda: aggregate.item_tables(
            Context.open(engine, instrument, within), "sex", [VIEW_ITEM]),
        "indices by sex": lambda: aggregate.index_tables(
            Context.open(engine, instrument, selection), "sex"),
        "every item by sex": lambda: aggregate.item_tables(
            Context.open(engine, instrument, selection), "sex"),
    }


# --- the yardsticks ------------------------------------------------------------------------

class Frames:
    """The record tables in memory, integer keys, only the columns the figures need."""

    def __init__(self, engine: Engine) -> None:
        import numpy as np
        import pandas as pd

        instrument = default_instrument()
        self.items = sorted({i for f in instrument.forms.values() for i in
                             (x.id for x in f.items)})
        self.indices = [ix.id for ix in instrument.indices]
        item_no = " ".join(f"WHEN '{i}' THEN {n}" for n, i in enumerate(self.items))
        index_no = " ".join(f"WHEN '{i}' THEN {n}" for n, i in enumerate(self.indices))
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()

            def frame(sql: str, columns: list[str]) -> pd.DataFrame:
                cur.execute(sql)
                parts = []
                while chunk := cur.fetchmany(500_000):
                    parts.append(np.array(chunk, dtype=np.int64))
                data = np.concatenate(parts) if parts else np.empty((0, len(columns)), np.int64)
                return pd.DataFrame(data, columns=columns)

            # submission numbers: the order of the ids, so that no text key is carried
            cur.execute("CREATE TEMPORARY TABLE bench_sn AS SELECT id, "
                        "ROW_NUMBER() OVER (ORDER BY id) AS sn FROM submission")
            cur.execute("CREATE UNIQUE INDEX bench_sn_id ON bench_sn (id)")
            self.subs = frame(
                "SELECT b.sn, s.unit_id, CAST(substr(s.period, 1, 4) AS INTEGER) * 100 + "
                "CAST(substr(s.period, 6, 2) AS INTEGER), "
                # the registry's unit type, as ubu's breakdown and filter (issue #16)
                "COALESCE((SELECT u.unit_type FROM unit u WHERE u.id = s.unit_id), -1), "
                "s.bg_sex "
                "FROM submission s JOIN bench_sn b ON b.id = s.id",
                ["sn", "unit_id", "period", "unit_type", "sex"])
            self.answers = frame(
                f"SELECT b.sn, CASE a.item_id {item_no} END, "
                "CASE WHEN a.outcome IN ('value', 'nonresponse') THEN 1 ELSE 0 END, a.code "
                "FROM answer_record a JOIN bench_sn b ON b.id = a.submission_id",
                ["sn", "item", "counted", "code"])
            # the instrument's indices only: each respondent's part of an index is kept as a
            # score of its own as well (schema 0092)
            wanted = ", ".join(f"'{i}'" for i in self.indices)
            self.scores = frame(
                f"SELECT b.sn, CASE x.index_id {index_no} END, x.n, x.total "
                "FROM index_score x JOIN bench_sn b ON b.id = x.submission_id "
                f"WHERE x.index_id IN ({wanted})",
                ["sn", "ix", "n", "total"])
            self.sessions = frame(
                "SELECT b.sn, CASE r.respondent WHEN 'youth' THEN 0 WHEN 'guardian' THEN 1 "
                "ELSE 2 END, CASE r.disposition WHEN 'completed' THEN 0 WHEN 'declined' "
                "THEN 1 WHEN 'not_reachable' THEN 2 WHEN 'broke_off' THEN 3 ELSE 4 END "
                "FROM session_record r JOIN bench_sn b ON b.id = r.submission_id",
                ["sn", "respondent", "disposition"])
            cur.execute("DROP TABLE bench_sn")
        finally:
            raw.close()
        self.respondents = ["youth", "guardian", "caseworker"]
        self.dispositions = ["completed", "declined", "not_reachable", "broke_off", "other"]

    def period_range(self, selection: Selection) -> tuple[int, int]:
        def no(p: str) -> int:
            return int(p[:4]) * 100 + int(p[5:7])

        return no(selection.period_from), no(selection.period_to)


def pandas_workloads(f: Frames, selection: Selection) -> dict[str, Callable[[], Figures]]:
    lo, hi = f.period_range(selection)

    def subs() -> Any:
        s = f.subs
        return s[(s.period >= lo) & (s.period <= hi)]

    def answers(items: list[int] | None = None, within: Any = None) -> Any:
        a = f.answers[f.answers.counted == 1]
        if items is not None:
            a = a[a["item"].isin(items)]
        return a.merge(within if within is not None else subs(), on="sn")

    def item_dist() -> Figures:
        got = answers().groupby(["item", "code"]).size()
        return {(f.items[i], c): n for (i, c), n in got.items()}

    def scores(by: str) -> Figures:
        x = f.scores[f.scores.n > 0].merge(subs(), on="sn")
        x = x.assign(score=x.total / x.n)
        got = x.groupby(["ix", by]).score.agg(["size", "sum"])
        out: Figures = {}
        for (ix, grp), n, total in zip(got.index, got["size"], got["sum"], strict=True):
            out[(f.indices[ix], grp, "n")] = n
            out[(f.indices[ix], grp, "sum")] = round(total, 6)
        return out

    def dispositions() -> Figures:
        got = f.sessions.merge(subs(), on="sn").groupby(["respondent", "disposition"]).size()
        return {(f.respondents[r], f.dispositions[d]): n for (r, d), n in got.items()}

    def by_group(item: int, by: str, within: Any = None) -> Figures:
        got = answers([item], within).groupby([by, "code"]).size()
        return {(g, c): n for (g, c), n in got.items()}

    def report() -> dict[str, Figures]:
        return {"report: items": item_dist(), "report: indices by unit": scores("unit_id"),
                "report: dispositions": dispositions(),
                "report: breakdown by unit type": by_group(f.items.index("cw_end"),
                                                           "unit_type")}

    def every_item_by_sex() -> Figures:
        got = answers().groupby(["item", "sex", "code"]).size()
        return {(f.items[i], g, c): n for (i, g, c), n in got.items()}

    return {
        "standard report": report,  # type: ignore[dict-item]
        "one item by sex, unit type 1": lambda: by_group(
            f.items.index(VIEW_ITEM), "sex", subs()[subs().unit_type == 1]),
        "indices by sex": lambda: scores("sex"),
        "every item by sex": every_item_by_sex,
    }


def duckdb_workloads(f: Frames, selection: Selection) -> dict[str, Callable[[], Figures]]:
    import duckdb

    db = duckdb.connect()
    for name in ("subs", "answers", "scores", "sessions"):
        db.register(name, getattr(f, name))
    lo, hi = f.period_range(selection)
    within = f"s.period BETWEEN {lo} AND {hi}"

    def rows(sql: str) -> list[tuple[Any, ...]]:
        return db.execute(sql).fetchall()

    def item_dist() -> Figures:
        return {(f.items[i], c): n for i, c, n in rows(
            "SELECT a.item, a.code, count(*) FROM answers a JOIN subs s USING (sn) "
            f"WHERE a.counted = 1 AND {within} GROUP BY ALL")}

    def scores(by: str) -> Figures:
        out: Figures = {}
        for ix, grp, n, total in rows(
                f"SELECT x.ix, s.{by}, count(*), sum(x.total / x.n) FROM scores x "
                f"JOIN subs s USING (sn) WHERE x.n > 0 AND {within} GROUP BY ALL"):
            out[(f.indices[ix], grp, "n")] = n
            out[(f.indices[ix], grp, "sum")] = round(total, 6)
        return out

    def by_group(item: int, by: str, extra: str = "") -> Figures:
        return {(g, c): n for g, c, n in rows(
            f"SELECT s.{by}, a.code, count(*) FROM answers a JOIN subs s USING (sn) "
            f"WHERE a.counted = 1 AND a.item = {item} AND {within}{extra} GROUP BY ALL")}

    def report() -> dict[str, Figures]:
        return {
            "report: items": item_dist(), "report: indices by unit": scores("unit_id"),
            "report: dispositions": {(f.respondents[r], f.dispositions[d]): n for r, d, n in rows(
                "SELECT r.respondent, r.disposition, count(*) FROM sessions r "
                f"JOIN subs s USING (sn) WHERE {within} GROUP BY ALL")},
            "report: breakdown by unit type": by_group(f.items.index("cw_end"), "unit_type")}

    return {
        "standard report": report,  # type: ignore[dict-item]
        "one item by sex, unit type 1": lambda: by_group(f.items.index(VIEW_ITEM), "sex",
                                                         " AND s.unit_type = 1"),
        "indices by sex": lambda: scores("sex"),
        "every item by sex": lambda: {(f.items[i], g, c): n for i, g, c, n in rows(
            "SELECT a.item, s.sex, a.code, count(*) FROM answers a JOIN subs s USING (sn) "
            f"WHERE a.counted = 1 AND {within} GROUP BY ALL")},
    }


def check(name: str, exact: dict[str, Figures], got: object) -> None:
    """The yardstick's figures equal ubu's exact cells, or the run stops."""
    sets = cast(dict[str, Figures], got if name == "standard report" else {name: got})
    for key, figures in sets.items():
        want = {k: v for k, v in exact[key].items() if v}
        have = {k: v for k, v in figures.items() if v}
        if {k: round(float(v), 4) for k, v in want.items()} != \
                {k: round(float(v), 4) for k, v in have.items()}:
            diff = sorted(set(want.items()) ^ set(have.items()), key=str)[:5]
            raise SystemExit(f"{key}: the yardstick's figures differ from ubu's: {diff}")


# --- the run -------------------------------------------------------------------------------

def busy(n: int) -> list[subprocess.Popen[bytes]]:
    return [subprocess.Popen(["yes"], stdout=subprocess.DEVNULL) for _ in range(n)]


def main(argv: list[str] | None = None) -> None:
    from ubu_tui.store import open_store

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--followups", type=int, default=100_000)
    p.add_argument("--units", type=int, default=1500)
    p.add_argument("--sqlite", help="SQLite file for the data set (default: "
                   "/tmp/ubu-bench-results-<followups>.sqlite3, kept for the next run)")
    p.add_argument("--postgres", help="e.g. postgresql+psycopg://postgres@127.0.0.1/test "
                   "(its ubu tables are filled; use a scratch database)")
    p.add_argument("--months", type=int, default=12, help="the follow-ups spread over this "
                   f"many months up to {YEAR}-12 (600: fifty years; a store already holding "
                   "--followups is used as it is, whatever its months)")
    p.add_argument("--select-months", type=int, metavar="N", help="the views select the last "
                   "N months: 1, 3, 6 or 12, a month, quarter, half-year or year (default 12)")
    p.add_argument("--aim", type=float, default=VIEW_AIM, help=f"seconds a results view may "
                   f"take (default {VIEW_AIM}, the aim at 100 000; issue #18 asks under 1 s "
                   "at a million)")
    p.add_argument("--each", action="store_true", help="print every results view's time")
    p.add_argument("--skip-workloads", action="store_true", help="only the results views "
                   "(not the report and stress workloads)")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--load", type=int, default=0, metavar="N",
                   help="run N busy processes beside the measurement")
    p.add_argument("--no-yardsticks", action="store_true")
    args = p.parse_args(argv)
    sqlite = args.sqlite or f"/tmp/ubu-bench-results-{args.followups}.sqlite3"
    targets = [("SQLite", f"sqlite:///{Path(sqlite).resolve()}")]
    if args.postgres:
        targets.append(("PostgreSQL", args.postgres))
    from ubu_tui.scripts.synth import months_until

    periods = months_until(f"{YEAR}-12", args.months)
    # a view reads a month, quarter, half-year or year (results/periods.py): the last year of
    # the data by default, whatever --months the store holds
    chosen = periods[-(args.select_months or min(12, len(periods))):]
    try:
        selection = Selection(chosen[0], chosen[-1])
    except InputRejected as err:
        p.exit(2, f"{p.prog}: --select-months {args.select_months}: {err}\n")
    engines = {}
    for name, url in targets:
        engine = open_store(url)
        t = time.perf_counter()
        added = fill(engine, args.followups, args.units, periods)
        if engine.url.get_backend_name() == "postgresql":
            # after COPY the visibility map is empty: index-only scans need a VACUUM first
            # (autovacuum does it in time on a server; here it is done before measuring)
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM (ANALYZE)")
        else:
            with engine.begin() as conn:
                # statistics of an unchanged store are kept: ANALYZE reads every index, minutes
                # at a million follow-ups
                if added or not conn.exec_driver_sql(
                        "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").scalar():
                    conn.exec_driver_sql("ANALYZE")
        print(f"{name}: {args.followups} follow-ups over {args.units} units, "
              f"{periods[0]}..{periods[-1]}, views select {chosen[0]}..{chosen[-1]} "
              f"(ready in {time.perf_counter() - t:.0f} s)",
              flush=True)
        engines[name] = engine
    exact = ubu_exact(engines["SQLite"], selection)
    yard: dict[str, dict[str, Callable[[], Any]]] = {}
    if not args.no_yardsticks:
        t = time.perf_counter()
        frames = Frames(engines["SQLite"])
        print(f"yardsticks: record tables loaded into memory in {time.perf_counter() - t:.0f} s "
              f"({len(frames.answers)} answers; not counted below)", flush=True)
        yard["pandas"] = pandas_workloads(frames, selection)
        try:
            yard["DuckDB"] = duckdb_workloads(frames, selection)
        except ImportError:
            print("DuckDB not installed (pip install duckdb): left out", flush=True)
        for workloads in yard.values():
            for workload, fn in workloads.items():
                check(workload, exact, fn())
        print("every yardstick figure equals ubu's exact figure (before perturbation)")
    load = busy(args.load)
    try:
        columns = [*engines, *yard]
        print(f"\nbest of {args.rounds} rounds, seconds; machine: {os.cpu_count()} cores, load "
              f"average {os.getloadavg()[0]:.1f} before"
              f"{f', plus {args.load} × yes > /dev/null' if args.load else ''}")
        print("wall clock (CPU of this process in brackets; PostgreSQL's server CPU is not in "
              "it)")
        print(f"| {'workload':<32} | " + " | ".join(f"{c:>15}" for c in columns)
              + (" | ubu/DuckDB wall (CPU) |" if "DuckDB" in yard else " |"))
        print("|" + "---|" * (len(columns) + 1 + ("DuckDB" in yard)))
        for workload in ({} if args.skip_workloads else ubu_workloads(engines["SQLite"],
                                                                        selection)):
            times = {n: best(ubu_workloads(e, selection)[workload], args.rounds)
                     for n, e in engines.items()}
            times |= {n: best(w[workload], args.rounds) for n, w in yard.items()}
            line = f"| {workload:<32} | " + " | ".join(
                f"{times[c][0]:>7.3f} ({times[c][1]:.3f})" for c in columns)
            if "DuckDB" in yard:
                line += (f" | {times['SQLite'][0] / times['DuckDB'][0]:.2f} "
                         f"({times['SQLite'][1] / times['DuckDB'][1]:.2f})")
            print(line + " |", flush=True)
        for name, engine in engines.items():
            timed = sorted((*best(fn, args.rounds), label)
                           for label, fn in views(engine, selection))
            over = [label for wall, _cpu, label in timed if wall > args.aim]
            if args.each:
                print(f"\n{name}: every results view, slowest last (wall s, CPU s)")
                for wall, cpu, label in timed:
                    print(f"  {wall:7.3f} ({cpu:.3f})  {label}", flush=True)
            print(f"\n{name}: {len(timed)} results views (every breakdown and none, with and "
                  f"without the unit-type filter, an item and the indices): median "
                  f"{statistics.median(t[0] for t in timed):.3f} s "
                  f"({statistics.median(t[1] for t in timed):.3f} CPU), slowest "
                  f"{timed[-1][0]:.3f} s ({timed[-1][1]:.3f} CPU, {timed[-1][2]}); "
                  f"over {args.aim} s: {len(over)} ({', '.join(over) or 'none'})", flush=True)
        print(f"load average after: {os.getloadavg()[0]:.1f}")
    finally:
        for proc in load:
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    main()
