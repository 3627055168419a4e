"""Disclosure control: which groups of a table may be shown.

A group's figures rest on `n` follow-ups. Rules, applied to every table before it leaves the
results layer:

1. Primary: a group with 0 < n < threshold is hidden. Its follow-ups still count in the total.
2. Secondary (groups that partition the total): what is hidden can be worked out as the total
   minus the shown groups. So the hidden groups must be none, or at least two whose n adds up
   to at least the threshold; more groups are hidden, smallest first, until that holds.
3. Complement (filtered tables, and groups that overlap such as methods): a shown group whose
   complement (the same group outside the filter, or the total outside the group) has
   0 < n < threshold would reveal that complement by subtraction, so it is hidden too.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

DEFAULT_THRESHOLD = 3
PRIMARY, SECONDARY, COMPLEMENT = "primary", "secondary", "complement"
REASONS = {
    PRIMARY: "färre än {t} uppföljningar",
    SECONDARY: "dold för att en annan dold grupp inte ska kunna räknas fram",
    COMPLEMENT: "dold för att gruppen utanför urvalet inte ska kunna räknas fram",
}


@dataclass(frozen=True)
class Threshold:
    """The threshold in force, and where it came from: reports state both."""

    value: int = DEFAULT_THRESHOLD
    source: str = "standard"

    def __post_init__(self) -> None:
        if self.value < DEFAULT_THRESHOLD:
            from ubu_tui.errors import InputRejected

            raise InputRejected(f"the suppression threshold can only be raised, to "
                                f"{DEFAULT_THRESHOLD} or more; {self.value} was asked for")


def small(n: int, threshold: int) -> bool:
    return 0 < n < threshold


Counts = int | tuple[int, ...]


def revealing(ns: Mapping[K, Counts], hidden: Mapping[K, str], threshold: int,
              width: int | None = None) -> bool:
    """Would a shown total give away the hidden groups of a partition?

    The total minus the shown groups is the sum over the hidden ones: a single hidden group is
    then known exactly, and a small sum is itself a small figure.
    """
    if not hidden:
        return False
    if len(hidden) == 1:
        return True
    vec = {k: _vec(ns[k]) for k in hidden}
    width = width or max(len(v) for v in vec.values())
    return any(small(sum(v[i] for v in vec.values()), threshold) for i in range(width))


def _vec(value: Counts) -> tuple[int, ...]:
    return value if isinstance(value, tuple) else (value,)


def suppress(ns: Mapping[K, Counts], threshold: int, *, partition: bool = True,
             total: Counts | None = None,
             complement: Mapping[K, Counts] | None = None) -> dict[K, str]:
    """Return the hidden groups with the reason for each; groups not returned are shown.

    A group's count may be a tuple (say follow-ups asked, and follow-ups that gave a value):
    every rule then holds for each of them. `total` defaults to the sum of `ns` (a
    partition); for overlapping groups pass the table's own total. `complement` gives, per
    group, the counts of the same group outside a filter.
    """
    vec = {k: _vec(v) for k, v in ns.items()}
    width = max((len(v) for v in vec.values()), default=1)

    def any_small(v: tuple[int, ...]) -> bool:
        return any(small(x, threshold) for x in v)

    hidden: dict[K, str] = {k: PRIMARY for k, v in vec.items() if any_small(v)}
    if complement is not None:
        for k in vec:
            if k not in hidden and any_small(_vec(complement.get(k, 0))):
                hidden[k] = COMPLEMENT
    if partition:
        shown = sorted((sum(v), str(k), k) for k, v in vec.items()
                       if k not in hidden and sum(v) > 0)
        while shown and revealing(vec, hidden, threshold, width):
            _, _, k = shown.pop(0)
            hidden[k] = SECONDARY
    else:
        whole = tuple(map(sum, zip(*vec.values(), strict=True))) if total is None \
            else _vec(total)
        for k, v in vec.items():
            if k not in hidden and any_small(tuple(w - x for w, x in zip(whole, v,
                                                                          strict=False))):
                hidden[k] = COMPLEMENT
    return hidden
