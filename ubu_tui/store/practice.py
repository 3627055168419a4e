"""Practice results: kept in the practice store only, for a trainer to compare a group."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from ubu_tui.errors import StoreError
from ubu_tui.i18n import _
from ubu_tui.store.engine import session_for
from ubu_tui.store.models import PracticeResult
from ubu_tui.store.schema import store_kind


@dataclass(frozen=True)
class Score:
    scenario: str
    score: int
    checks: int
    mistakes: int
    seconds: int


def save_result(engine: Engine, score: Score, *, participant: int | None, day: date) -> None:
    if store_kind(engine) != "practice":
        raise StoreError(_("Övningsresultat sparas bara i övningsdatabasen."))
    with session_for(engine) as session:
        session.add(PracticeResult(day=day.isoformat(), participant=participant,
                                   scenario=score.scenario, score=score.score,
                                   checks=score.checks, mistakes=score.mistakes,
                                   seconds=score.seconds))
        session.commit()


def list_results(engine: Engine, day: date | None = None) -> list[PracticeResult]:
    """Newest day first, then by participant and scenario."""
    with session_for(engine) as session:
        query = select(PracticeResult)
        if day is not None:
            query = query.where(col(PracticeResult.day) == day.isoformat())
        rows = session.exec(query.order_by(col(PracticeResult.day).desc(),
                                           col(PracticeResult.participant),
                                           col(PracticeResult.scenario),
                                           col(PracticeResult.id))).all()
        session.expunge_all()
        return list(rows)


def format_results(rows: list[PracticeResult]) -> str:
    """A plain table for the terminal and for `ubu practice-scores`."""
    from ubu_tui.i18n import _

    if not rows:
        return _("Inga övningsresultat ännu.") + "\n"
    day, who, scenario, score, mistakes, time = (_("dag"), _("deltagare"), _("scenario"),
                                                 _("poäng"), _("fel"), _("tid"))
    head = (f"{day:<10}  {who:>9}  {scenario:<26}  {score:>5}  {mistakes:>4}  {time:>6}")
    lines = [head, "-" * len(head)]
    for r in rows:
        who = str(r.participant) if r.participant is not None else "–"
        lines.append(f"{r.day:<10}  {who:>9}  {r.scenario:<26}  {r.score:>5}  "
                     f"{r.mistakes:>4}  {r.seconds // 60:>3}:{r.seconds % 60:02d}")
    return "\n".join(lines) + "\n"
