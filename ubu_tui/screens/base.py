"""What every screen of the app shares: typed access to the app."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.screen import Screen

if TYPE_CHECKING:
    from ubu_tui.app import UbuApp


class UbuScreen(Screen[None]):
    @property
    def ubu(self) -> UbuApp:
        return cast("UbuApp", self.app)
