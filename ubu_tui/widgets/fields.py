"""Textual's Input, without a layout pass of the whole screen for each character typed.

An Input sets its virtual size to the width of its text on every change, and Textual's virtual
size asks for a layout of the screen when it changes; the layout then sets the virtual size
back to the Input's own width, which asks for a second one. On the set-up form that was two
full layouts per character typed, for fields whose size never depends on what is typed in them
(their width and height come from the CSS). Here the virtual size only repaints: it still
scrolls a long value as before. An Input whose width or height is `auto` still asks for a
layout when its value changes (Textual's own check, in `Input._watch_value`).
"""

from __future__ import annotations

from typing import Self

from textual.containers import Vertical
from textual.geometry import Region, Size
from textual.reactive import Reactive
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option


class FixedInput(Input):
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)


class ShownStatic(Static):
    """A Static whose height follows its text and that never scrolls, without a second layout
    pass of the screen when that height changes.

    A layout that gives the Static another height sets its virtual size, and Textual's virtual
    size asks for another layout of the whole screen when it changes, although the first had
    already arranged everything at that size. The virtual size only matters for scrolling,
    which such a Static never does: here it only has it drawn again.
    """

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)


class DialogBox(Vertical):
    """A dialog's frame, whose height follows what it holds: a Vertical (which never scrolls)
    without the second layout pass of the screen when that height changes (see
    `ShownStatic`); the unit picker's box grew or shrank with the names found."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)


class UnitList(OptionList):
    """An OptionList whose options are replaced as the user types, laid out only when its
    height changes.

    Textual's OptionList asks for a layout of the screen whenever its options change (its
    height follows them) and for a second one when its virtual size is set; the unit picker
    replaced eight names with eight others on most letters typed, two layouts each time for a
    list of the same height. Its options are one line each and fewer than its max-height, so
    it never scrolls either.
    """

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)
    _replacing = False

    def replace_options(self, options: list[Option]) -> None:
        """Show these options instead; lay out the screen only if the list's height changes."""
        if not self.is_mounted or not self.size:
            self.set_options(options)         # not arranged yet: its first layout will do
            return
        before = self.virtual_size.height
        self._replacing = True
        try:
            self.set_options(options)
        finally:
            self._replacing = False
        if self.virtual_size.height != before:
            self.refresh(layout=True)

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Self:
        if self._replacing:
            layout = False                    # decided by `replace_options` once it is done
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)
