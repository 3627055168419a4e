"""The shared database: pushing an offline office's records, withdrawing a municipality's own,
and the PostgreSQL roles that keep individual records out of reach.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import col, delete, select

from ubu_tui.errors import InputRejected, StoreError
from ubu_tui.store.engine import describe, explain, session_for
from ubu_tui.store.models import (
    AnswerRecord,
    IndexScore,
    MethodRecord,
    SessionRecord,
    Submission,
    Unit,
)
from ubu_tui.store.submissions import add_record, check_municipality
from ubu_tui.store.transfer import _check_record, _record_from_json, _records, _require_real


@dataclass(frozen=True)
class PushReport:
    sent: int
    already: int
    batches: int


def push(local: Engine, target: Engine, *, municipality: str | None = None, batch: int = 200,
         on_batch: Callable[[int, int], None] | None = None) -> PushReport:
    """Copy the local store's submissions to the shared database, a batch per transaction.

    Idempotent by record id: records already there are skipped, so a push cut off by a lost
    connection is finished by running it again. Every record is checked against the shared
    registry first; if one names an unknown unit nothing is sent.
    """
    _require_real(local, "pushed")
    _require_real(target, "pushed into")
    if municipality:
        check_municipality(municipality)
    records = sorted(_records(local, municipality), key=lambda r: r["id"])
    with session_for(target) as session:
        known_units = set(session.exec(select(Unit.id)).all())
    missing = sorted({r["unit"] for r in records} - known_units)
    if missing:
        raise InputRejected(f"the shared database's registry lacks unit(s) "
                            f"{', '.join(map(str, missing[:10]))}; import the registry there "
                            "first. Nothing was sent.")
    for r in records:
        _check_record(r, known_units)
    sent = already = batches = 0
    for start in range(0, len(records), batch):
        chunk = records[start:start + batch]
        ids = [r["id"] for r in chunk]
        try:
            with session_for(target) as session:
                present = set(session.exec(select(Submission.id).where(
                    col(Submission.id).in_(ids))).all())
                for r in chunk:
                    if r["id"] not in present:
                        add_record(session, _record_from_json(r), r["period"], r.get("key"))
                session.commit()
        except StoreError as err:
            raise StoreError(
                f"the push to {describe(target)} stopped: {err} {sent} records were sent "
                f"before it ({already} were already there). Run the same push again: what "
                "was sent is skipped, nothing is sent twice.") from None
        sent += len(chunk) - len(present)
        already += len(present)
        batches += 1
        if on_batch is not None:
            on_batch(sent, already)
    return PushReport(sent, already, batches)


def withdraw(engine: Engine, municipality: str) -> int:
    """Delete every record of one municipality (its own decision); return how many.

    The only way a submitted record is ever deleted: all of a municipality's, never one.
    """
    _require_real(engine, "withdrawn from")
    check_municipality(municipality)
    with session_for(engine) as session:
        ids = select(Submission.id).where(col(Submission.municipality) == municipality)
        count = len(session.exec(ids).all())
        for model in (IndexScore, MethodRecord, AnswerRecord, SessionRecord):
            session.exec(delete(model).where(  # type: ignore[call-overload]
                col(model.submission_id).in_(ids)))
        session.exec(delete(Submission).where(  # type: ignore[call-overload]
            col(Submission.municipality) == municipality))
        session.commit()
    return count


# --- PostgreSQL roles -----------------------------------------------------------------------

FIGURE_FUNCTIONS = (       # results/pg_functions.py SIGNATURES; a test keeps them equal
    "public.ubu_item_figures(text, text, text, integer, text[], text, integer[])",
    "public.ubu_index_figures(text, text, text, integer, text[], text, integer[])",
    "public.ubu_disposition_figures(text, text, text, integer, text, integer[])",
)
RECORD_TABLES = ("submission", "session_record", "answer_record", "method_record",
                 "index_score")
ROLES = {
    "caseworker": "submits follow-ups and keeps drafts; cannot read a submitted record",
    "analyst": "reads suppressed aggregates only",
    "admin": "manages the unit registry and the roles",
}


def role_statements(prefix: str = "ubu") -> list[str]:
    """The grants, as SQL, so that they can be read and reviewed before they are run."""
    cw, an, ad = (f"{prefix}_{r}" for r in ROLES)
    records = ", ".join(RECORD_TABLES)
    seqs = ", ".join(f"{t}_id_seq" for t in RECORD_TABLES if t != "submission")
    out = [f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{r}') "
           f"THEN CREATE ROLE {r} NOLOGIN; END IF; END $$" for r in (cw, an, ad)]
    out += [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC, {cw}, {an}, {ad}",
        f"GRANT USAGE ON SCHEMA public TO {cw}, {an}, {ad}",
        # everyone reads the schema version, the store kind and the (public) registry
        f"GRANT SELECT ON alembic_version, store_meta, unit TO {cw}, {an}, {ad}",
        # caseworkers: drafts in full, submissions write-only
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON draft TO {cw}",
        f"GRANT INSERT ON {records} TO {cw}",
        f"GRANT USAGE ON SEQUENCE {seqs} TO {cw}",
        # the submit transaction checks that the record is new by its random id only, and
        # INSERT … RETURNING reads back the serial ids of the rows it wrote
        f"GRANT SELECT (id) ON {records} TO {cw}",
        # coverage: caseworkers count their set-up decisions and enter ended placements
        f"GRANT SELECT, INSERT, UPDATE ON coverage_count, ended_count TO {cw}",
        f"GRANT SELECT ON coverage_count, ended_count TO {an}",
        # admins: the registry, and granting the roles
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON unit TO {ad}",
        f"GRANT {cw}, {an} TO {ad} WITH ADMIN OPTION",
        # aggregates: through the figure functions only (the cell-key method, in the database)
        *[f"GRANT EXECUTE ON FUNCTION {fn} TO {cw}, {an}, {ad}" for fn in FIGURE_FUNCTIONS],
    ]
    return out


def create_roles(engine: Engine, prefix: str = "ubu") -> list[str]:
    if engine.url.get_backend_name() != "postgresql":
        raise InputRejected("roles exist only on PostgreSQL; the embedded SQLite store is "
                            "protected by the file's permissions")
    statements = role_statements(prefix)
    try:
        with engine.begin() as conn:
            for sql in statements:
                conn.execute(text(sql))
    except Exception as err:  # noqa: BLE001 – every driver error becomes one message
        from sqlalchemy import exc

        if isinstance(err, exc.SQLAlchemyError):
            raise explain(err, engine) from None
        raise
    return [f"{prefix}_{r}: {what}" for r, what in ROLES.items()]
