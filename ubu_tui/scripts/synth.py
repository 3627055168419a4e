"""Synthetic submitted follow-ups for benchmarks, demos and tests: coded rows, nobody real.

    python -m ubu_tui.scripts.synth --database-url sqlite:///demo.sqlite3 --followups 2000

Rows are written in bulk (COPY on PostgreSQL), not through the interview engine, so that a
national-scale data set (100 000 follow-ups, about nine million answers) takes minutes.
"""

from __future__ import annotations

import argparse
import random
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from ubu_tui.identifiers import new_record_id
from ubu_tui.instrument.model import NONRESPONSE, AnswerType, Instrument

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
    key: int = field(default_factory=lambda: secrets.randbits(32))   # the record key


def generate(instrument: Instrument, n: int, units: list[int], periods: list[str],
             seed: int = 1, municipalities: int = 40) -> Iterator[Synthetic]:
    rng = random.Random(seed)
    # record keys from a stream of their own: the same seed gives the same records as before
    # record keys existed, and the same published figures every run
    keys = random.Random(f"record-keys-{seed}")
    # each unit has its own tendency, so that comparisons show something
    lean = {u: rng.uniform(-1.0, 1.0) for u in units}
    weights = [rng.paretovariate(1.2) for _ in units]          # a few large units, many small
    chosen = rng.choices(units, weights=weights, k=n)
    for unit in chosen:
        sid = new_record_id()
        rec = Synthetic(sid, f"{rng.randrange(1, municipalities + 1):04d}", unit,
                        rng.choice(periods), {}, key=keys.getrandbits(32))
        for respondent, form in instrument.forms.items():
            names, w = zip(*RESPONDENT_DISPOSITIONS[respondent], strict=True)
            disposition = rng.choices(names, weights=w)[0]
            rec.sessions[respondent] = disposition
            stop = len(form.items) if disposition == "completed" else (
                rng.randrange(len(form.items)) if disposition == "broke_off" else 0)
            for pos, item in enumerate(form.items):
                if pos >= stop:
                    outcome = "not_reached" if disposition == "broke_off" else "skipped"
                    rec.answers.append((respondent, item.id, outcome,
                                        -9 if outcome == "not_reached" else -8))
                    continue
                outcome, code = _answer(rng, item, lean[unit], unit)
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


def _scores(rec: Synthetic) -> dict[str, tuple[int, int]]:
    from ubu_tui.instrument import default_instrument

    values = {item: code for _r, item, outcome, code in rec.answers if outcome == "value"}
    out = {}
    for ix in default_instrument().indices:
        codes = [values[i] for i in ix.items if i in values]
        if codes:
            out[ix.id] = (len(codes), sum(codes))
    return out


def insert(engine: Engine, records: list[Synthetic]) -> None:
    """Bulk-write the rows: COPY on PostgreSQL, executemany elsewhere."""
    subs = [(r.id, r.municipality, r.unit_id, "ubu-vb", "2026.1", r.period, r.key)
            for r in records]
    sess = [(r.id, resp, disp, 1 if disp == "broke_off" else None, 1, "sv")
            for r in records for resp, disp in r.sessions.items()]
    answers = [(r.id, *a) for r in records for a in r.answers]
    methods = [(r.id, *m) for r in records for m in r.methods]
    scores = [(r.id, ix, n, total) for r in records for ix, (n, total) in _scores(r).items()]
    tables: list[tuple[str, str, list[Any]]] = [
        ("submission", "id, municipality, unit_id, instrument_id, instrument_version, period, "
         "record_key", subs),
        ("session_record", "submission_id, respondent, disposition, break_reason, mode, "
         "language", sess),
        ("answer_record", "submission_id, respondent, item_id, outcome, code", answers),
        ("method_record", "submission_id, item_id, method, applied", methods),
        ("index_score", "submission_id, index_id, n, total", scores),
    ]
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        postgres = engine.url.get_backend_name() == "postgresql"
        for table, columns, rows in tables:
            if postgres:
                with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" for _ in columns.split(","))
                cur.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
        raw.commit()
    finally:
        raw.close()


def main(argv: list[str] | None = None) -> None:
    from ubu_tui.instrument import default_instrument
    from ubu_tui.store import open_store

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--database-url", required=True)
    p.add_argument("--followups", type=int, default=2000)
    p.add_argument("--units", type=int, default=12, help="1001… (the first 12 are the demo "
                   "registry's)")
    p.add_argument("--periods", default="2026-01,2026-02,2026-03,2026-04,2026-05,2026-06")
    args = p.parse_args(argv)
    engine = open_store(args.database_url)
    ensure_units(engine, args.units)
    records = list(generate(default_instrument(), args.followups,
                            list(range(1001, 1001 + args.units)), args.periods.split(",")))
    insert(engine, records)
    print(f"{len(records)} synthetic follow-ups written to {args.database_url}")


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
