"""The perturbation's fast lookups publish exactly what the plain definitions do.

ptable inlines its lookups (the report perturbs some 100 000 cells); a published figure that
moved by one would be a different release of the same records. The plain definitions are
written out here as they stood, and every cell size and key range is checked against them.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from ubu_tui.results import ptable


def _deviation(n: int, key: int) -> int:
    his, devs = ptable._lookup()[min(n, ptable.LAST_CLASS)]
    return devs[bisect_right(his, key % ptable.KEY_SPACE)]


def _sum_noise(key: int, span: float) -> float:
    k = key % ptable.KEY_SPACE
    d = _deviation(ptable.LAST_CLASS,
                   (k * ptable.SCRAMBLE_MUL + ptable.SCRAMBLE_ADD) % ptable.KEY_SPACE)
    half = ptable.HALF_STEP if (k * ptable.HALF_MUL + ptable.HALF_ADD) % ptable.KEY_SPACE \
        < ptable.KEY_SPACE // 2 else -ptable.HALF_STEP
    return ptable.SUM_STEP * span * d + half


def _share(count: int, n: int, key: int) -> float:
    k = key % ptable.KEY_SPACE
    step = max(0.5, 0.25 * n ** 0.5)          # the step grows with the published base (√n)
    noise = step * _deviation(
        ptable.LAST_CLASS, (k * ptable.SHARE_MUL + ptable.SHARE_ADD) % ptable.KEY_SPACE)
    return min(1.0, max(0.0, (count + noise) / n))


def _keys(rng: random.Random) -> list[int]:
    """Keys as the store sums them (a cell of many records goes far past 2**32), the edges of
    every band of the table, and negative sums (a withdrawal taken before its record was
    counted would leave one)."""
    edges = [b.lo for b in ptable.bands()] + [b.hi - 1 for b in ptable.bands()]
    return (edges + [rng.randrange(0, 1 << 32) for _ in range(400)]
            + [rng.randrange(0, 1 << 50) for _ in range(400)]
            + [-rng.randrange(1, 1 << 40) for _ in range(100)])


def test_published_counts_means_and_shares_are_those_of_the_plain_definitions():
    rng = random.Random(18)
    keys = _keys(rng)
    for n in [*range(0, 40), 100, 4_321, 100_000]:
        for key in keys:
            assert ptable.deviation(n, key) == _deviation(n, key)
            assert ptable.count(n, key) == n + _deviation(n, key)
    for key in keys:
        assert ptable.sum_noise(key, 4.0) == _sum_noise(key, 4.0)
        assert ptable.sum_noise(key, 1.0) == _sum_noise(key, 1.0)
        assert ptable.sum_noise(key, 4.0) == (ptable.SUM_STEP * 4.0 * ptable.deviation(
            ptable.LAST_CLASS, ptable.sum_key(key)) + ptable.half_step(key))
        for count, n in ((0, 3), (2, 7), (50, 51), (999, 1000)):
            assert ptable.share(count, n, key) == _share(count, n, key)
            assert ptable.share(count, n, key) == min(1.0, max(0.0, (
                count + ptable.share_noise(key, n)) / n))


def test_every_index_of_every_version_scores_on_the_grid_of_exact_totals():
    """exact_total gives the same float for the same scores only if every score is a whole
    multiple of 1/SCORE_GRID: an index of more items than the grid divides would need a new
    grid (and a migration re-creating the figure functions)."""
    from ubu_tui.instrument.loader import available_instruments, instrument_by_version

    sizes = {len(ix.items) for key in available_instruments()
             for ix in instrument_by_version(*key).indices}
    assert sizes and all(ptable.SCORE_GRID % n == 0 for n in range(1, max(sizes) + 1))


@settings(max_examples=300)
@given(st.lists(st.tuples(st.integers(1, 13), st.data()), min_size=1, max_size=400),
       st.randoms(use_true_random=False))
def test_a_score_total_is_the_same_float_however_it_was_added_up(scored, rng):
    """The mean of an index is published from exact_total of its score sum: summed per record,
    per kept cell of a few records, in any order (the two ways the figure functions count a
    month), the total comes out the same float, and it is the exact sum of the scores."""
    scores = []
    for n, data in scored:
        total = data.draw(st.integers(n, 5 * n))          # n answered items coded 1..5
        scores.append((total, n))
    by_record = ptable.exact_total(sum(t / n for t, n in scores))
    shuffled = scores[:]
    rng.shuffle(shuffled)
    cells = [shuffled[i:i + 7] for i in range(0, len(shuffled), 7)]
    by_cell = ptable.exact_total(sum(sum(t * 1.0 / n for t, n in cell) for cell in cells))
    assert by_cell == by_record == float(sum(Fraction(t, n) for t, n in scores))
