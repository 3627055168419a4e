"""The App: screens, theme, privacy key. No business rules: those live in the layers below."""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.theme import Theme

from ubu_tui.config import Settings
from ubu_tui.errors import UbuError
from ubu_tui.i18n import N_, _
from ubu_tui.instrument import Instrument, default_instrument
from ubu_tui.interview.followup import FollowUp
from ubu_tui.store.drafts import save_draft

HIGH_CONTRAST = Theme(
    name="ubu-high-contrast", primary="#ffff00", secondary="#00ffff", accent="#ffffff",
    foreground="#ffffff", background="#000000", surface="#000000", panel="#202020",
    boost="#303030", warning="#ffb000", error="#ff6060", success="#40ff40", dark=True,
)


class UbuApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "ubu – UBU-uppföljning"
    BINDINGS = [
        Binding("f2", "privacy", N_("Skydd"), priority=True),
        Binding("ctrl+l", "privacy", N_("Skärmskydd"), show=False, priority=True),
        Binding("ctrl+q", "quit", N_("Avsluta"), show=False, priority=True),
    ]

    def __init__(self, settings: Settings, engine: Engine, *,
                 instrument: Instrument | None = None, today: date | None = None,
                 purged: int = 0) -> None:
        super().__init__()
        self.settings = settings
        self.engine = engine
        self.instrument = instrument or default_instrument()
        self._today = today
        self.purged = purged

    def today(self) -> date:
        return self._today or date.today()

    def on_mount(self) -> None:
        self.register_theme(HIGH_CONTRAST)
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme

    def get_default_screen(self) -> Screen:
        from ubu_tui.screens.home import HomeScreen

        return HomeScreen()

    def action_privacy(self) -> None:
        from ubu_tui.screens.dialogs import PrivacyScreen

        if isinstance(self.screen, PrivacyScreen):
            self.screen.dismiss(None)
        else:
            self.push_screen(PrivacyScreen())

    def save(self, followup: FollowUp, label: str) -> bool:
        """Save the draft; on failure tell the user and return False (state stays in memory)."""
        try:
            save_draft(self.engine, followup, label)
            return True
        except UbuError as err:
            self.notify(_("Kunde inte spara: {error}").format(error=err), severity="error",
                        timeout=15)
            return False

    def return_home(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()


def make_app(settings: Settings, engine: Engine | None = None, **kwargs: object) -> UbuApp:
    """The one way to build the app, for the command and for tests."""
    if engine is None:
        from ubu_tui.store import open_store

        engine = open_store(settings.database_url, practice=settings.practice)
    return UbuApp(settings, engine, **kwargs)  # type: ignore[arg-type]
