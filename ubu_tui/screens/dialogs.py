"""Small modal dialogs that return a typed result with dismiss()."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ubu_tui.i18n import N_, _
from ubu_tui.screens.base import KeepsLayout, TranslatedFooter
from ubu_tui.widgets.fields import DialogBox, FixedInput, UnitList
from ubu_tui.widgets.footer import UbuFooter


class PrivacyScreen(KeepsLayout, TranslatedFooter, ModalScreen[None]):
    """Blanks the display at once; the same key brings it back."""

    def compose(self) -> ComposeResult:
        yield Static(_("F2"))


class ChoiceDialog(KeepsLayout, TranslatedFooter, ModalScreen[str | None]):
    """Pick one of a few labelled choices by its key or with the arrows; Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", N_("Tillbaka"))]  # "Avbryt" is "Break off"

    def __init__(self, title: str, choices: list[tuple[str, str]], text: str = "") -> None:
        super().__init__()
        self.title_text, self.choices, self.text = title, choices, text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="title")
            if self.text:
                yield Static(self.text, classes="muted")
            yield OptionList(*[Option(f"{key}  {label}", id=key) for key, label in self.choices],
                             id="choices")
        yield UbuFooter()

    def on_key(self, event) -> None:  # type: ignore[no-untyped-def]
        if any(event.key == key for key, _label in self.choices):
            event.stop()
            self.dismiss(event.key)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class NoticeDialog(KeepsLayout, TranslatedFooter, ModalScreen[None]):
    """A message the interviewer must see before going on."""

    BINDINGS = [Binding("enter", "close", N_("Fortsätt")), Binding("escape", "close", show=False)]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text, self.text = title, text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog notice"):
            yield Static(self.title_text, classes="title")
            yield Static(self.text)
            yield Static(_("Tryck Enter för att fortsätta."), classes="muted")
        yield UbuFooter()

    def action_close(self) -> None:
        self.dismiss(None)


class UnitPicker(KeepsLayout, TranslatedFooter, ModalScreen[int | None]):
    """Find a provider unit by typing part of its name."""

    BINDINGS = [Binding("escape", "cancel", N_("Tillbaka"))]  # "Avbryt" is "Break off"

    def compose(self) -> ComposeResult:
        with DialogBox(classes="dialog"):
            yield Static(_("Välj enhet ur registret"), classes="title")
            # the dialog's width is fixed: a letter typed need not lay out the screen
            yield FixedInput(placeholder=_("Skriv en del av enhetens namn"), id="unit-search")
            yield UnitList(id="unit-list")
        yield UbuFooter()

    def on_mount(self) -> None:
        self._fill("")

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        units = self.query_one("#unit-list", UnitList)
        if units.option_count:
            self.dismiss(int(units.get_option_at_index(0).id or 0))

    def _fill(self, text: str) -> None:
        from ubu_tui.store.registry import UNIT_TYPES, find_units

        units = self.query_one("#unit-list", UnitList)
        engine = self.app.engine  # type: ignore[attr-defined]
        units.replace_options([Option(f"{u.name} ({UNIT_TYPES.get(u.unit_type, '?')})",
                                      id=str(u.id)) for u in find_units(engine, text, limit=8)])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0))

    def action_cancel(self) -> None:
        self.dismiss(None)
