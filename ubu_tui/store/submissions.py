"""Write-once submissions. There is deliberately no function here that reads one record back."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col, delete, select

from ubu_tui.codes import check_municipality as check_municipality  # re-exported
from ubu_tui.errors import InputRejected, StoreError
from ubu_tui.i18n import _
from ubu_tui.instrument.model import Instrument
from ubu_tui.interview.followup import FollowUp, FollowUpRecord
from ubu_tui.interview.session import OutcomeKind
from ubu_tui.store.background import COLUMNS, groups_of
from ubu_tui.store.engine import session_for
from ubu_tui.store.glance import count_submissions as count_submissions  # re-exported
from ubu_tui.store.models import (
    AnswerRecord,
    Draft,
    IndexScore,
    MethodRecord,
    SessionRecord,
    Submission,
    Unit,
)
from ubu_tui.store.pg_records import on_postgres, payload, submit_payloads
from ubu_tui.store.schema import store_kind


def period_of(moment: datetime | None = None) -> str:
    moment = moment or datetime.now(UTC)
    return f"{moment.year:04d}-{moment.month:02d}"


def rows_of(record: FollowUpRecord, period: str, key: int | None = None) -> list[object]:
    """The table rows for one record as model objects, in insertion order.

    `key` is the record key carried by an import or push; a new record draws its own.
    """
    return [RECORD_MODELS[table](**row) for table, row in row_values(record, period, key)]


def row_values(record: FollowUpRecord, period: str, key: int | None = None
               ) -> list[tuple[str, dict[str, Any]]]:
    """(table, column values) for every row of one record, in insertion order: parents first,
    a record's methods before its index scores (index_cube's trigger reads them).

    Made from the record as ubu-record/1 JSON by `json_rows`, the import's own writer: one way
    from a record to its rows, whether it came from an interview or from a file (two ways once
    differed by a decline reason).
    """
    from ubu_tui.store.pg_records import payload

    by_table: dict[str, list[tuple[Any, ...]]] = {table: [] for table in ROW_COLUMNS}
    json_rows({**payload(record, period), "key": key}, by_table)
    return [(table, dict(zip(ROW_COLUMNS[table], row, strict=True)))
            for table in RECORD_MODELS for row in by_table[table]]


@lru_cache(maxsize=32)
def _instrument(instrument_id: str, version: str) -> Instrument:
    """Looked up once per version, not once per record (an import writes thousands)."""
    from ubu_tui.instrument.loader import instrument_by_version

    return instrument_by_version(instrument_id, version)


@lru_cache(maxsize=32)
def _scored(instrument_id: str, version: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(index id, its items) for every index a record of this version is scored on: worked
    out once per version (made afresh per record, the parts cost an import a tenth of its
    Python time)."""
    return tuple((ix.id, tuple(ix.items))
                 for ix in _instrument(instrument_id, version).scored_indices())


_BACKGROUND_ITEMS = tuple(item for item, _to_group, _sql in COLUMNS.values())


def json_rows(r: dict[str, Any], by_table: dict[str, list[tuple[Any, ...]]]) -> None:
    """Append one checked ubu-record/1 record's row tuples (columns as ROW_COLUMNS) to
    `by_table`; a record without a key draws one. Plain tuples straight from the JSON: building
    a model object per answer cost a bulk import more than writing the rows."""
    scored = _scored(str(r["instrument"]), str(r["version"]))
    rid = r["id"]
    answers, methods = by_table["answer_record"], by_table["method_record"]
    values: dict[str, int] = {}
    background: list[tuple[str, str, int]] = []
    sessions = []
    for s in r["sessions"]:
        who, items, chosen = s["respondent"], s["items"], s["methods"]
        sessions.append((rid, who, s["disposition"], s["break_reason"],
                         s.get("decline_reason"), s["mode"], s["language"],
                         " ".join(s.get("adhoc", []))))
        for item_id, (outcome, code) in items.items():
            answers.append((rid, who, item_id, outcome, code))
            if outcome == "value":
                values[item_id] = code
            for method, applied in chosen.get(item_id, ()):
                methods.append((rid, item_id, method, applied))
        background.extend((i, *items[i]) for i in _BACKGROUND_ITEMS if i in items)
    key = r.get("key")
    by_table["submission"].append((
        rid, r["municipality"], r["unit"], r["instrument"], r["version"], r["period"],
        secrets.randbits(32) if key is None else key, *groups_of(background).values()))
    by_table["session_record"].extend(sessions)
    scores = by_table["index_score"]
    for index_id, items in scored:   # as index_scores below
        codes = [values[i] for i in items if i in values]
        if codes:
            scores.append((rid, index_id, len(codes), sum(codes)))


def index_scores(record: FollowUpRecord) -> dict[str, tuple[int, int]]:
    """Index id → (items answered, sum of their codes), across the three respondents, and
    for each index's part per respondent (`<index>.<respondent>`, Instrument.scored_indices)."""
    from ubu_tui.instrument.loader import instrument_by_version

    instrument = instrument_by_version(record.instrument_id, record.instrument_version)
    values = {item.item_id: item.code for sess in record.sessions for item in sess.items
              if item.kind is OutcomeKind.VALUE}
    out: dict[str, tuple[int, int]] = {}
    for ix in instrument.scored_indices():
        codes = [values[i] for i in ix.items if i in values]
        if codes:
            out[ix.id] = (len(codes), sum(codes))
    return out


def add_record(session: Session, record: FollowUpRecord, period: str,
               key: int | None = None) -> None:
    add_records(session, [(record, period, key)])


RECORD_MODELS: dict[str, Any] = {
    m.__tablename__: m for m in (Submission, SessionRecord, AnswerRecord, MethodRecord,
                                 IndexScore)}


# The columns each record table is written with, in the order of row_values' dicts.
ROW_COLUMNS: dict[str, tuple[str, ...]] = {
    "submission": ("id", "municipality", "unit_id", "instrument_id", "instrument_version",
                   "period", "record_key", *COLUMNS),
    "session_record": ("submission_id", "respondent", "disposition", "break_reason",
                       "decline_reason", "mode", "language", "adhoc"),
    "answer_record": ("submission_id", "respondent", "item_id", "outcome", "code"),
    "method_record": ("submission_id", "item_id", "method", "applied"),
    "index_score": ("submission_id", "index_id", "n", "total"),
}


def add_records(session: Session,
                records: Iterable[tuple[FollowUpRecord, str, int | None]]) -> None:
    """Write records (record, period, carried key or None) with one multi-row INSERT per table,
    parents first: a thousand records cost a few statements, not a hundred thousand."""
    by_table: dict[str, list[tuple[Any, ...]]] = {name: [] for name in RECORD_MODELS}
    for record, period, key in records:
        for table, row in row_values(record, period, key):
            by_table[table].append(tuple(row[c] for c in ROW_COLUMNS[table]))
    write_rows(session.connection(), by_table)


def write_rows(conn: Connection, by_table: dict[str, list[tuple[Any, ...]]]) -> None:
    """Insert plain row tuples (columns as ROW_COLUMNS), parents first, within the caller's
    transaction. On SQLite as the driver's executemany, through exec_driver_sql so that a
    locked database still arrives as SQLAlchemy's error (and so as the "try again" message):
    SQLAlchemy's per-row parameter handling cost more than SQLite's own work on an import."""
    sqlite = conn.dialect.name == "sqlite"
    for table, model in RECORD_MODELS.items():   # submissions first, index scores last
        rows = by_table.get(table)
        if not rows:
            continue
        columns = ROW_COLUMNS[table]
        if sqlite:
            conn.exec_driver_sql(f"INSERT INTO {table} ({', '.join(columns)}) "
                                 f"VALUES ({', '.join('?' for _ in columns)})", rows)
        else:
            conn.execute(insert(model.__table__), [dict(zip(columns, r, strict=True))
                                                    for r in rows])


def submit(engine: Engine, followup: FollowUp, *, now: datetime | None = None) -> str:
    """Store the record and delete its draft in one transaction; return the period."""
    if store_kind(engine) != "real":
        raise StoreError(_("Det här är övningsdatabasen: övningsuppföljningar skickas aldrig in."))
    record = followup.record()
    check_municipality(record.municipality)
    period = period_of(now)
    with session_for(engine) as session:
        if session.get(Unit, record.unit_id) is None:
            raise InputRejected(_("Enhet {unit} finns inte i registret; välj en registrerad "
                                  "enhet.").format(unit=record.unit_id))
        if on_postgres(engine):
            if "+" in record.instrument_version:     # versions.is_local: never pooled
                from ubu_tui.store.transfer import refuse_local

                version = f"{record.instrument_id}@{record.instrument_version}"
                raise refuse_local({version: 1}, _(
                    "Ingenting skickades in, och utkastet finns kvar. Använd kommunens egen "
                    "SQLite-databas för den lokala versionen."))
            # the shared database's one way in: the whole record to a function that checks it
            if submit_payloads(session, [payload(record, period)]) == 0:
                raise StoreError(_("Den här uppföljningen är redan inskickad."))
        else:
            if session.exec(select(Submission.id).where(col(Submission.id) == record.id)
                            ).first():
                raise StoreError(_("Den här uppföljningen är redan inskickad."))
            add_record(session, record, period)
        session.exec(delete(Draft).where(col(Draft.id) == record.id))  # type: ignore[call-overload]
        session.commit()
    return period
