"""The App: screens, theme, privacy key. No business rules: those live in the layers below.

The home screen is drawn before the database layer is even imported: SQLAlchemy and SQLModel
take longer to import than Textual itself, so the store is opened in a worker thread and the
screens that need it wait for `store_ready`. Set-up needs it only to start, so `n` pressed at
start-up is served at once. The worker gives way to a key being served (one thread runs Python
at a time), opens the store on SQLAlchemy Core alone, and only then imports the ORM and the
next screens' modules (`_load_ahead`).
"""

from __future__ import annotations

import gc
import time
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.theme import Theme

from ubu_tui.config import Settings
from ubu_tui.errors import UbuError
from ubu_tui.i18n import N_, _
from ubu_tui.typeahead import TypeAhead

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from ubu_tui.instrument import Instrument
    from ubu_tui.interview.followup import FollowUp
    from ubu_tui.practice.run import PracticeRun

# What opening the store imports, in order: SQLAlchemy Core and no more (store.glance).
STORE_MODULES = ("sqlalchemy", "ubu_tui.store.engine", "ubu_tui.store.schema",
                 "ubu_tui.store.glance")
# What the next screens need, imported once the home screen has its figures, so that a key
# pressed a moment later finds them loaded: the ORM and the models, and set-up's widgets.
LATER_MODULES = ("sqlalchemy.orm", "sqlmodel", "ubu_tui.store.models", "ubu_tui.store.drafts",
                 "ubu_tui.store.submissions", "ubu_tui.store.registry", "ubu_tui.screens.setup",
                 "ubu_tui.screens.resume")

HIGH_CONTRAST = Theme(
    name="ubu-high-contrast", primary="#ffff00", secondary="#00ffff", accent="#ffffff",
    foreground="#ffffff", background="#000000", surface="#000000", panel="#202020",
    boost="#303030", warning="#ffb000", error="#ff6060", success="#40ff40", dark=True,
)


class UbuApp(TypeAhead, App[None]):
    CSS_PATH = "app.tcss"
    # Textual's command palette offers only its own English commands; its footer entry took
    # room the caseworker's keys need at 80 columns.
    ENABLE_COMMAND_PALETTE = False
    TITLE = "ubu – UBU-uppföljning"
    BINDINGS = [
        Binding("f2", "privacy", N_("Skydd"), priority=True),
        Binding("ctrl+l", "privacy", N_("Skydd"), show=False, priority=True),
        Binding("ctrl+q", "quit", N_("Avsluta"), show=False, priority=True),
    ]

    class StoreReady(Message):
        """The database is open and at the current schema."""

    def __init__(self, settings: Settings, engine: Engine | None = None, *,
                 instrument: Instrument | None = None, today: date | None = None,
                 purged: int = 0, practice_engine: Engine | None = None) -> None:
        self._theme_for: tuple[str, Theme] | None = None
        super().__init__()
        self._typeahead_init()
        from ubu_tui.i18n import use_language

        use_language(settings.language)     # before any screen is composed
        self.settings = settings
        self._engine = engine
        self._practice_engine = practice_engine
        self._real_engine: Engine | None = None   # set aside while a practice is open
        self.practice_run: PracticeRun | None = None
        self._instrument = instrument
        self._today = today
        self.purged = purged

    @property
    def current_theme(self) -> Theme:
        # Textual finds the theme by name in a fresh copy of its table of themes, and does so
        # for every widget it draws (some thirty times a frame): remember it per name instead
        name = self.theme
        if self._theme_for is None or self._theme_for[0] != name:
            self._theme_for = (name, super().current_theme)
        return self._theme_for[1]

    def register_theme(self, theme: Theme) -> None:
        self._theme_for = None
        super().register_theme(theme)

    def unregister_theme(self, theme_name: str) -> None:
        self._theme_for = None
        super().unregister_theme(theme_name)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            raise UbuError(_("Databasen öppnas fortfarande; försök igen om ett ögonblick."))
        return self._engine

    @property
    def store_ready(self) -> bool:
        return self._engine is not None

    _reads_only: bool | None = None

    @property
    def reads_only(self) -> bool:
        """A login of the shared database that keeps no drafts (an analyst's, an admin's):
        it reads results; interviews need a caseworker login."""
        if self._reads_only is None:
            from ubu_tui.store.glance import keeps_drafts

            self._reads_only = not keeps_drafts(self.engine)
        return self._reads_only

    @property
    def instrument(self) -> Instrument:
        if self._instrument is None:
            from ubu_tui.instrument import default_instrument
            from ubu_tui.instrument.loader import local_instrument

            version = self.settings.instrument_version
            self._instrument = local_instrument(version) if version else default_instrument()
        return self._instrument

    def today(self) -> date:
        return self._today or date.today()

    def on_mount(self) -> None:
        from ubu_tui.i18n import translate_bindings

        translate_bindings(self)
        self.register_theme(HIGH_CONTRAST)
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        if self._engine is None:
            # after the first frame: the import would otherwise compete with it for the GIL
            self.call_after_refresh(self.run_worker, self._open_store, thread=True,
                                    exclusive=True, group="store")

    def _open_store(self) -> None:
        import importlib

        from ubu_tui.startup import release_collector

        self._let_keys_go_first()
        release_collector(freeze=True)      # start-up is over: see ubu_tui.startup
        # Step by step, letting a key typed at start-up go first between steps: only one
        # thread runs Python at a time, so an import beside the key's screen slows both.
        for module in STORE_MODULES:
            self._let_keys_go_first()
            importlib.import_module(module)
        from ubu_tui.store import open_store
        from ubu_tui.store.glance import keeps_drafts, purge_old_drafts

        url = self.settings.practice_url if self.settings.practice else self.settings.database_url
        try:
            engine = open_store(url, practice=self.settings.practice)
            self._reads_only = not keeps_drafts(engine)
            purged = 0 if self._reads_only else purge_old_drafts(engine)
        except UbuError as err:
            self.call_from_thread(self.exit, None, 2, f"ubu: {err}")
            return
        self.call_from_thread(self._store_opened, engine, purged)
        self._load_ahead()

    def _load_ahead(self) -> None:
        """(In the worker.) What the next screens need, before a key asks for it; a failure
        here is left for the screen that needs the module to report."""
        import importlib

        for module in LATER_MODULES:
            self._let_keys_go_first()
            if self.return_code is not None:     # quitting: the process waits for this thread
                return
            try:
                importlib.import_module(module)
            except Exception:
                return
        self._let_keys_go_first()
        try:
            self._instrument = self.instrument   # parse the instrument off the UI thread too
        except UbuError:
            pass
        # What is loaded now stays for the life of the process: the garbage collector need
        # not look at it again. A full collection walked all of it (tens of milliseconds, on
        # whatever key it fell).
        gc.freeze()

    def _let_keys_go_first(self, patience: float = 1.0) -> None:
        """(In the worker.) Wait while a key is being served, unless it waits for the store;
        never longer than `patience` seconds, so that a stream of keys cannot hold it off."""
        deadline = time.monotonic() + patience
        while self.keys_held() and time.monotonic() < deadline:
            stack = self.screen_stack
            if stack and not getattr(stack[-1], "takes_keys", True):
                return
            time.sleep(0.005)

    def _store_opened(self, engine: Engine, purged: int) -> None:
        self._engine = engine
        self.purged = purged
        for screen in self.screen_stack:     # a screen pushed meanwhile (set-up) waits too
            screen.post_message(self.StoreReady())
        self.keys_may_flow()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded and \
                await self._typeahead_key(event):
            return
        await super().on_event(event)

    def get_default_screen(self) -> Screen:
        from ubu_tui.screens.home import HomeScreen

        return HomeScreen()

    def action_privacy(self) -> None:
        from ubu_tui.screens.dialogs import PrivacyScreen

        if isinstance(self.screen, PrivacyScreen):
            self.screen.dismiss(None)
        else:
            self.push_screen(PrivacyScreen())

    # --- practice -----------------------------------------------------------------------
    def enter_practice(self) -> None:
        """Swap in the practice store: every screen after this reads and writes only there."""
        if self.settings.practice:
            return
        if self._practice_engine is None:
            from ubu_tui.store import open_store

            self._practice_engine = open_store(self.settings.practice_url, practice=True)
        self._real_engine, self._engine = self._engine, self._practice_engine
        self.settings = replace(self.settings, practice=True)

    def leave_practice(self) -> None:
        self.practice_run = None
        if self._real_engine is None:
            return          # the app was started for practice only
        self._engine, self._real_engine = self._real_engine, None
        self.settings = replace(self.settings, practice=False)

    def save(self, followup: FollowUp, label: str) -> bool:
        """Save the draft; on failure tell the user and return False (state stays in memory)."""
        from ubu_tui.store.drafts import save_draft

        run = self.practice_run
        try:
            save_draft(self.engine, followup, label, run.scenario.id if run else None)
            return True
        except UbuError as err:
            self.notify(_("Kunde inte spara: {error}").format(error=err), severity="error",
                        timeout=15)
            return False

    async def switch_language(self, language: str) -> None:
        """Change the interface language now: every open screen is drawn again in it."""
        from ubu_tui.i18n import translate_bindings, use_language

        use_language(language)
        self.settings = replace(self.settings, language=language)
        translate_bindings(self)
        from ubu_tui.screens.base import UbuScreen

        for screen in self.screen_stack:
            translate_bindings(screen)
            await screen.recompose()
            if isinstance(screen, UbuScreen):
                screen.add_watermark()       # mounted, not composed: recompose removed it
            screen.refresh_bindings()
        self.notify(_("Språk: {name}").format(name=language))

    def return_home(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()


def make_app(settings: Settings, engine: Engine | None = None, **kwargs: object) -> UbuApp:
    """The one way to build the app, for the command and for tests.

    Without an engine the app opens the store from `settings` itself, after its first frame.
    """
    from ubu_tui import callbacks

    callbacks.install()
    return UbuApp(settings, engine, **kwargs)  # type: ignore[arg-type]
