"""Settings from arguments, environment (UBU_*) and defaults, in that order."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    database_url: str | None = None      # None: the SQLite file in the user's data folder
    municipality: str = ""               # four digits; asked at set-up when empty
    language: str = "sv"                 # interface language
    theme: str = "textual-dark"
    practice: bool = False               # run the whole app on the practice store
    practice_url: str | None = None      # None: the practice SQLite file beside the real one

    @classmethod
    def from_env(cls, **overrides: str | bool | None) -> Settings:
        env: dict[str, str | bool | None] = {
            "database_url": os.environ.get("UBU_DATABASE_URL") or None,
            "municipality": os.environ.get("UBU_MUNICIPALITY", ""),
            "language": os.environ.get("UBU_LANGUAGE", "sv"),
            "theme": os.environ.get("UBU_THEME", "textual-dark"),
            "practice_url": os.environ.get("UBU_PRACTICE_DATABASE_URL") or None,
        }
        env.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**env)  # type: ignore[arg-type]
