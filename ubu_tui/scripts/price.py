"""The price of the disclosure control: how far a published figure can be from the exact one.

    python -m ubu_tui.scripts.price [--n 10 30 100]

Computed exactly from the perturbation table (results/ptable.py), not sampled: for a count,
the largest deviation and its standard deviation; for a mean on the 1–5 scale, the same for
the noise on the sum divided by n; for a share (4–5, response rate), the noise on its count
divided by n.
"""

from __future__ import annotations

import argparse
import math

from ubu_tui.results import ptable
from ubu_tui.scripts.make_ptable import distribution

SPAN = 4.0


def count_error(n: int) -> tuple[float, float]:
    p = distribution(ptable.n_class(n))
    return max(abs(d) for d, q in p.items() if q > 0), math.sqrt(
        sum(q * d * d for d, q in p.items()))


def mean_error(n: int) -> tuple[float, float]:
    step = ptable.SUM_STEP * SPAN
    p = distribution(ptable.LAST_CLASS)
    variance = step * step * sum(q * d * d for d, q in p.items()) + ptable.HALF_STEP ** 2
    return ptable.max_sum_noise(SPAN) / n, math.sqrt(variance) / n


def share_error(n: int) -> tuple[float, float]:
    """A share is (count + share_step(n) · d) / n: the noise of a sum of 0/1 values, its step
    growing with √n (ptable.share_step)."""
    p = distribution(ptable.LAST_CLASS)
    step = ptable.share_step(n)
    return step * ptable.MAX_DEVIATION / n, step * math.sqrt(
        sum(q * d * d for d, q in p.items())) / n


def table(ns: list[int]) -> str:
    lines = [f"cell-key method: D = {ptable.MAX_DEVIATION}, V = {ptable.VARIANCE:g}, sum noise "
             f"= {ptable.SUM_STEP:g} × span × d ± {ptable.HALF_STEP:g} "
             f"(span {SPAN:g} on a 1–5 scale)",
             "| n | count: at most | count: SD | mean (1–5): at most | mean: SD | "
             "share: at most | share: SD |",
             "|---|---|---|---|---|---|---|"]
    for n in ns:
        cm, cs = count_error(n)
        mm, ms = mean_error(n)
        sm, ss = share_error(n)
        lines.append(f"| {n} | ±{cm:.0f} | {cs:.2f} | ±{mm:.2f} | {ms:.3f} | "
                     f"±{100 * sm:.1f} points | {100 * ss:.1f} points |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, nargs="+", default=[10, 30, 100])
    print(table(p.parse_args(argv).n))


if __name__ == "__main__":
    main()
