"""Synthetic submitted follow-ups for benchmarks, demos and tests: coded rows, nobody real.

    python -m ubu_tui.scripts.synth --database-url sqlite:///demo.sqlite3 --followups 2000

Rows are written in bulk (COPY on PostgreSQL), not through the interview engine, so that a
national-scale data set (100 000 follow-ups, about nine million answers) takes minutes.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from ubu_tui.codes import PERIOD
from ubu_tui.identifiers import new_record_id
from ubu_tui.instrument.model import NONRESPONSE, AnswerType, Instrument

BATCH = 10_000       # records per transaction: memory stays flat at any size

RESPONDENT_DISPOSITIONS = {
    "youth": (("completed", 70), ("declined", 12), ("not_reachable", 10), ("broke_off", 8)),
    "guardian": (("completed", 55), ("declined", 15), ("not_reachable", 25), ("broke_off", 5)),
    "caseworker": (("completed", 100),),
}


@dataclass
class Synthetic:
    id: str
    municipality: str
    unit_id: int
    period: str
    sessions: dict[str, str]                              # respondent → disposition
    answers: list[tuple[str, str, str, int]] = field(default_factory=list)
    methods: list[tuple[str, int, int]] = field(default_factory=list)
    version: str = ""                                     # ubu-vb version; "" the newest
    key: int = field(default_factory=lambda: secrets.randbits(32))   # the record key
    declines: dict[str, int] = field(default_factory=dict)  # respondent → decline reason code


UNIT_TYPE_ITEM = "cw_unit_type"


def generate(instrument: Instrument, n: int, units: list[int], periods: list[str],
             seed: int = 1, municipalities: int = 40,
             unit_types: dict[int, int] | None = None,
             ids: Iterator[str] | None = None) -> Iterator[Synthetic]:
    """Synthetic records; with `unit_types` (the registry's, unit → type) the caseworker's
    unit-type answer is the registered type of the unit, as a checked submission's is (a
    unit the registry lacks keeps a drawn answer). The same draws either way: a seed gives
    the same records but for that answer."""
    rng = random.Random(seed)
    # record keys from a stream of their own: the same seed gives the same records as before
    # record keys existed, and the same published figures every run
    keys = random.Random(f"record-keys-{seed}")
    # decline reasons from a stream of their own too, for the same reason
    reasons = random.Random(f"decline-reasons-{seed}")
    # each unit has its own tendency, so that comparisons show something
    lean = {u: rng.uniform(-1.0, 1.0) for u in units}
    weights = [rng.paretovariate(1.2) for _ in units]          # a few large units, many small
    chosen = rng.choices(units, weights=weights, k=n)
    for unit in chosen:
        sid = next(ids) if ids is not None else new_record_id()
        rec = Synthetic(sid, f"{rng.randrange(1, municipalities + 1):04d}", unit,
                        rng.choice(periods), {}, version=instrument.version,
                        key=keys.getrandbits(32))
        for respondent, form in instrument.forms.items():
            names, w = zip(*RESPONDENT_DISPOSITIONS[respondent], strict=True)
            disposition = rng.choices(names, weights=w)[0]
            rec.sessions[respondent] = disposition
            if disposition == "declined" and form.decline_reasons:
                rec.declines[respondent] = reasons.choice(form.decline_reasons).code
            stop = len(form.items) if disposition == "completed" else (
                rng.randrange(len(form.items)) if disposition == "broke_off" else 0)
            for pos, item in enumerate(form.items):
                if pos >= stop:
                    outcome = "not_reached" if disposition == "broke_off" else "skipped"
                    rec.answers.append((respondent, item.id, outcome,
                                        -9 if outcome == "not_reached" else -8))
                    continue
                outcome, code = _answer(rng, item, lean[unit], unit)
                if unit_types and item.id == UNIT_TYPE_ITEM and unit in unit_types:
                    outcome, code = "value", unit_types[unit]
                rec.answers.append((respondent, item.id, outcome, code))
                if item.type is AnswerType.MULTI and code > 0:
                    picks = rng.sample([o.code for o in item.options], code)
                    rec.methods += [(item.id, m, rng.choice((1, 1, 1, 2, 3))) for m in picks]
        yield rec


def _answer(rng: random.Random, item, lean: float, unit: int) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    if item.nonresponse and rng.random() < 0.06:
        return "nonresponse", NONRESPONSE[rng.choice(sorted(item.nonresponse))].code
    if item.type is AnswerType.SCALE:
        return "value", max(1, min(5, round(rng.gauss(3.6 + lean, 1.0))))
    if item.type is AnswerType.AGE:
        return "value", rng.randint(12, 20)
    if item.type is AnswerType.UNIT:
        return "value", unit
    if item.type is AnswerType.MULTI:
        return "value", rng.randint(0, min(3, len(item.options)))
    return "value", rng.choice(item.options).code


def _version(rec: Synthetic) -> str:
    from ubu_tui.instrument import default_instrument

    return rec.version or default_instrument().version


_SCORED: dict[str, tuple[Any, ...]] = {}


def _scores(rec: Synthetic) -> dict[str, tuple[int, int]]:
    from ubu_tui.instrument.loader import instrument_by_version

    values = {item: code for _r, item, outcome, code in rec.answers if outcome == "value"}
    out = {}
    version = _version(rec)
    if version not in _SCORED:       # once per version, not per record
        _SCORED[version] = instrument_by_version("ubu-vb", version).scored_indices()
    for ix in _SCORED[version]:
        codes = [values[i] for i in ix.items if i in values]
        if codes:
            out[ix.id] = (len(codes), sum(codes))
    return out


def _tables(records: list[Synthetic]) -> list[tuple[str, str, list[Any]]]:
    """The rows of the record tables: (table, columns, rows)."""
    from ubu_tui.store.background import COLUMNS, groups_of

    subs = [(r.id, r.municipality, r.unit_id, "ubu-vb", _version(r), r.period, r.key,
             *groups_of((a[1], a[2], a[3]) for a in r.answers if a[0] == "caseworker").values())
            for r in records]
    sess = [(r.id, resp, disp, 1 if disp == "broke_off" else None, r.declines.get(resp), 1,
             "sv") for r in records for resp, disp in r.sessions.items()]
    answers = [(r.id, *a) for r in records for a in r.answers]
    methods = [(r.id, *m) for r in records for m in r.methods]
    scores = [(r.id, ix, n, total) for r in records for ix, (n, total) in _scores(r).items()]
    return [
        ("submission", "id, municipality, unit_id, instrument_id, instrument_version, period, "
         "record_key, " + ", ".join(COLUMNS), subs),
        ("session_record", "submission_id, respondent, disposition, break_reason, "
         "decline_reason, mode, language", sess),
        ("answer_record", "submission_id, respondent, item_id, outcome, code", answers),
        ("method_record", "submission_id, item_id, method, applied", methods),
        ("index_score", "submission_id, index_id, n, total", scores),
    ]


def _write(conn: Any, records: list[Synthetic], postgres: bool) -> None:
    _write_rows(conn.connection.dbapi_connection.cursor(), records, postgres)


def _write_rows(cur: Any, records: list[Synthetic], postgres: bool) -> None:
    for table, columns, rows in _tables(records):
        if postgres:
            with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns.split(","))
            cur.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


def insert(engine: Engine, records: list[Synthetic]) -> None:
    """Bulk-write the rows in one transaction (COPY on PostgreSQL, executemany on SQLite), the
    kept counts added per batch (store/bulk.py) rather than by a trigger per row."""
    from ubu_tui.store.bulk import counted_in_bulk, new_records

    postgres = engine.url.get_backend_name() == "postgresql"
    with engine.begin() as conn, counted_in_bulk(conn):
        _write(conn, records, postgres)
        new_records(conn, (r.id for r in records))


FRESH_CACHE_KIB = 1024 * 1024


COUNT_CHUNK = 100_000   # records counted per round of grouped statements at the end of a load


def load_fresh(engine: Engine, batches: Iterable[list[Synthetic]],
               log: Callable[[str], None] | None = None) -> None:
    """Fill an empty SQLite store fast: the record tables' indexes and count triggers go while
    the rows are appended, batch by batch; then the indexes are built (sorted, once) and every
    count is added with the bulk import's grouped statements (store/cube.py: ADD_COUNTS), the
    figures the triggers would keep. Ten times faster than batches into indexed tables at a
    million follow-ups, where each random record id lands on a page not in memory.

    The load runs on a connection of its own, with what a store in use needs and a fresh
    synthetic one does not switched off: the write-ahead log (which would hold every page of
    a 30 GB load twice), waiting for the disk at each commit, and the foreign-key lookup of
    the submission behind each of a hundred million answers (the rows are made together, so
    each answer's submission is there). Only for an empty synthetic store: interrupted, it is
    left without indexes or counts, perhaps damaged; start again with a new file.
    Records in id order (see `sorted_ids`) are appended where the indexes and the counting
    joins read them next, instead of all over a file larger than the memory. The counts are
    added COUNT_CHUNK records at a time (in id order): one grouped statement over a million
    records would group thirty million index scores in a temporary tree larger than the cache.
    `log` hears each step, with the seconds and CPU seconds it took."""
    from ubu_tui.store.cube import ADD_COUNTS, COUNT_TRIGGERS
    from ubu_tui.store.models import SUBMISSION_TABLES

    tables = ", ".join(f"'{t}'" for t in SUBMISSION_TABLES)
    triggers = ", ".join(f"'{n}'" for names in COUNT_TRIGGERS.values() for n in names)
    if engine.url.database in (None, "", ":memory:"):
        # its one connection is the database: the fresh connection below would be another
        raise SystemExit("load_fresh needs an SQLite file, not an in-memory store")
    engine.dispose()         # no pooled connection may hold the log open while its mode changes
    raw = engine.raw_connection()
    raw.detach()             # the pragmas below must never reach the pool: closed at the end
    con: Any = raw.dbapi_connection
    con.isolation_level = None      # transactions are begun and committed here, explicitly
    cur = con.cursor()
    try:
        if cur.execute("SELECT count(*) FROM submission").fetchone()[0]:
            raise SystemExit("load_fresh needs an empty store; this one has submissions")
        cur.execute("PRAGMA journal_mode = DELETE")
        for pragma in ("synchronous = OFF", "foreign_keys = OFF",
                       f"cache_size = {-FRESH_CACHE_KIB}"):
            cur.execute(f"PRAGMA {pragma}")
        cur.execute("BEGIN IMMEDIATE")
        saved = list(cur.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND "
            f"((type = 'index' AND tbl_name IN ({tables})) "
            f"OR (type = 'trigger' AND name IN ({triggers})))"))
        for kind, name, _sql in saved:
            cur.execute(f"DROP {kind} {name}")
        cur.execute("COMMIT")
        step = _Step(log)
        written = 0
        for records in batches:
            cur.execute("BEGIN")
            _write_rows(cur, records, postgres=False)
            cur.execute("COMMIT")
            written += len(records)
            step.done(f"{written} records made and written")
        cur.execute("BEGIN")
        for kind, name, sql in saved:
            if kind == "index":
                cur.execute(sql)
                step.done(f"{name} built")
        cur.execute("CREATE TEMPORARY TABLE bulk_new (id VARCHAR(32) PRIMARY KEY)")
        ids = [i for (i,) in cur.execute("SELECT id FROM submission ORDER BY id")]
        for start in range(0, len(ids), COUNT_CHUNK):
            cur.execute("DELETE FROM bulk_new")
            cur.executemany("INSERT INTO bulk_new (id) VALUES (?)",
                            ((i,) for i in ids[start:start + COUNT_CHUNK]))
            for statement in ADD_COUNTS:
                cur.execute(statement)
            step.done(f"{min(start + COUNT_CHUNK, len(ids))} records counted")
        cur.execute("DROP TABLE bulk_new")
        # the triggers back only now: the yearly sums' would count the cube's rows again
        for kind, _name, sql in saved:
            if kind == "trigger":
                cur.execute(sql)
        cur.execute("COMMIT")
        step.done("committed")
        cur.execute("PRAGMA journal_mode = WAL")     # the store's own mode, kept in the file
    finally:
        cur.close()
        con.close()


class _Step:
    """Reports each step of a load with its wall-clock and CPU seconds."""

    def __init__(self, log: Callable[[str], None] | None) -> None:
        self.log, self.wall, self.cpu = log, time.perf_counter(), time.process_time()

    def done(self, what: str) -> None:
        if self.log:
            wall, cpu = time.perf_counter(), time.process_time()
            self.log(f"{what}: {wall - self.wall:.1f} s ({cpu - self.cpu:.1f} CPU s)")
            self.wall, self.cpu = wall, cpu


def sorted_ids(n: int) -> Iterator[str]:
    """n fresh record ids in ascending order: random ids, handed out sorted, so that a fresh
    load appends every table in the order of its record-id indexes. The order says nothing
    (the ids are drawn before any record is made)."""
    return iter(sorted(new_record_id() for _ in range(n)))


def main(argv: list[str] | None = None) -> None:
    from ubu_tui.instrument import default_instrument
    from ubu_tui.store import open_store

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--database-url", required=True)
    p.add_argument("--followups", type=int, default=2000)
    p.add_argument("--units", type=int, default=12, help="1001… (the first 12 are the demo "
                   "registry's)")
    p.add_argument("--periods", default="2026-01,2026-02,2026-03,2026-04,2026-05,2026-06",
                   help="months YYYY-MM, comma-separated, or a number: that many months up "
                   "to 2026-12")
    p.add_argument("--months", type=int, help="instead of --periods: this many months up to "
                   "2026-12 (600 is fifty years)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--fresh", action="store_true", help="an empty SQLite store: build the "
                   "indexes and counts after the rows (fast; see load_fresh)")
    args = p.parse_args(argv)
    try:
        periods = (months_until("2026-12", args.months) if args.months
                   else parse_periods(args.periods))
    except ValueError as err:
        p.error(str(err))      # exit 2, before anything is written
    if args.fresh and not args.database_url.startswith("sqlite"):
        # PostgreSQL takes the rows by COPY with the owner's triggers paused per batch (insert)
        p.error("--fresh is for an empty SQLite store; leave it out for PostgreSQL")
    engine = open_store(args.database_url)
    ensure_units(engine, args.units)
    started = time.perf_counter()
    instrument = default_instrument()
    units = list(range(1001, 1001 + args.units))
    from ubu_tui.store.registry import unit_types

    types = unit_types(engine)      # every unit's type as the registry holds it
    ids = sorted_ids(args.followups) if args.fresh else None
    batches = (list(generate(instrument, min(BATCH, args.followups - start), units, periods,
                             seed=args.seed + start, unit_types=types, ids=ids))
               for start in range(0, args.followups, BATCH))
    if args.fresh:
        load_fresh(engine, batches, log=lambda line: print(
            f"  {line}; load average {os.getloadavg()[0]:.1f}", flush=True))
    else:
        for records in batches:
            insert(engine, records)
    print(f"{args.followups} synthetic follow-ups written to {args.database_url} in "
          f"{time.perf_counter() - started:.1f} s")


def parse_periods(text: str) -> list[str]:
    """Months from --periods: "2026-01,2026-02", or a count ("4": the four months up to
    2026-12). A count used to be taken as the month "4" itself, which no view could find."""
    if text.strip().isdigit():
        return months_until("2026-12", int(text))
    periods = [p.strip() for p in text.split(",") if p.strip()]
    bad = [p for p in periods if not PERIOD.fullmatch(p)]
    if bad or not periods:
        raise ValueError(f"--periods: {', '.join(bad) or 'none given'}: give months as "
                         "YYYY-MM, comma-separated, or a number of months")
    return periods


def months_until(last: str, count: int) -> list[str]:
    year, month = int(last[:4]), int(last[5:7])
    n = year * 12 + month - 1
    return [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(n - count + 1, n + 1)]


def ensure_units(engine: Engine, count: int) -> None:
    """The demo registry, plus made-up units 1013… when more are asked for."""
    from ubu_tui.resources import data_dir
    from ubu_tui.store.engine import session_for
    from ubu_tui.store.models import Unit
    from ubu_tui.store.registry import count_units, import_units

    if count_units(engine) == 0:
        import_units(engine, data_dir() / "registry" / "demo-units.csv")
    with session_for(engine) as session:
        have = {u for (u,) in session.connection().exec_driver_sql("SELECT id FROM unit")}
        for uid in range(1001, 1001 + count):
            if uid not in have:
                session.add(Unit(id=uid, name=f"Syntetisk enhet {uid}", owner="Syntetisk ägare",
                                 org_number=None, sole_trader=False, unit_type=1 + uid % 4,
                                 permit_ref=f"SYN-{uid}", active=True))
        session.commit()


if __name__ == "__main__":
    main()
