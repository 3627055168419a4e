"""Drafts: the coded state of an unfinished follow-up, saved after every confirmed answer."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import col, delete, select

from ubu_tui.errors import StoreError
from ubu_tui.i18n import _
from ubu_tui.instrument.loader import instrument_by_version
from ubu_tui.interview.followup import FollowUp
from ubu_tui.store.engine import session_for
from ubu_tui.store.glance import count_drafts as count_drafts  # re-exported
from ubu_tui.store.glance import purge_old_drafts as purge_old_drafts  # re-exported
from ubu_tui.store.labels import check_label
from ubu_tui.store.models import Draft
from ubu_tui.store.schema import store_kind


@dataclass(frozen=True)
class DraftInfo:
    id: str
    label: str
    age: timedelta
    state: dict
    scenario: str | None = None


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were written in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def save_draft(engine: Engine, followup: FollowUp, label: str,
               scenario: str | None = None) -> None:
    """Write the whole coded state in one durable transaction.

    `scenario` marks a practice run, and only a practice store takes one.
    """
    label = check_label(label)
    if scenario is not None and store_kind(engine) != "practice":
        raise StoreError(_("Ett övningsförsök kan bara sparas i övningsdatabasen."))
    state = json.dumps(followup.to_state(), separators=(",", ":"))
    now = _now()
    with session_for(engine) as session:
        # One UPDATE, and an insert only for a new draft: it runs after every answer, and
        # loading the row into the ORM first cost more than the write itself.
        table = Draft.__table__  # type: ignore[attr-defined]
        updated = session.connection().execute(
            update(table).where(table.c.id == followup.id)
            .values(label=label, state=state, updated_at=now))
        if updated.rowcount == 0:
            session.add(Draft(id=followup.id, label=label, created_at=now, updated_at=now,
                              state=state, scenario=scenario,
                              municipality=followup.setup.municipality))
        session.commit()


def list_drafts(engine: Engine) -> list[DraftInfo]:
    now = _now()
    with session_for(engine) as session:
        rows = session.exec(select(Draft).order_by(col(Draft.updated_at).desc())).all()
        return [DraftInfo(d.id, d.label, now - _aware(d.created_at), json.loads(d.state),
                          d.scenario) for d in rows]


def load_draft(engine: Engine, draft_id: str) -> tuple[FollowUp, str]:
    with session_for(engine) as session:
        draft = session.get(Draft, draft_id)
        if draft is None:
            raise StoreError(_("Utkastet finns inte längre (det har skickats in, kastats eller "
                               "rensats bort)."))
        state = json.loads(draft.state)
    instrument = instrument_by_version(*state["instrument"])
    return FollowUp.from_state(instrument, state), draft.label


def discard_draft(engine: Engine, draft_id: str) -> None:
    with session_for(engine) as session:
        session.exec(delete(Draft).where(col(Draft.id) == draft_id))  # type: ignore[call-overload]
        session.commit()
