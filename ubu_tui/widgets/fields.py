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

from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Input


class FixedInput(Input):
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)
