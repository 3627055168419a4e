"""A screen compositor that draws only the rows that changed.

Textual's compositor, asked to redraw a few widgets, has every visible widget render all of its
lines (from cache where it can) and then keeps only the rows that changed: on the question
screen the footer, the header and every part of the question were rendered again for a key
that changed two lines. Each render costs a widget its background colours, its border styles
and a pass over its cached lines, which together cost more than the lines that changed. This
one has only the widgets on the changed rows render, and only those rows. A full redraw (start,
resize, a screenshot) is unchanged: every row is a changed row then.

It overrides two private methods of Textual's `Compositor` (Textual 8); should they ever be
missing, the screen keeps Textual's own compositor (`make_compositor`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import cast

from textual._compositor import Compositor
from textual.geometry import Region
from textual.strip import Strip


class RowsCompositor(Compositor):
    """Renders, for a partial update, only the widgets and rows under the changed regions."""

    def _visible_parts(self, crop: Region) -> Iterable[tuple[Region, list[Strip]]]:
        """(the part of the screen a widget shows within the crop's rows, its strips there),
        front to back, for every widget whose shown part meets those rows."""
        top, bottom = crop.y, crop.bottom
        for widget, (region, clip) in self.visible_widgets.items():
            x, y, width, height = region.intersection(clip)
            if not (width and height):
                continue
            first, last = max(y, top), min(y + height, bottom)
            if first >= last:
                continue                     # not on a changed row: nothing of it is needed
            shown = Region(x, first, width, last - first)
            yield shown, widget.render_lines(
                Region(x - region.x, first - region.y, width, last - first))

    def _render_chops(
        self,
        crop: Region,
        is_rendered_line: Callable[[int], bool],
    ) -> Sequence[Mapping[int, Strip]]:
        # Textual's own, but each widget's strips start at the first row it rendered
        cuts = self.cuts
        chops: list[dict[int, Strip | None]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
        for shown, strips in self._visible_parts(crop):
            render_x = shown.x
            first_cut, last_cut = shown.column_span
            for y, strip in zip(shown.line_range, strips, strict=False):
                if not is_rendered_line(y):
                    continue
                chops_line = chops[y]
                final_cuts = [cut for cut in cuts[y] if last_cut >= cut >= first_cut]
                cut_strips = strip.divide([cut - render_x for cut in final_cuts[1:]])
                # painted front to back: the first strip for a cut wins
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
