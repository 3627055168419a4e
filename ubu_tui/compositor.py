"""A screen compositor that draws only the rows that changed.

Textual's compositor, asked to redraw a few widgets, has every visible widget render all of its
lines (from cache where it can) and then keeps only the rows that changed: on the question
screen the footer, the header and every part of the question were rendered again for a key
that changed two lines. Each render costs a widget its background colours, its border styles
and a pass over its cached lines, which together cost more than the lines that changed. This
one has only the widgets on the changed rows render, and only those rows; and a widget that
the widgets in front of it cover on a row (a container behind its children) does not render
that row at all: Textual rendered it and then threw it away. What is drawn is the same. A full
redraw (start, resize, a screenshot) is every row changed.

It overrides a private method of Textual's `Compositor` (Textual 8); should the internals it
relies on ever be missing, the screen keeps Textual's own compositor (`make_compositor`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import cast

from textual._compositor import Compositor
from textual.geometry import Region
from textual.strip import Strip


class RowsCompositor(Compositor):
    """Renders, for a partial update, only the widgets and rows under the changed regions, and
    of those only the rows that widgets in front of them leave showing."""

    def _render_chops(
        self,
        crop: Region,
        is_rendered_line: Callable[[int], bool],
    ) -> Sequence[Mapping[int, Strip]]:
        # Textual's own, but each widget renders only the rows it shows within the crop, and
        # only where the widgets in front of it leave a gap: a container behind its children
        # (the question view, the screen) rendered its rows only to have them thrown away.
        cuts = self.cuts
        chops: list[dict[int, Strip | None]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
        top, bottom = crop.y, crop.bottom
        # front to back: the first strip for a cut wins
        for widget, (region, clip) in self.visible_widgets.items():
            x, y, width, height = region.intersection(clip)
            if not (width and height):
                continue
            first, last = max(y, top), min(y + height, bottom)
            if first >= last:
                continue                     # not on a changed row: nothing of it is needed
            right = x + width
            # per row, the cuts this widget would fill (a strip per cut but the last)
            row_cuts = {row: [cut for cut in cuts[row] if right >= cut >= x]
                        for row in range(first, last) if is_rendered_line(row)}
            shows = [row for row, on in row_cuts.items()
                     if any(chops[row].get(cut, False) is None for cut in on[:-1])]
            if not shows:
                continue                     # covered where it would be drawn
            first, last = shows[0], shows[-1] + 1
            strips = widget.render_lines(
                Region(x - region.x, first - region.y, width, last - first))
            for row, strip in zip(range(first, last), strips, strict=False):
                final_cuts = row_cuts.get(row)
                if final_cuts is None:
                    continue
                chops_line = chops[row]
                cut_strips = strip.divide([cut - x for cut in final_cuts[1:]])
                for cut, part in zip(final_cuts, cut_strips, strict=False):
                    if chops_line.get(cut) is None:
                        chops_line[cut] = part
        return cast("Sequence[Mapping[int, Strip]]", chops)


def make_compositor() -> Compositor:
    """The rows-only compositor, or Textual's own if its internals are not what we know."""
    known = all(callable(getattr(Compositor, name, None))
                for name in ("_render_chops", "_get_renders", "render_partial_update"))
    if known and isinstance(getattr(Compositor, "visible_widgets", None), property):
        return RowsCompositor()
    return Compositor()
