"""One generic question view, driven by the instrument: never a widget per question."""

from __future__ import annotations

import math
import textwrap
from bisect import bisect_right
from collections.abc import Sequence
from enum import StrEnum
from typing import Self

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.css.scalar import Unit
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import Reactive
from textual.widgets import Static

from ubu_tui.i18n import RTL, _, bidi
from ubu_tui.instrument.model import APPLIED, NONRESPONSE, AnswerType, Item
from ubu_tui.instrument.translation import Wording
from ubu_tui.interview.keys import NONRESPONSE_KEYS
from ubu_tui.interview.session import Response

__all__ = ["NONRESPONSE_KEYS", "Frame", "QuestionView", "describe_response"]



def _line_widths(content: Text | str) -> list[int]:
    plain = content.plain if isinstance(content, Text) else content
    return [cell_len(line) for line in plain.split("\n")]


def _floor(widget: Static) -> int:
    """The content rows a part keeps however little it shows (its `min-height`, in cells)."""
    reserve = widget.styles.min_height
    if reserve is None or reserve.unit is not Unit.CELLS:
        return 0
    gutter = widget.styles.gutter.height if widget.styles.box_sizing == "border-box" else 0
    return max(0, int(reserve.value) - gutter)


class Part(Static):
    """A part of the question: a Static that can take new content and draw only the rows that
    differ, when its height stays and each of its lines is one row (see `_put`)."""

    _only_rows: tuple[Region, ...] | None = None
    # A layout that gives a part another height sets its virtual size, and Textual's virtual
    # size asks for a second layout of the whole screen when it changes; the first one already
    # arranged everything at that size. A part never scrolls (its height follows its content),
    # so its virtual size only needs it drawn again (see widgets/fields.FixedInput).
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def update_rows(self, content: Text | str, rows: Sequence[int]) -> None:
        """New content, of which only `rows` (of the content area) are drawn again."""
        width = self.content_size.width
        runs: list[Region] = []
        for y in rows:
            if runs and runs[-1].bottom == y:
                runs[-1] = runs[-1].grow((0, 0, 1, 0))
            else:
                runs.append(Region(0, y, width, 1))
        self._only_rows = tuple(runs)
        try:
            self.update(content, layout=False)
        finally:
            self._only_rows = None

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Self:
        if self._only_rows and not regions and not layout and not recompose:
            regions = self._only_rows       # `update` asks for the whole part: these will do
        if repaint and not layout and not recompose and self._repaint_at_once(regions):
            return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def _repaint_at_once(self, regions: tuple[Region, ...]) -> bool:
        """Mark the part for the next frame and tell the screen at once; True when done.

        Textual's `refresh` marks the widget and then wakes the widget's own message loop,
        whose idle pass sends the screen a message, whose handler adds the widget to the ones
        the next frame draws: two messages, two tasks woken and each handler looked up along
        the class hierarchy, for every part a key changes (four or five), before the frame
        could start. This does Textual's marking and what that handler does, with nothing in
        between. Anything but a plain repaint of a mounted part goes Textual's way.
        """
        if not self._is_mounted or self._closing or self._parent is None:
            return False
        try:
            screen = self.screen
            dirty = screen._dirty_widgets
        except Exception:       # noqa: BLE001 (no screen, or Textual changed): Textual's way
            return False
        # what Widget.refresh does for a repaint
        self._layout_cache.clear()
        self._set_dirty(*regions)
        self.clear_cached_dimensions()
        self._rich_style_cache.clear()
        # what the widget's idle pass and then the screen's `_on_update` would do
        if self.display and screen in screen._compositor:
            dirty.add(self)
            screen.check_idle()
        return True


def _lines(content: Text) -> list[tuple[str, tuple[tuple[int, int, object], ...]]]:
    """Each line of a text with the styles on it, to compare line by line (rich's own
    `Text.split` took longer than drawing the lines it would spare)."""
    plain = content.plain
    lines = plain.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    styles: list[list[tuple[int, int, object]]] = [[] for _ in lines]
    for start, end, style in content.spans:
        n = bisect_right(starts, start) - 1
        while n < len(lines) and starts[n] < end:
            a, b = max(start, starts[n]), min(end, starts[n] + len(lines[n]))
            if a < b:
                styles[n].append((a - starts[n], b - starts[n], style))
            n += 1
    return [(line, tuple(on)) for line, on in zip(lines, styles, strict=True)]


def _changed_rows(shown: Text | str, content: Text | str, width: int) -> list[int] | None:
    """The rows that differ between two texts of one row per line, or None when that is not
    known (a line wraps, or a text is not a rich Text or is styled as a whole)."""
    if not (isinstance(shown, Text) and isinstance(content, Text)):
        return None
    if (shown.style, shown.justify, shown.no_wrap, shown.overflow) != (
            content.style, content.justify, content.no_wrap, content.overflow):
        return None
    old, new = _lines(shown), _lines(content)
    if max(cell_len(line) for line, _ in old + new) > width:
        return None
    # a row past the end of a text is drawn apart from an empty line: redraw it as well
    return [y for y in range(max(len(old), len(new)))
            if y >= min(len(old), len(new)) or old[y] != new[y]]


def _put(widget: Static, content: Text | str) -> None:
    """Update a part only when what it shows changes, and ask for a layout pass only when its
    height changes.

    A layout pass arranges the whole screen and then draws everything that moved: it cost more
    than all else a key does. A part of the question screen has a width that does not follow
    its content, so the same height means the same room, and only the part is drawn again. A
    part that keeps rows in reserve (`min-height`) keeps its height while its content stays
    within them.
    """
    shown = getattr(widget, "_ubu_shown", None)
    if shown == content:
        return
    widget._ubu_shown = content  # type: ignore[attr-defined]
    width = widget.content_size.width
    rows: tuple[int, int] | None = getattr(widget, "_ubu_rows", None)   # (width, rows)
    widget._ubu_rows = None  # type: ignore[attr-defined]
    if shown is None or not widget.display or width <= 0:
        widget.update(content)
        return
    if widget.styles.width is not None and widget.styles.width.is_auto:
        widget.update(content, layout=_line_widths(shown) != _line_widths(content))
        return
    size, floor = widget.size, _floor(widget)
    # the rows measured at the last update, if at this width: measuring wraps the whole text
    before = rows[1] if rows is not None and rows[0] == width else \
        widget.get_content_height(size, size, width)
    widths = _line_widths(content)
    # lines that all fit are one row each (most options): no need to wrap them to know
    fits = widths != [0] and max(widths) <= width
    if fits and max(floor, len(widths)) == max(floor, before) and isinstance(widget, Part):
        # same height: only the rows that differ are drawn again (the ▶ moving, one option)
        changed = _changed_rows(shown, content, width)
        if changed:
            widget.update_rows(content, changed)
            widget._ubu_rows = (width, len(widths))  # type: ignore[attr-defined]
            return
    if isinstance(widget, Part):
        # its content rows, not its frame: the wording's border stays as it was
        widget.update_rows(content, range(widget.content_size.height))
    else:
        widget.update(content, layout=False)
    after = len(widths) if fits else widget.get_content_height(size, size, width)
    widget._ubu_rows = (width, after)  # type: ignore[attr-defined]
    if max(floor, after) != max(floor, before):
        widget.refresh(layout=True)


def _side_bar(widget: Static, shown: bool) -> None:
    """Draw the part's left bar (the style sheet's, in the current theme) or a blank in its
    place. Set on the widget, not by a class: a class change has Textual match the widget
    against the whole style sheet again, a new bar only has it drawn again."""
    bar = widget.styles.base.border_left
    wanted = bar if shown else ("blank", bar[1])
    if widget.styles.border_left != wanted:
        widget.styles.border_left = wanted


def _show(widget: Static, visible: bool) -> None:
    if widget.display != visible:
        widget.display = visible


class Frame(StrEnum):
    """Who the item is put to, which decides how it is framed on screen."""

    READ = "read"        # read aloud to the respondent
    PAPER = "paper"      # entered from a paper form the respondent filled in alone
    OWN = "own"          # the caseworker's own question


def describe_response(item: Item, response: Response | None,
                      unit_name: str | None = None) -> str:
    """An answer in words, for review and for the pending choice."""
    if response is None:
        return "–"
    code = response.code
    if code < 0:
        key = next(k for k, n in NONRESPONSE.items() if n.code == code)
        return item.nonresponse_label(key)
    if item.type is AnswerType.AGE:
        return _("{n} år").format(n=code)
    if item.type is AnswerType.UNIT:
        return unit_name or f"#{code}"
    if item.type is AnswerType.MULTI:
        if not response.methods:
            return _("Inga av dessa")
        return "; ".join(f"{item.option(m).label} ({APPLIED[a]})"  # type: ignore[union-attr]
                         for m, a in response.methods)
    option = item.option(code)
    return f"{code} {option.label}" if option else str(code)


class QuestionView(Vertical):
    DEFAULT_CSS = """
    QuestionView { height: auto; }
    """

    class Picked(Message):
        """An option line was clicked: `key` is the key that would have chosen it."""

        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's name)
        super().__init__(id=id)
        self._line_keys: list[str | None] = []   # the key behind each line of the options
        self._reserved_for: tuple[int, Frame, int] | None = None

    def on_click(self, event: events.Click) -> None:
        options = self.query_one("#q-options", Static)
        offset = event.get_content_offset(options)
        if offset is not None and 0 <= offset.y < len(self._line_keys):
            key = self._line_keys[offset.y]
            if key:
                self.post_message(self.Picked(key))

    def compose(self) -> ComposeResult:
        yield Part(id="q-header", classes="title")
        with Horizontal(id="q-pair"):
            yield Part(id="q-wording", classes="wording")
            yield Part(id="q-translated", classes="wording translated")
        yield Part(id="q-instruction", classes="instruction")
        yield Part(id="q-guidance", classes="guidance")
        yield Part(id="q-options", classes="options")
        yield Part(id="q-says", classes="says")
        yield Part(id="q-saved", classes="muted")
        yield Part(id="q-message", classes="message")

    def show(self, item: Item, *, title: str, position: tuple[int, int],
             pending: Response | None, typed: str = "", unit_name: str | None = None,
             guidance: str = "", says: str | None = None,
             interpreted: Wording | None = None, note: str = "",
             frame: Frame = Frame.READ, form: Sequence[Item] = ()) -> None:
        """Show an item. `position` is (index, total): on paper, the paper's own numbering.

        `form` is the items this one is among: the instruction and the options keep room for
        most of them, so that the next item seldom needs the screen arranged anew.
        """
        answered, total = position
        if form:
            self._reserve(form, frame)
        where = (_("pappret: fråga {n} av {total}") if frame is Frame.PAPER
                 else _("fråga {n} av {total}")).format(n=answered + 1, total=total)
        _put(self.query_one("#q-header", Static), Text(f"{title} · {where} · {item.id}"))
        wording = self.query_one("#q-wording", Static)
        _put(wording, Text(item.text))
        if frame is Frame.READ:
            frame_title = _("LÄS UPP") if not item.sensitive else _("LÄS UPP – KÄNSLIG FRÅGA")
        elif frame is Frame.PAPER:
            frame_title = _("PÅ PAPPRET, FRÅGA {n}").format(n=answered + 1)
        else:
            frame_title = _("DIN FRÅGA")
        if wording.border_title != frame_title:
            wording.border_title = frame_title
        self._interpreted(interpreted)
        instruction = self._instruction(item, frame)
        ins = self.query_one("#q-instruction", Static)
        _put(ins, Text(instruction) if instruction else "")
        # Its rows stay (see `_reserve`); without an instruction its side bar is not drawn.
        _side_bar(ins, bool(instruction))
        guide = self.query_one("#q-guidance", Static)
        _put(guide, Text(_("Övningsstöd: ") + guidance) if guidance else "")
        _show(guide, bool(guidance))
        line = self.query_one("#q-says", Static)
        _put(line, Text(_("Respondenten svarar: ") + f"«{says}»") if says else "")
        _show(line, bool(says))
        _put(self.query_one("#q-options", Static),
            self._options(item, pending, typed, unit_name, interpreted, frame))
        self.note(note)
        self.message("")

    def note(self, text: str) -> None:
        """The muted line under the options: the answer stored last."""
        # always one line, kept even while empty (see `_put`)
        _put(self.query_one("#q-saved", Static), Text(text))

    def message(self, text: str) -> None:
        msg = self.query_one("#q-message", Static)
        _put(msg, Text(text))
        _show(msg, bool(text))

    def _interpreted(self, interpreted: Wording | None) -> None:
        """The interview language beside the Swedish, for the interpreter to read."""
        box = self.query_one("#q-translated", Static)
        _show(box, interpreted is not None)
        if interpreted is None:
            return
        box.border_title = interpreted.name + " – " + _("för tolken") + (
            " · " + _("utkast, ej granskad") if interpreted.draft else "")
        if interpreted.text is None:
            _put(box, Text(_("Ingen aktuell översättning: tolken tolkar den svenska frågan. "
                              "Det noteras som tolkat på plats."), style="italic"))
            return
        lang = interpreted.language
        box.styles.text_align = "right" if lang in RTL else "left"
        if lang in RTL:
            width = max(20, (self.size.width or 100) // 2 - 6)
            lines = [bidi(line, lang) for line in textwrap.wrap(interpreted.text, width)]
            _put(box, Text("\n".join(lines), justify="right"))
        else:
            _put(box, Text(interpreted.text))

    @staticmethod
    def _instruction(item: Item, frame: Frame) -> str:
        instruction = item.instruction if frame is not Frame.PAPER else ""
        if item.sensitive:
            instruction = (instruction + " " if instruction else "") + _(
                "Registrera bara svaret. Inga uppgifter om vad som hänt eller vem.")
        if not instruction:
            return ""
        lead = _("Instruktion, läs inte upp: ") if frame is Frame.READ else _("Instruktion: ")
        return lead + instruction

    def _reserve(self, form: Sequence[Item], frame: Frame) -> None:
        """Keep as many rows for the instruction and for the options as nine items in ten of
        the form need, so that going to the next item seldom changes a part's height (a layout
        pass). Not the most any item needs: one long list would leave a gap under all others.
        """
        ins = self.query_one("#q-instruction", Static)
        options = self.query_one("#q-options", Static)
        # before the first layout the part has no width yet: the screen's, less its gutter
        width = ins.content_size.width or max(20, self.app.size.width - 4)
        if self._reserved_for == (id(form), frame, width):
            return
        self._reserved_for = (id(form), frame, width)

        def most(rows: list[int]) -> int:
            return sorted(rows)[math.ceil(len(rows) * 0.9) - 1]

        keys = self._line_keys
        options.styles.min_height = options.styles.gutter.height + most([
            self._options(item, None, "", None, None, frame).plain.count("\n") + 1
            for item in form])
        self._line_keys = keys
        ins.styles.min_height = ins.styles.gutter.height + max(1, most([
            len(textwrap.wrap(self._instruction(item, frame), width)) for item in form]))

    def _options(self, item: Item, pending: Response | None, typed: str,
                 unit_name: str | None, interpreted: Wording | None = None,
                 frame: Frame = Frame.READ) -> Text:
        out = Text()
        keys: list[str | None] = []
        self._line_keys = keys
        chosen = pending.code if pending else None
        if item.type in (AnswerType.SCALE, AnswerType.SINGLE):
            pad = max(len(o.label) for o in item.options) if interpreted else 0
            for opt in item.options:
                mark = "▶ " if chosen == opt.code else "  "
                style = "bold reverse" if chosen == opt.code else ""
                line = f"{mark}{opt.code}  {opt.label:<{pad}}"
                if interpreted is not None:
                    other = interpreted.options.get(opt.code)
                    line += "   │  " + (bidi(other, interpreted.language) if other
                                        else _("(ingen översättning)"))
                if not opt.read_aloud and frame is Frame.READ:
                    line += "  " + _("(läs inte upp)")
                out.append(line + "\n", style=style)
                keys.append(str(opt.code))
        elif item.type is AnswerType.AGE:
            shown = typed or (str(chosen) if chosen is not None and chosen >= 0 else "")
            out.append(_("Ålder i hela år ({lo}–{hi}): ").format(lo=item.min_value,
                                                                  hi=item.max_value))
            out.append(f"[{shown or '  '}]\n", style="bold reverse")
            out.append(_("Skriv siffrorna, Backsteg rättar.") + "\n", style="dim")
            keys += [None, None]
        elif item.type is AnswerType.UNIT:
            out.append(_("Enhet: "))
            out.append((unit_name or "–") + "\n", style="bold")
            out.append(_("Enter bekräftar, u väljer en annan enhet.") + "\n", style="dim")
            keys += ["u", "u"]
        elif item.type is AnswerType.MULTI:
            used = dict(pending.methods) if pending and pending.code >= 0 else {}
            for opt in item.options:
                state = APPLIED[used[opt.code]] if opt.code in used else _("används inte")
                mark = "■" if opt.code in used else "□"
                out.append(f"{mark} {opt.code}  {opt.label}  ", style="bold" if opt.code in used
                           else "")
                out.append(f"– {state}\n", style="dim")
                keys.append(str(opt.code))
            keys.append(None)
            out.append(_("Sifferknappen växlar: används som avsett → inte som avsett → "
                         "vet inte om som avsett → används inte.") + "\n", style="dim")
        if item.nonresponse:
            out.append((_("Läs inte upp:") if frame is Frame.READ else
                        _("Tomt eller ej aktuellt på pappret:") if frame is Frame.PAPER else
                        _("Utan svarsvärde:")) + "\n", style="italic dim")
            keys.append(None)
            for key in item.nonresponse:
                if frame is Frame.PAPER and key == "dont_know":
                    continue             # not a box on the paper form
                code = NONRESPONSE[key].code
                sel = chosen == code
                label = (_("Lämnat tomt") if frame is Frame.PAPER and key == "refused"
                         else item.nonresponse_label(key))
                out.append(f"{'▶ ' if sel else '  '}{NONRESPONSE_KEYS[key]}  {label}\n",
                           style="bold reverse" if sel else "italic")
                keys.append(NONRESPONSE_KEYS[key])
        return out
