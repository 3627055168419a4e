"""Disclosure control: the cell-key method with a threshold rule on top.

Every figure that leaves the results layer is built from cells: a cell is a set of follow-ups
(a group, an item's answers with one code, those scoring 4 or more) with its true count n and
its cell key (the sum of its records' random keys). Rules, the same for every table, view,
report and database function:

1. Perturbation: a published count is n + deviation(n, key) from the perturbation table
   (results/ptable.py): at most ±D, never 1 or 2, zero stays zero; the same cell gets the same
   figure whatever produced it. Sums are perturbed from the same key; a mean or a share is
   taken over the group's published count, never its true n, so it tells nothing the
   published counts do not.
2. Threshold: a group whose true count is under the standard threshold (3), or whose
   published count is under the threshold in force, is not published at all: no row, no
   figure, no reason. A raised threshold is held against the published count alone: held
   against the true count, a login asking at threshold 4, 5, 6, ... would see a group vanish
   at n + 1 while its published count still reached the threshold, and so read n exactly.
   A hidden group and a group with no follow-ups look the same, so a missing row says
   neither "one or two" nor "none". The total row is always
   listed and shows one symbol when it is hidden.
3. Consistency: within a set of tables built together (a report, a view), a group hidden in
   one table is hidden in all of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from ubu_tui.i18n import N_, _
from ubu_tui.results import ptable

DEFAULT_THRESHOLD = 3
K = TypeVar("K")
HIDDEN = "hidden"
SYMBOL = "•"                 # the one mark for every hidden figure
METHOD = N_("cellnyckelmetoden: varje antal flyttas för sig, högst ±{d} (varians {v}), aldrig till "
          "1 eller 2; medelvärden från en störd summa; grupper under spärren {t} visas inte")


@dataclass(frozen=True)
class Threshold:
    """The threshold in force, and where it came from: reports state both."""

    value: int = DEFAULT_THRESHOLD
    source: str = "standard"

    def __post_init__(self) -> None:
        if self.value < DEFAULT_THRESHOLD:
            from ubu_tui.errors import InputRejected

            raise InputRejected(_("Spärrgränsen kan bara höjas, till {minimum} eller mer; "
                                  "{asked} begärdes.")
                                 .format(minimum=DEFAULT_THRESHOLD, asked=self.value))


def method_text(threshold: int) -> str:
    """The method and parameters in force, for the foot of every report and view."""
    return _(METHOD).format(d=ptable.MAX_DEVIATION, v=f"{ptable.VARIANCE:g}", t=threshold)


def small(n: int, threshold: int) -> bool:
    return 0 < n < threshold


def published_parts(cells: Mapping[K, tuple[int, int]]) -> dict[K, int]:
    """The published counts of a shown group's parts (its codes, dispositions, outcomes), a
    published 0 left out: a part is a row only where it had a record, so a row of 0 said
    "one or two (or a few)" where no row says "none", and a 0 must look like no row. Readers
    take a missing part as 0."""
    return {part: count for part, cell in cells.items() if (count := ptable.count(*cell))}


def hidden(n: int, key: int, threshold: int) -> bool:
    """A group is hidden when its true count is under the standard threshold, or its published
    count under the threshold in force (a raised threshold must not be a question about the
    true count: see rule 2 above)."""
    return n < DEFAULT_THRESHOLD or ptable.count(n, key) < threshold
