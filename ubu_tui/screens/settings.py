"""Settings for this run: theme (including high contrast); where the data is kept."""

from __future__ import annotations

from dataclasses import replace

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from ubu_tui.i18n import LANGUAGES, N_, _, interface_languages
from ubu_tui.screens.base import UbuScreen
from ubu_tui.store.engine import describe
from ubu_tui.widgets.footer import UbuFooter

THEMES = ("textual-dark", "textual-light", "ubu-high-contrast")


class SettingsScreen(UbuScreen):
    BINDINGS = [Binding("escape", "app.pop_screen", N_("Tillbaka"))]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Inställningar"), classes="title")
        yield Static(_("Databas: {url}").format(url=describe(self.ubu.engine)), classes="muted")
        yield Static(_("Tema (Enter väljer):"), classes="muted")
        yield OptionList(*[Option(name, id=name) for name in THEMES], id="themes")
        yield Static(_("Gränssnittets språk (Enter väljer; intervjuspråket väljs per del):"),
                     classes="muted")
        yield OptionList(*[Option(LANGUAGES[lang], id=lang) for lang in interface_languages()],
                         id="languages")
        yield Static(_("Svar (Enter väljer):"), classes="muted")
        yield OptionList(Option(_("En tangent per svar: siffran sparar och går vidare"),
                                id="one-key"),
                         Option(_("Siffra och sedan Enter"), id="enter"), id="answer-keys")
        yield UbuFooter()

    async def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "languages":
            await self.ubu.switch_language(str(event.option.id))
            return
        if event.option_list.id == "answer-keys":
            enter = event.option.id == "enter"
            self.ubu.settings = replace(self.ubu.settings, enter_confirms=enter)
            self.notify(_("Svar: siffra och Enter.") if enter else _("Svar: en tangent."))
            return
        self.app.theme = str(event.option.id)
        self.notify(_("Tema: {name}").format(name=event.option.id))
