"""Fair comparison of units: a funnel plot with control limits by n (Spiegelhalter, "Funnel
plots for comparing institutional performance", Statistics in Medicine 2005).

Each unit's share (of follow-ups scoring 4–5 on an index, of young people reporting a serious
violation, of answered parts) is set against the all-units share p0. Under the hypothesis that
the unit is like all others, its share on n follow-ups lies within p0 ± z·√(p0(1−p0)/n) with
95 % (z = 1.96) or 99.8 % (z = 3.09) probability. A unit is flagged only outside the 99.8 %
limits: with 25 units, about one in twenty would be outside 95 % by chance alone.
The shares and n are the published (perturbed) ones, and the limits hold the share's own
noise too: its variance (ptable.share_step(n) / n)² · V is added to the binomial one (from
n = 4 on, 1/16 / n: as if p0(1 − p0) were 1/16 larger), so that a unit is not flagged for
its noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ubu_tui.results import ptable
from ubu_tui.results.aggregate import Row, Table

Z95 = 1.959964
Z998 = 3.090232
HIGHER, LOWER = "högre", "lägre"


def _spread(p0: float, n: float) -> float:
    """The variance of a published share at n: binomial plus the share's noise."""
    noise = ptable.share_step(math.ceil(n)) / n
    return max(p0 * (1 - p0), 0.0) / n + noise * noise * ptable.VARIANCE


def limits(p0: float, n: int, z: float) -> tuple[float, float]:
    """The control limits around p0 at n (normal approximation, cut to 0–1)."""
    half = z * math.sqrt(_spread(p0, n)) if n > 0 else 1.0
    return max(0.0, p0 - half), min(1.0, p0 + half)


def verdict(table: Table, row: Row) -> str:
    """'högre' or 'lägre' when the row lies outside the 99.8 % limits, else ''."""
    p0, p, n = table.total.share_high, row.share_high, row.n
    if not row.shown or not table.total.shown or p0 is None or p is None or not n:
        return ""
    lo, hi = limits(p0, n, Z998)
    return HIGHER if p > hi else LOWER if p < lo else ""


@dataclass(frozen=True)
class Point:
    label: str
    n: int
    share: float
    flag: str


def points(table: Table) -> list[Point]:
    """Every shown group of a table as a point of the funnel."""
    return [Point(r.label, r.n or 0, r.share_high or 0.0, verdict(table, r))
            for r in table.rows if r.shown and r.n and r.share_high is not None]


def curve(p0: float, z: float, top: int, steps: int = 60) -> list[tuple[float, float, float]]:
    """(n, lower, upper) from n = 3 to `top`, spaced evenly in √n where the funnel bends."""
    out = []
    for k in range(steps + 1):
        n = (math.sqrt(3) + (math.sqrt(top) - math.sqrt(3)) * k / steps) ** 2
        half = z * math.sqrt(_spread(p0, n))
        out.append((n, max(0.0, p0 - half), min(1.0, p0 + half)))
    return out
