"""The shared database: pushing an offline office's records, withdrawing a municipality's own,
and the PostgreSQL roles that keep individual records out of reach.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing, nullcontext
from dataclasses import dataclass
from typing import Any, overload

from sqlalchemy import exc, text
from sqlalchemy.engine import Engine
from sqlmodel import col, delete, select

from ubu_tui.errors import InputRejected, StoreError
from ubu_tui.i18n import _
from ubu_tui.store.coverage import COVERAGE_FUNCTIONS
from ubu_tui.store.engine import describe, explain, session_for
from ubu_tui.store.models import (
    AnswerRecord,
    IndexScore,
    MethodRecord,
    SessionRecord,
    Submission,
    Unit,
)
from ubu_tui.store.pg_records import (
    RECORD_TABLES,
    on_postgres,
    prepared,
    signature,
    submit_payloads,
    withdraw_records,
)
from ubu_tui.store.pg_registry import HOLD_SIGNATURE
from ubu_tui.store.submissions import add_record, check_municipality
from ubu_tui.store.transfer import (
    _check_record,
    _record_from_json,
    _records,
    _require_real,
    local_versions,
    refuse_local,
    without_cycle_collection,
)


@dataclass(frozen=True)
class PushReport:
    sent: int
    already: int
    batches: int
    kept_local: int = 0      # records of a local version, left in this store on purpose


def push(local: Engine, target: Engine, *, municipality: str | None = None, batch: int = 1000,
         on_batch: Callable[[int, int], None] | None = None,
         skip_local: bool = False) -> PushReport:
    """Copy the local store's submissions to the shared database, a batch per transaction.

    Idempotent by record id: records already there are skipped, so a push cut off by a lost
    connection is finished by running it again. Every record is checked against the shared
    registry first; if one names an unknown unit nothing is sent.

    Records of a local instrument version are never sent: the shared database exists to pool
    national figures, and a local version's answers are not the national questions. A push that
    meets them sends nothing unless `skip_local` says to send the national records and keep the
    local ones here, so that no municipality believes by mistake that they went.
    """
    # Like an import it holds every record's answers as small lists and dicts, and makes
    # each batch's payload from them again: the cycle collector would walk them over and
    # over (store/transfer.py: without_cycle_collection).
    with without_cycle_collection():
        return _push(local, target, municipality=municipality, batch=batch,
                     on_batch=on_batch, skip_local=skip_local)


def _push(local: Engine, target: Engine, *, municipality: str | None, batch: int,
          on_batch: Callable[[int, int], None] | None, skip_local: bool) -> PushReport:
    _require_real(local, _("skickas vidare"))
    _require_real(target, _("förs in hit"))
    if municipality:
        check_municipality(municipality)
    early = on_postgres(target) and not on_postgres(local)
    # From an office's SQLite store to PostgreSQL the records are read in two goes: the first
    # batch's at once, the rest in a thread while the server stores that batch; what is
    # refused before anything is sent (local versions, unknown units) is seen from the
    # submission rows alone. Reading every record first kept the server idle for a tenth of
    # a push of 10 000.
    heads = _heads(local, municipality) if early else sorted(
        _records(local, municipality), key=lambda r: r["id"])
    kept = local_versions(heads)
    if kept and not skip_local:
        raise refuse_local(kept, _("Ingenting skickades. Lägg till --skip-local för att "
                                   "skicka de nationella posterna och behålla de lokala här."))
    if kept:
        heads = [r for r in heads if "+" not in str(r["version"])]
    with session_for(target) as session:
        known_units = set(session.exec(select(Unit.id)).all())
    missing = sorted({r["unit"] for r in heads} - known_units)
    if missing:
        raise InputRejected(_("Registret i den gemensamma databasen saknar enheterna {units}; "
                              "importera registret där först. Ingenting skickades.")
                             .format(units=', '.join(map(str, missing[:10]))))

    def check(part: list[dict[str, Any]]) -> None:
        for r in part:
            _check_record(r, known_units)

    chunks: Sequence[list[dict[str, Any]]]
    if early:
        firsts = {r["id"] for r in heads[:batch]}
        first = sorted(_records(local, municipality, firsts), key=lambda r: r["id"])

        def read_the_rest() -> list[dict[str, Any]]:
            found = [r for r in _records(local, municipality) if r["id"] not in firsts
                     and (not kept or "+" not in str(r["version"]))]
            found.sort(key=lambda r: r["id"])
            check(found)
            return found

        check(first)
        reader = ThreadPoolExecutor(max_workers=1)
        later = reader.submit(read_the_rest)
        reader.shutdown(wait=False)     # its thread ends with this one task
        chunks = _Chunks(first, later, batch, len(heads))
        rest: Future[Any] | None = later
        ready: Generator[str, None, None] | None = prepared(chunks)
    else:
        chunks = [heads[start:start + batch] for start in range(0, len(heads), batch)]
        ready = prepared(chunks) if on_postgres(target) else None
        # Every record is checked before anything is committed. On PostgreSQL the first
        # batch is already stored, uncommitted, while the rest are checked (the server's work
        # and ours overlap); a fault found then rolls it back. Elsewhere: check all, then
        # write.
        rest = None
        if ready is not None and chunks:
            check(chunks[0])
            checker = ThreadPoolExecutor(max_workers=1)
            rest = checker.submit(check, heads[batch:])
            checker.shutdown(wait=False)     # its thread ends with this one task
        else:
            check(heads)
    with closing(ready) if ready is not None else nullcontext():
        # (closed here, in this thread, when the push stops early: left to the garbage
        # collector, the generator could be closed in its own pool's thread)
        report = _send(chunks, ready, rest, target, on_batch)
    return PushReport(report.sent, report.already, report.batches, sum(kept.values()))


class _Chunks(Sequence[list[dict[str, Any]]]):
    """A push's batches: the first read at once, the others when the thread reading (and
    checking) the rest is done; asking for one of them waits for it."""

    def __init__(self, first: list[dict[str, Any]], rest: Future[list[dict[str, Any]]],
                 batch: int, total: int) -> None:
        self.first, self.rest, self.batch, self.total = first, rest, batch, total

    def __len__(self) -> int:
        return -(-self.total // self.batch)

    @overload
    def __getitem__(self, i: int) -> list[dict[str, Any]]: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[list[dict[str, Any]]]: ...

    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if not 0 <= i < len(self):
            raise IndexError(i)
        if i == 0:
            return self.first
        start = (i - 1) * self.batch
        return self.rest.result()[start:start + self.batch]


def _heads(local: Engine, municipality: str | None) -> list[dict[str, Any]]:
    """Id, instrument, version and unit of every record to push (of one municipality), in id
    order: what decides whether a push may start, without reading the records."""
    with session_for(local) as session:
        query = select(Submission.id, Submission.instrument_id, Submission.instrument_version,
                       Submission.unit_id).order_by(col(Submission.id))
        if municipality:
            query = query.where(col(Submission.municipality) == municipality)
        return [{"id": i, "instrument": instrument, "version": version, "unit": unit}
                for i, instrument, version, unit in session.exec(query).all()]


def _send(chunks: Sequence[list[dict[str, Any]]], ready: Generator[str, None, None] | None,
          rest: Future[Any] | None, target: Engine,
          on_batch: Callable[[int, int], None] | None) -> PushReport:
    sent = already = batches = 0
    for chunk in chunks:
        ids = [r["id"] for r in chunk]
        try:
            with session_for(target) as session:
                if ready is not None:   # the whole batch in one call, one INSERT per table
                    try:
                        new = submit_payloads(session, next(ready))
                    finally:
                        if rest is not None:   # the first batch: the others checked too
                            checked, rest = rest, None
                            checked.result()
                else:
                    present = set(session.exec(select(Submission.id).where(
                        col(Submission.id).in_(ids))).all())
                    for r in chunk:
                        if r["id"] not in present:
                            add_record(session, _record_from_json(r), r["period"],
                                       r.get("key"))
                    new = len(chunk) - len(present)
                session.commit()
        except StoreError as err:
            raise StoreError(_("Överföringen till {database} avbröts: {reason} {sent} poster "
                               "hann skickas ({already} fanns redan där). Kör samma överföring "
                               "igen: det som skickats hoppas över, ingenting skickas två gånger.")
                              .format(database=describe(target), reason=err, sent=sent,
                                      already=already)) from None
        sent += new
        already += len(chunk) - new
        batches += 1
        if on_batch is not None:
            on_batch(sent, already)
    return PushReport(sent, already, batches, 0)


def withdraw(engine: Engine, municipality: str) -> int:
    """Delete every record of one municipality (its own decision); return how many.

    The only way a submitted record is ever deleted: all of a municipality's, never one.
    """
    _require_real(engine, _("återkallas härifrån"))
    check_municipality(municipality)
    with session_for(engine) as session:
        if on_postgres(engine):   # the owner's for any, a municipality login's for its own
            count = withdraw_records(session, municipality)
            session.commit()
            return count
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

ROLES = {
    "caseworker": "submits follow-ups and keeps drafts; cannot read a submitted record",
    "analyst": "reads suppressed aggregates only",
    "admin": "manages the unit registry and the roles",
}


def role_statements(prefix: str = "ubu") -> list[str]:
    """The grants, as SQL, so that they can be read and reviewed before they are run."""
    cw, an, ad = (f"{prefix}_{r}" for r in ROLES)
    records = ", ".join(RECORD_TABLES)
    out = [f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{r}') "
           f"THEN CREATE ROLE {r} NOLOGIN; END IF; END $$" for r in (cw, an, ad)]
    out += [
        # Nobody but the owner creates objects: no temp table or view to shadow a real one,
        # no function or operator in public to shadow a built-in (see pg_security).
        "DO $$ BEGIN EXECUTE pg_catalog.format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', "
        "pg_catalog.current_database()); END $$",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        "REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC, {cw}, {an}, {ad}",
        f"GRANT USAGE ON SCHEMA public TO {cw}, {an}, {ad}",
        # everyone reads the schema version, the store kind and the (public) registry
        f"GRANT SELECT ON alembic_version, store_meta, unit TO {cw}, {an}, {ad}",
        # caseworkers: drafts (their municipality's, by row-level security); records go in
        # through one function only, and no column of a record is readable, not even its id
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON draft TO {cw}",
        f"GRANT EXECUTE ON FUNCTION public.ubu_may_act_for(text) TO {cw}",
        f"REVOKE ALL ON {records} FROM {cw}, {an}, {ad}",
        *[f"GRANT EXECUTE ON FUNCTION public.{signature(fn)} TO {cw}"
          for fn in ("ubu_submit_records", "ubu_withdraw", "ubu_export")],
        f"GRANT EXECUTE ON FUNCTION public.{signature('ubu_submission_count')} "
        f"TO {cw}, {an}, {ad}",
        # coverage: a caseworker counts set-up decisions and enters ended placements for
        # the own municipality, through two functions only (0060); nobody reads the raw counts
        *[f"GRANT EXECUTE ON FUNCTION public.{fn} TO {cw}" for fn in COVERAGE_FUNCTIONS],
        # admins: the registry, and granting the roles
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON unit TO {ad}",
        # a change of a unit's grouping by an admin is held until the next release, readable
        # here; the trigger on unit writes it through one function (store/pg_registry.py)
        f"GRANT SELECT ON unit_change TO {ad}",
        f"GRANT EXECUTE ON FUNCTION public.{HOLD_SIGNATURE} TO {ad}",
        f"GRANT {cw}, {an} TO {ad} WITH ADMIN OPTION",
        # PostgreSQL 15 gives ADMIN OPTION only to a member, and a member inherits: an admin
        # login would hold every caseworker right (drafts, submission, export). NOINHERIT keeps
        # those rights with the role they were granted to; SET ROLE to it still works, and gives
        # nothing, as every rule asks which municipality the login (session_user) acts for,
        # and an admin login is mapped to none.
        f"ALTER ROLE {ad} NOINHERIT",
        # aggregates: through the suppressing functions only — every SECURITY DEFINER
        # public.ubu_*_figures, so that a figure function added later is granted as well
        "DO $$ DECLARE f regprocedure; BEGIN FOR f IN SELECT p.oid::regprocedure "
        "FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = 'public' AND p.prosecdef AND p.proname LIKE 'ubu\\_%\\_figures' "
        "LOOP EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO "
        f"{cw}, {an}, {ad}', f); END LOOP; END $$",
    ]
    return out + STATISTICS


# Statistics views and functions tell any login how many rows each table took in and when
# (pg_stat_user_tables.n_tup_ins, pg_stat_database.tup_inserted, pg_relation_size, the calls of
# ubu_submit_records in pg_stat_user_functions): watched before and after a colleague's session,
# that is a count of one. Their grants live in this database's own catalogue, so revoking them
# here changes no other database; only a superuser may. What cannot be revoked is listed in the
# README (pg_class.reltuples and relpages, transaction ids, who is connected).
STATISTICS = [
    "DO $$ DECLARE f regprocedure; v regclass; BEGIN "
    "IF NOT (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user) THEN "
    "RAISE NOTICE 'statistics views left readable: only a superuser can revoke them'; RETURN; "
    "END IF; "
    "FOR f IN SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p "
    "WHERE p.pronamespace = 'pg_catalog'::regnamespace AND (p.proname LIKE 'pg\\_stat\\_get\\_%' "
    "OR p.proname IN ('pg_relation_size', 'pg_total_relation_size', 'pg_table_size', "
    "'pg_indexes_size', 'pg_database_size')) "
    "LOOP EXECUTE pg_catalog.format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f); END LOOP; "
    "FOR v IN SELECT c.oid::regclass FROM pg_catalog.pg_class c "
    "WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'v' "
    "AND (c.relname LIKE 'pg\\_stat\\_%' OR c.relname LIKE 'pg\\_statio\\_%') "
    "LOOP EXECUTE pg_catalog.format('REVOKE SELECT ON %s FROM PUBLIC', v); END LOOP; END $$",
]


def statistics_revoked(engine: Engine) -> bool:
    """Whether the statistics views are out of reach of PUBLIC in this database."""
    with engine.connect() as conn:
        return not conn.execute(text(
            "SELECT pg_catalog.has_table_privilege('public', 'pg_catalog.pg_stat_user_tables', "
            "'SELECT')")).scalar()


def create_roles(engine: Engine, prefix: str = "ubu") -> list[str]:
    if engine.url.get_backend_name() != "postgresql":
        raise InputRejected(_("Roller finns bara i PostgreSQL; den inbyggda SQLite-databasen "
                              "skyddas av filens behörigheter."))
    _run(engine, role_statements(prefix))
    return [f"{prefix}_{r}: {what}" for r, what in ROLES.items()]


def _run(engine: Engine, statements: list[str]) -> None:
    if engine.url.get_backend_name() != "postgresql":
        raise InputRejected(_("Roller finns bara i PostgreSQL; den inbyggda SQLite-databasen "
                              "skyddas av filens behörigheter."))
    try:
        with engine.begin() as conn:
            for sql in statements:
                conn.execute(text(sql))
    except exc.SQLAlchemyError as err:
        raise explain(err, engine) from None


_LOGIN = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def login_statements(login: str, municipality: str, prefix: str = "ubu") -> list[str]:
    """Make `login` a caseworker login that acts for one municipality (its drafts, its
    records' export and withdrawal, submissions of its records only)."""
    if not _LOGIN.match(login or ""):
        raise InputRejected(_("Inloggningen {login} ska vara ett rollnamn i PostgreSQL med "
                              "gemener (bokstäver, siffror, _; högst 63 tecken).")
                             .format(login=repr(login)))
    check_municipality(municipality)
    return [
        f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{login}') "
        f"THEN CREATE ROLE {login} LOGIN; END IF; END $$",
        f"GRANT {prefix}_caseworker TO {login}",
        f"INSERT INTO public.ubu_login (login, municipality) VALUES ('{login}', "
        f"'{municipality}') ON CONFLICT (login) DO UPDATE SET municipality = "
        "EXCLUDED.municipality",
    ]


def map_login(engine: Engine, login: str, municipality: str, prefix: str = "ubu") -> str:
    _run(engine, login_statements(login, municipality, prefix))
    return f"{login}: a {prefix}_caseworker login acting for municipality {municipality}"


@dataclass(frozen=True)
class Release:
    waiting: int             # records that wait for the next release
    registry_changes: int    # held registry changes this release applied (pg_registry)


def release(engine: Engine, now: bool = False) -> int:
    """Make a release (with `now`: every record received so far counts from here on); return
    how many records wait for the next one. Only the owner may (store/pg_release.py)."""
    return make_release(engine, now).waiting


def make_release(engine: Engine, now: bool = False) -> Release:
    """A release, with the number of held registry changes it applied as well: a login's
    change of a unit's grouping counts from the next release (store/pg_registry.py)."""
    if not on_postgres(engine):
        raise InputRejected(_("Utgåvor finns bara i den gemensamma PostgreSQL-databasen; i den "
                              "inbyggda SQLite-databasen räknas varje post direkt."))
    try:
        with engine.begin() as conn:
            if not conn.execute(text("SELECT pg_catalog.has_function_privilege("
                                     "'public.ubu_release(boolean)', 'EXECUTE')")).scalar():
                raise InputRejected(_("Bara databasens ägare gör en utgåva: anslut som ägaren "
                                      "(den som kör db upgrade). Ingenting ändrades."))
            # (ubu_release applies them as well; applied here first, they are counted)
            applied = int(conn.execute(text("SELECT public.ubu_apply_unit_changes(:now)"),
                                       {"now": now}).scalar_one())
            waiting = int(conn.execute(text("SELECT public.ubu_release(:now)"),
                                       {"now": now}).scalar_one())
            return Release(waiting, applied)
    except exc.SQLAlchemyError as err:
        raise explain(err, engine) from None


def sync_instruments(engine: Engine) -> int:
    """Write the shipped instrument versions' items into the shared database; return how many
    versions (nothing to do on SQLite, which checks every record in Python)."""
    from ubu_tui.store import pg_instruments

    if not on_postgres(engine):
        return 0
    try:
        with engine.begin() as conn:
            return pg_instruments.sync(conn)
    except exc.SQLAlchemyError as err:
        raise explain(err, engine) from None
