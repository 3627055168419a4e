"""Settings from arguments, environment (UBU_*) and defaults, in that order."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ubu_tui.results.disclosure import Threshold


@dataclass(frozen=True)
class Settings:
    database_url: str | None = None      # None: the SQLite file in the user's data folder
    municipality: str = ""               # four digits; asked at set-up when empty
    language: str = "sv"                 # interface language
    theme: str = "textual-dark"
    practice: bool = False               # run the whole app on the practice store
    practice_url: str | None = None      # None: the practice SQLite file beside the real one
    threshold: int = 3                   # suppression threshold; can only be raised
    enter_confirms: bool = False         # digit then Enter, instead of one key per answer
    # A municipality's local instrument version for new follow-ups ("2026.2+0180"); None: the
    # newest national version. A local version's records are never pooled nationally.
    instrument_version: str | None = None

    @classmethod
    def from_env(cls, **overrides: str | bool | None) -> Settings:
        env: dict[str, str | bool | None] = {
            "database_url": os.environ.get("UBU_DATABASE_URL") or None,
            "municipality": os.environ.get("UBU_MUNICIPALITY", ""),
            "language": os.environ.get("UBU_LANGUAGE", "sv"),
            "theme": os.environ.get("UBU_THEME", "textual-dark"),
            "practice_url": os.environ.get("UBU_PRACTICE_DATABASE_URL") or None,
            "instrument_version": os.environ.get("UBU_INSTRUMENT_VERSION") or None,
        }
        if os.environ.get("UBU_ENTER_CONFIRMS", "").lower() in ("1", "true", "yes", "ja"):
            env["enter_confirms"] = True
        if os.environ.get("UBU_THRESHOLD"):
            env["threshold"] = os.environ["UBU_THRESHOLD"]
        env.update({k: v for k, v in overrides.items() if v is not None})
        from ubu_tui.codes import check_municipality
        from ubu_tui.errors import InputRejected
        from ubu_tui.i18n import _

        if env["municipality"]:
            check_municipality(env["municipality"])
        raw = str(env.get("threshold", 3))
        if not re.fullmatch(r"[0-9]{1,4}", raw):     # not isdigit(): '²' and '١٢' are digits too
            raise InputRejected(_("spärrgränsen måste vara ett heltal, inte '{raw}'").format(
                raw=raw))
        env["threshold"] = int(raw)  # type: ignore[assignment]
        return cls(**env)  # type: ignore[arg-type]

    def threshold_in_force(self) -> Threshold:
        """The threshold, with where it came from: every report states both."""
        from ubu_tui.results.disclosure import DEFAULT_THRESHOLD, Threshold

        if self.threshold == DEFAULT_THRESHOLD:
            return Threshold()
        return Threshold(self.threshold, f"höjd till {self.threshold} i inställningarna "
                         "(UBU_THRESHOLD)")
