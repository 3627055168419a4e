"""Write-once submissions. There is deliberately no function here that reads one record back."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select

from ubu_tui.codes import check_municipality as check_municipality  # re-exported
from ubu_tui.errors import InputRejected, StoreError
from ubu_tui.interview.followup import FollowUp, FollowUpRecord
from ubu_tui.interview.session import OutcomeKind
from ubu_tui.store.engine import session_for
from ubu_tui.store.models import (
    AnswerRecord,
    Draft,
    IndexScore,
    MethodRecord,
    SessionRecord,
    Submission,
    Unit,
)
from ubu_tui.store.pg_records import count_records, on_postgres, payload, submit_payloads
from ubu_tui.store.schema import store_kind


def period_of(moment: datetime | None = None) -> str:
    moment = moment or datetime.now(UTC)
    return f"{moment.year:04d}-{moment.month:02d}"


def rows_of(record: FollowUpRecord, period: str, key: int | None = None) -> list[object]:
    """The table rows for one record, in insertion order.

    `key` is the record key carried by an import or push; a new record draws its own.
    """
    sub = Submission(
        id=record.id, municipality=record.municipality, unit_id=record.unit_id,
        instrument_id=record.instrument_id, instrument_version=record.instrument_version,
        period=period)
    if key is not None:
        sub.record_key = key
    rows: list[object] = [sub]
    for sess in record.sessions:
        rows.append(SessionRecord(
            submission_id=record.id, respondent=sess.respondent,
            disposition=sess.disposition.value, break_reason=sess.break_reason,
            mode=sess.mode, language=sess.language, adhoc=" ".join(sess.adhoc)))
        for item in sess.items:
            rows.append(AnswerRecord(submission_id=record.id, respondent=sess.respondent,
                                     item_id=item.item_id, outcome=item.kind.value,
                                     code=item.code))
            rows.extend(MethodRecord(submission_id=record.id, item_id=item.item_id,
                                     method=m, applied=a) for m, a in item.methods)
    rows.extend(IndexScore(submission_id=record.id, index_id=ix, n=n, total=total)
                for ix, (n, total) in index_scores(record).items())
    return rows


def index_scores(record: FollowUpRecord) -> dict[str, tuple[int, int]]:
    """Index id → (items answered, sum of their codes), across the three respondents."""
    from ubu_tui.instrument.loader import instrument_by_version

    instrument = instrument_by_version(record.instrument_id, record.instrument_version)
    values = {item.item_id: item.code for sess in record.sessions for item in sess.items
              if item.kind is OutcomeKind.VALUE}
    out: dict[str, tuple[int, int]] = {}
    for ix in instrument.indices:
        codes = [values[i] for i in ix.items if i in values]
        if codes:
            out[ix.id] = (len(codes), sum(codes))
    return out


def add_record(session: Session, record: FollowUpRecord, period: str,
               key: int | None = None) -> None:
    rows = rows_of(record, period, key)
    session.add(rows[0])
    session.flush()   # the parent row first: without relationships no order is implied
    session.add_all(rows[1:])
    session.flush()


def submit(engine: Engine, followup: FollowUp, *, now: datetime | None = None) -> str:
    """Store the record and delete its draft in one transaction; return the period."""
    if store_kind(engine) != "real":
        raise StoreError("this is a practice store: practice follow-ups are never submitted")
    record = followup.record()
    check_municipality(record.municipality)
    period = period_of(now)
    with session_for(engine) as session:
        if session.get(Unit, record.unit_id) is None:
            raise InputRejected(f"unit {record.unit_id} is not in the registry; "
                                "pick a registered unit")
        if on_postgres(engine):
            # the shared database's one way in: the whole record to a function that checks it
            if submit_payloads(session, [payload(record, period)]) == 0:
                raise StoreError("this follow-up has already been submitted")
        else:
            if session.exec(select(Submission.id).where(col(Submission.id) == record.id)
                            ).first():
                raise StoreError("this follow-up has already been submitted")
            add_record(session, record, period)
        session.exec(delete(Draft).where(col(Draft.id) == record.id))  # type: ignore[call-overload]
        session.commit()
    return period


def count_submissions(engine: Engine) -> int:
    """How many records there are, for the home screen. Counts only, never contents."""
    with session_for(engine) as session:
        if on_postgres(engine):   # those of the login's own municipality
            return count_records(session)
        return int(session.exec(select(func.count()).select_from(Submission)).one())
