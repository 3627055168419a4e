"""What every screen of the app shares: typed access to the app, and the practice watermark."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, cast

from textual import events
from textual.geometry import Size
from textual.screen import Screen
from textual.widgets import Static

from ubu_tui.compositor import make_compositor
from ubu_tui.i18n import N_, _, binding_label, translate_bindings

if TYPE_CHECKING:
    from textual.binding import ActiveBinding

    from ubu_tui.app import UbuApp

WATERMARK = N_("ÖVNING · inget här är riktiga uppgifter · inget skickas in")


class TranslatedFooter:
    """Mixin for screens: every label the footer shows comes from the catalogues."""

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        shown = super().active_bindings  # type: ignore[misc]
        return {key: active._replace(binding=replace(
                    active.binding, description=binding_label(active.node,
                                                              active.binding.description)))
                for key, active in shown.items()}


class KeepsLayout:
    """Mixin for screens: no second layout at the size the screen was just laid out at.

    A screen's first layout sends the screen itself a Resize (it is a widget newly shown),
    and Textual answers a Resize by laying out that screen and every screen under it again and
    redrawing the whole terminal, at the same size: for every screen opened, two layouts and a
    full redraw more, which the keys typed just after it waited for. A real resize (another
    size) is handled as before, and so is a layout asked for by a change (it does not come
    this way).
    """

    def _screen_resized(self, size: Size) -> None:
        if size == self._compositor.size:  # type: ignore[attr-defined]
            return
        super()._screen_resized(size)  # type: ignore[misc]


class UbuScreen(KeepsLayout, TranslatedFooter, Screen[None]):
    _styled_at_mount = True

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Runs before Textual's own handler, which works out every widget's styles again when
        # a screen is shown. A screen shown for the first time had them worked out as it was
        # mounted, a moment before: doing it twice was a tenth of what set-up cost.
        if self._styled_at_mount:
            self._styled_at_mount = False
            event.refresh_styles = False

    def _on_screen_suspend(self) -> None:
        # Runs before Textual's own handler. Textual runs what was scheduled "after the next
        # refresh" (the app's call_after_refresh lands on the screen on top) from the screen's
        # own frame, and a covered screen draws none: covered before its first frame, the
        # home screen held the store's opening until it was shown again (a key pressed at
        # start-up that opens another screen). Run them now instead.
        if self._callbacks:
            self.call_next(self._invoke_and_clear_callbacks)

    def __init__(self, name: str | None = None, id: str | None = None,  # noqa: A002
                 classes: str | None = None) -> None:
        super().__init__(name, id, classes)
        # a key redraws only the rows it changed (see ubu_tui.compositor)
        self._compositor = make_compositor()

    @property
    def ubu(self) -> UbuApp:
        return cast("UbuApp", self.app)

    def on_mount(self) -> None:
        # Textual calls this as well as a subclass's own on_mount (it walks the MRO).
        translate_bindings(self)
        self.refresh_bindings()
        self.add_watermark()

    def add_watermark(self) -> None:
        if self.ubu.settings.practice:
            self.mount(Static(_(WATERMARK), classes="watermark"))
