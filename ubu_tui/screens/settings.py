"""Settings for this run: theme (including high contrast); where the data is kept."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from ubu_tui.i18n import N_, _
from ubu_tui.screens.base import UbuScreen
from ubu_tui.store.engine import describe

THEMES = ("textual-dark", "textual-light", "ubu-high-contrast")


class SettingsScreen(UbuScreen):
    BINDINGS = [Binding("escape", "app.pop_screen", N_("Tillbaka"))]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Inställningar"), classes="title")
        yield Static(_("Databas: {url}").format(url=describe(self.ubu.engine)), classes="muted")
        yield Static(_("Tema (Enter väljer):"), classes="muted")
        yield OptionList(*[Option(name, id=name) for name in THEMES], id="themes")
        yield Footer()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.app.theme = str(event.option.id)
        self.notify(_("Tema: {name}").format(name=event.option.id))
