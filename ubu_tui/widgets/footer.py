"""The footer of every screen: Textual's, rebuilt only when what it shows changes.

Textual's Footer rebuilds all its keys after every change of the screen's bindings (a focus
move, a screen pushed, `refresh_bindings`), once per change even when several come before the
next frame, and even on a screen that another covers. At start-up the home screen's footer
was rebuilt three times while a key pressed at once was already building set-up above it, and
each new key widget had its styles worked out three times (its `compact` starts True and is
then bound to the footer's False). This footer shows the same keys; it just does the work
once, for the screen on top, and only when the keys shown differ.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.widgets import Footer
from textual.widgets._footer import FooterKey

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.screen import Screen

Shown = tuple[tuple[object, ...], ...]


class UbuFooter(Footer):
    _rebuild_pending = False
    _shown: Shown | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Textual's Footer composes empty and waits for the screen to announce its bindings,
        # after its first frame, to compose again with the keys: on every screen opened, a
        # second compose, a layout for the keys mounted and another for their sizes, often
        # still under way when the first key came (25 ms of it on the question screen). A
        # screen's bindings are known when its footer is composed; if they change once it is
        # mounted (focus, a check_action), `_rebuild` finds them different and composes again.
        self.set_reactive(Footer._bindings_ready, True)

    def _keys_shown(self) -> Shown:
        """What compose would draw, as a comparable value."""
        return tuple((binding.key, binding.key_display, binding.description, binding.action,
                      binding.group, enabled, tooltip)
                     for _, binding, enabled, tooltip in self.screen.active_bindings.values()
                     if binding.show) + ((self.show_command_palette,
                                          self.app.ENABLE_COMMAND_PALETTE, self.compact),)

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._shown = self._keys_shown()
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                # Its data binding sets this on mount; set now, it styles the key only once.
                widget.set_reactive(FooterKey.compact, self.compact)
            yield widget

    def bindings_changed(self, screen: Screen) -> None:  # type: ignore[type-arg]
        self._bindings_ready = True
        if not screen.app.app_focus or self._rebuild_pending:
            return
        if self.is_attached and screen is self.screen:
            self._rebuild_pending = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._rebuild_pending = False
        if self.is_attached and not self._covered() and self._keys_shown() != self._shown:
            await self.recompose()

    def _covered(self) -> bool:
        """True under a screen that hides it; uncovering it changes its bindings again."""
        stack = self.app.screen_stack
        above = stack[stack.index(self.screen) + 1:] if self.screen in stack else []
        return any(not screen.is_modal for screen in above)
