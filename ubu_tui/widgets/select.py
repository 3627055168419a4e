"""Textual's Select, whose drop-down list is built after the screen is first drawn.

A Select composes its closed face and, hidden below it, the list it opens (an OptionList with
its options). The list is not seen until the Select is opened, yet building and styling it
was a third of what each Select cost, and set-up has three, all on the way to the screen that
a key pressed at start-up waits for. This Select draws the same closed face and adds its list
once the screen has been drawn, or at once if it is opened before that: the same screen,
the same keys.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.widgets import Select
from textual.widgets._select import SelectCurrent, SelectOverlay, SelectType

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.widgets._select import NoSelection


class LazySelect(Select[SelectType]):
    _overlay: SelectOverlay | None = None

    def compose(self) -> ComposeResult:
        yield SelectCurrent(self.prompt)

    def on_mount(self) -> None:
        self.call_after_refresh(self.add_overlay)

    async def add_overlay(self) -> None:
        """Build the list, as Select's own compose and mount would have (once)."""
        if self._overlay is not None or not self.is_attached:
            return
        overlay = SelectOverlay(type_to_search=self._type_to_search)
        overlay.compact = self.compact     # Select binds it; it never changes here
        self._overlay = overlay
        await self.mount(overlay)
        super()._setup_options_renderables()
        self._highlight(self.value)

    def _highlight(self, value: SelectType | NoSelection) -> None:
        if self._overlay is None or value == self.NULL:
            return
        for index, (_, option_value) in enumerate(self._options):
            if option_value == value:
                self._overlay.highlighted = index
                return

    # --- what Select does with its list, done once the list is there ---------------------
    def _setup_options_renderables(self) -> None:
        if self._overlay is not None:
            super()._setup_options_renderables()

    def _watch_value(self, value: SelectType | NoSelection) -> None:
        self._value = value
        try:
            current = self.query_one(SelectCurrent)
        except Exception:       # not composed yet, or removed: as Select
            return
        if value == self.NULL:
            current.update(self.NULL)
        else:
            for prompt, option_value in self._options:
                if option_value == value:
                    current.update(prompt)
                    break
            self._highlight(value)
        self.post_message(self.Changed(self, value))

    def _watch_prompt(self, prompt: str) -> None:
        if self._overlay is not None:
            super()._watch_prompt(prompt)
        elif self.is_mounted:
            current = self.query_one(SelectCurrent)
            current.placeholder = prompt
            if self._allow_blank and self.value == self.NULL:
                current.update(self.NULL)

    async def action_show_overlay(self) -> None:  # type: ignore[override]  # Textual awaits it
        await self.add_overlay()
        super().action_show_overlay()

    @on(SelectCurrent.Toggle)
    async def _toggle_with_overlay(self, event: SelectCurrent.Toggle) -> None:
        event.stop()
        event.prevent_default()       # instead of Select's handler, which needs the list
        await self.add_overlay()
        self.expanded = not self.expanded
