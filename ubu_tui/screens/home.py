"""Home: start, resume, results, practice, settings."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from ubu_tui.errors import UbuError
from ubu_tui.i18n import N_, _, ngettext
from ubu_tui.screens.base import UbuScreen
from ubu_tui.widgets.footer import UbuFooter

READS_ONLY = N_("Inloggningen {login} läser resultat (e) och täckning (t). Intervjuer och "
               "utkast kräver en handläggarinloggning för en kommun.")


class HomeScreen(UbuScreen):
    BINDINGS = [
        Binding("n", "start", N_("Ny uppföljning")),
        Binding("r", "resume", N_("Återuppta")),
        Binding("e", "results", N_("Resultat")),
        # in the menu only: one more footer entry would push "Inställningar" off 80 columns
        Binding("t", "coverage", N_("Täckning"), show=False),
        Binding("o", "practice", N_("Övning")),
        Binding("i", "settings", N_("Inställningar")),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("UBU-uppföljning av avslutad placering"), classes="title")
        yield Static(id="home-status", classes="muted")
        yield OptionList(
            Option(_("n  Ny uppföljning"), id="start"),
            Option(_("r  Återuppta ett utkast"), id="resume"),
            Option(_("e  Resultat"), id="results"),
            Option(_("t  Täckning: avslutade placeringar"), id="coverage"),
            Option(_("o  Övning"), id="practice"),
            Option(_("i  Inställningar"), id="settings"),
            id="home-menu",
        )
        yield UbuFooter()

    _practice_opened = False

    def on_mount(self) -> None:
        self.query_one("#home-menu", OptionList).highlighted = 0
        self._show_purged()
        if self.ubu.settings.practice and self.ubu.store_ready:
            self.call_later(self.action_practice)   # `ubu --practice` opens practice itself

    def _show_purged(self) -> None:
        if self.ubu.purged:
            self.notify(ngettext(
                "{n} utkast var äldre än 90 dagar och har raderats.",
                "{n} utkast var äldre än 90 dagar och har raderats.", self.ubu.purged).format(
                n=self.ubu.purged), timeout=20)
            self.ubu.purged = 0

    _pending: str | None = None

    @property
    def takes_keys(self) -> bool:
        """Keys typed after one that waits for the store wait too (see typeahead)."""
        return self._pending is None

    async def on_ubu_app_store_ready(self) -> None:
        self._show_purged()
        # not under a screen the caseworker opened meanwhile (`i`): practice would cover it
        if self.ubu.settings.practice and not self._pending and not self._practice_opened \
                and self.app.screen is self:
            self._pending = "practice"      # `ubu --practice` opens practice itself
        self.on_screen_resume()
        if self._pending:
            action, self._pending = self._pending, None
            self.ubu.keys_may_flow()        # keys held behind this one need not wait longer
            await self.run_action(action)

    def on_screen_resume(self) -> None:
        if not self.ubu.store_ready:
            self.query_one("#home-status", Static).update(_("Öppnar databasen …"))
            return
        from ubu_tui.store.glance import count_drafts, count_submissions

        try:
            if self.ubu.reads_only:
                self.query_one("#home-status", Static).update(_(READS_ONLY).format(
                    login=self.ubu.engine.url.username))
                return
            drafts, submitted = count_drafts(self.ubu.engine), count_submissions(
                self.ubu.engine)
        except UbuError as err:
            self.query_one("#home-status", Static).update(str(err))
            return
        self.query_one("#home-status", Static).update(
            _("Utkast: {d} · Inskickade uppföljningar: {s}").format(d=drafts, s=submitted))

    async def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        action = event.option.id
        await self.run_action(str(action))

    def _later(self, action: str) -> bool:
        """Queue the action until the store is open; True when it had to wait."""
        if self.ubu.store_ready:
            return False
        self._pending = action
        return True

    def _interviews_refused(self) -> bool:
        """An analyst's or admin's login reads results only: said at once, not at the first
        answer saved."""
        if self.ubu.store_ready and self.ubu.reads_only:
            self.notify(_(READS_ONLY).format(login=self.ubu.engine.url.username),
                        severity="error", timeout=15)
            return True
        return False

    def action_start(self) -> None:
        # Set-up is shown without the store (it waits for it only to start or pick a unit),
        # so that `n` pressed at start-up is served at once; `ubu --practice` first opens the
        # practice, which needs the store.
        if self.ubu.settings.practice and self._later("start") or self._interviews_refused():
            return
        from ubu_tui.screens.setup import SetupScreen

        self.app.push_screen(SetupScreen())

    def action_resume(self) -> None:
        if self._later("resume") or self._interviews_refused():
            return
        from ubu_tui.screens.resume import ResumeScreen

        self.app.push_screen(ResumeScreen())

    def action_results(self) -> None:
        if self._later("results"):
            return
        if self.ubu.settings.practice:
            self.notify(_("Övningar ger inga resultat: resultat visas bara från riktiga "
                          "uppföljningar."), severity="warning")
            return
        from ubu_tui.screens.results import ResultsScreen

        self.app.push_screen(ResultsScreen())

    def action_coverage(self) -> None:
        if self._later("coverage"):
            return
        if self.ubu.settings.practice:
            self.notify(_("Täckning räknas bara för riktiga uppföljningar, inte i övningen."),
                        severity="warning")
            return
        from ubu_tui.screens.coverage import CoverageScreen

        self.app.push_screen(CoverageScreen())

    def action_practice(self) -> None:
        if self._later("practice"):
            return
        self._practice_opened = True
        from ubu_tui.screens.practice import PracticeScreen
        from ubu_tui.store.registry import count_units, import_units

        try:
            self.ubu.enter_practice()
            if count_units(self.ubu.engine) == 0:      # practice uses the fictional units
                from ubu_tui.instrument.loader import data_dir

                import_units(self.ubu.engine, data_dir() / "registry" / "demo-units.csv")
        except UbuError as err:
            self.ubu.leave_practice()
            self.notify(_("Övningen kunde inte öppnas: {error}").format(error=err),
                        severity="error", timeout=15)
            return
        self.app.push_screen(PracticeScreen())

    def action_settings(self) -> None:
        if self._later("settings"):     # it shows which database is open
            return
        from ubu_tui.screens.settings import SettingsScreen

        self.app.push_screen(SettingsScreen())
