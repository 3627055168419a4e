"""One practice run: the scenario being played, how its lines are shown, and time per item.

Pure Python, so the UI only asks it questions: which line to show, whether a session is part of
the exercise, whether the run is done, and what the feedback is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from time import monotonic

from ubu_tui.interview.followup import FollowUp
from ubu_tui.practice.feedback import Feedback, assess
from ubu_tui.practice.scenario import Scenario


@dataclass
class PracticeRun:
    scenario: Scenario
    solo: bool = True                 # False: a trainer plays the respondent from `ubu trainer`
    participant: int | None = None
    started: bool = False             # the trainee judged the follow-up due and started it
    seconds: dict[str, float] = field(default_factory=dict)
    _shown: tuple[str, float] | None = None

    def scripted(self, respondent: str) -> bool:
        return respondent in self.scenario.scripts

    def line(self, respondent: str, item_id: str) -> str | None:
        """What the respondent says to this item, shown to a trainee practising alone."""
        script = self.scenario.scripts.get(respondent)
        if not self.solo or script is None:
            return None
        if item_id == script.break_at:
            return script.break_says or "(vill inte fortsätta)"
        line = script.lines.get(item_id)
        return line.says if line else None

    def consent_line(self, respondent: str) -> str | None:
        script = self.scenario.scripts.get(respondent)
        if not self.solo or script is None:
            return None
        return script.consent_says or None

    def shown(self, item_id: str, now: float | None = None) -> None:
        self._shown = (item_id, monotonic() if now is None else now)

    def answered(self, item_id: str, now: float | None = None) -> None:
        if self._shown is None or self._shown[0] != item_id:
            return
        spent = (monotonic() if now is None else now) - self._shown[1]
        self.seconds[item_id] = self.seconds.get(item_id, 0.0) + spent
        self._shown = None

    def done(self, followup: FollowUp) -> bool:
        """Every scripted session is closed: the exercise can be scored."""
        return all(followup.session(r).closed for r in self.scenario.scripts)

    def feedback(self, followup: FollowUp | None) -> Feedback:
        return assess(self.scenario, followup, self.started, dict(self.seconds))
