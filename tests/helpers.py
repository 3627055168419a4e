"""Scripted answers shared by engine, store and UI tests."""

from __future__ import annotations

import io
import os
import subprocess
import traceback
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path
from typing import TYPE_CHECKING

from ubu_tui.instrument.model import AnswerType, Item
from ubu_tui.interview import Consent, FollowUp, RespondentSession, Response

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine


def first_answer(item: Item) -> Response:
    """A valid substantive answer for any item type."""
    if item.type is AnswerType.AGE:
        return Response(16)
    if item.type is AnswerType.UNIT:
        return Response(1003)
    if item.type is AnswerType.MULTI:
        return Response(2, ((item.options[0].code, 1), (item.options[1].code, 2)))
    if item.id == "y_violation":
        return Response(2)
    return Response(item.options[-1].code)


def answer_all(session: RespondentSession) -> None:
    if session.consent is None:
        session.set_consent(Consent.GIVEN)
    while True:
        if session.current is None:
            left = session.unanswered()
            if not left:
                return
            session.jump(left[0].id)      # items passed over by a jump ahead
        item = session.current
        session.answer(session.responses.get(item.id) or first_answer(item))


def complete_all(followup: FollowUp) -> FollowUp:
    for session in followup.sessions.values():
        if not session.closed:
            answer_all(session)
            session.complete()
    return followup


def ubu_here(*args: str, cwd: Path | None = None,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The `ubu` command run in this process: the same `main()` with the same arguments,
    environment and working folder, its exit code and its output, as `python -m ubu_tui` gives
    them. Without a new interpreter importing SQLAlchemy (0.6 s of CPU a time); tests that
    run the command many times to check a message use this, and some run the real process.
    An exception `main()` lets through is written out as Python would, so a `Traceback` in
    stderr still fails the check."""
    from ubu_tui.cli import main

    out, err = io.StringIO(), io.StringIO()
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    try:
        os.environ.update(env or {})
        if cwd is not None:
            os.chdir(cwd)
        with redirect_stdout(out), redirect_stderr(err):
            try:
                main(list(args))
                code = 0
            except SystemExit as end:
                if isinstance(end.code, str):
                    print(end.code, file=err)
                code = end.code if isinstance(end.code, int) else 0 if end.code is None else 1
            except BaseException:          # what a real process would die of
                traceback.print_exc(file=err)
                code = 1
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    return subprocess.CompletedProcess(["ubu", *args], code, out.getvalue(), err.getvalue())


TEMPLATE_KEPT_S = 24 * 3600      # a template no run has used for a day is dropped


def _schema_code_digest() -> str:
    """The migrations and the modules they generate their SQL from (the figure functions,
    the triggers, the instruments they sync): a template made by other code is another one."""
    import hashlib

    from ubu_tui.store.schema import migrations_digest

    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(migrations_digest().encode())
    for path in sorted([*(root / "ubu_tui").glob("store/*.py"),
                        *(root / "ubu_tui").glob("results/*.py"),
                        *(root / "ubu_tui").glob("instrument/*.py"),
                        *(root / "data" / "instruments").rglob("*.toml")]):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def fresh_pg_database(admin: Engine) -> str:
    """Create a database (`admin` in autocommit) already at ubu's schema; return its name.

    It is copied from a template database that every test process shares, migrated once per
    version of the code that makes the schema (its name carries a digest of it): running every
    migration cost about a second of CPU per database, client and server together, and CREATE
    DATABASE ... TEMPLATE is a file copy. Tests of migrating itself make their own empty
    databases.

    Several checkouts with different migrations (branches, worktrees) share one server, so a
    template is not dropped as soon as the migrations differ from it: that took it from under
    a run of another checkout, whose next copy failed ("template database ... does not
    exist") and whose next test migrated it again. Each use stamps the template (its comment);
    one unused for a day is dropped. The copy is made under the same lock as the check that
    the template is there, so no run of any checkout can drop it in between."""
    import secrets
    import time

    from sqlalchemy import text

    from ubu_tui.store import open_store
    from ubu_tui.store.schema import HEAD

    template = f"ubu_tmpl_{HEAD}_{_schema_code_digest()[:12]}"
    name = f"ubu_t_{secrets.token_hex(4)}"
    now = int(time.time())
    with admin.connect() as conn:
        # one process migrates the template; the others wait here for it
        conn.execute(text("SELECT pg_advisory_lock(hashtext('ubu test template'))"))
        try:
            known: dict[str, str | None] = {row[0]: row[1] for row in conn.execute(text(
                "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database "
                "WHERE datname LIKE 'ubu\\_tmpl\\_%'"))}
            for stale, stamp in known.items():
                if stale != template and _last_used(conn, stale, stamp) < now - TEMPLATE_KEPT_S:
                    conn.execute(text(f"DROP DATABASE IF EXISTS {stale} WITH (FORCE)"))
            if template not in known:
                conn.execute(text(f"CREATE DATABASE {template}"))
                made = open_store(admin.url.set(database=template).render_as_string(
                    hide_password=False))
                made.dispose()
            conn.execute(text(f"COMMENT ON DATABASE {template} IS 'ubu test template {now}'"))
            conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {template}"))
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(hashtext('ubu test template'))"))
    return name


def _last_used(conn: Connection, template: str, stamp: str | None) -> float:
    """When a template was last used: its stamp, else (made by a checkout that does not stamp)
    when its files were made, where the server lets us read that; else now (kept)."""
    import time

    from sqlalchemy import text

    if stamp and stamp.rsplit(" ", 1)[-1].isdigit():
        return int(stamp.rsplit(" ", 1)[-1])
    try:                            # (the admin connection is in autocommit)
        made = conn.execute(text(
            "SELECT extract(epoch FROM (pg_stat_file('base/' || oid || '/PG_VERSION'))"
            ".modification) FROM pg_database WHERE datname = :name"), {"name": template}).scalar()
    except Exception:               # not allowed to read the server's files
        made = None
    return float(made) if made is not None else time.time()


@contextmanager
def throwaway_pg_store() -> Iterator[Engine]:
    """A fresh PostgreSQL database at ubu's schema, opened by its owner; dropped afterwards
    whatever the test did (callers skip where `pg_url()` finds no server)."""
    from sqlalchemy import create_engine, text

    from tests.conftest import pg_url
    from ubu_tui.store import open_store

    url = pg_url()
    assert url is not None
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    name = None
    engine = None
    try:
        name = fresh_pg_database(admin)
        engine = open_store(url.rsplit("/", 1)[0] + f"/{name}")
        yield engine
    finally:
        if engine is not None:
            engine.dispose()
        if name is not None:
            with admin.connect() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()
