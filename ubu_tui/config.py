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
    practice: bool = False

    @classmethod
    def from_env(cls, **overrides: str | None) -> Settings:
        env: dict[str, str | None] = {
            "database_url": os.environ.get("UBU_DATABASE_URL") or None,
            "municipality": os.environ.get("UBU_MUNICIPALITY", ""),
            "language": os.environ.get("UBU_LANGUAGE", "sv"),
            "theme": os.environ.get("UBU_THEME", "textual-dark"),
        }
        env.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**env)  # type: ignore[arg-type]
