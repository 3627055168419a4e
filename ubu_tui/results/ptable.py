"""The perturbation table of the cell-key method: how much a published figure moves.

Every submitted record carries a random record key, a uniform integer in [0, 2**32), drawn when
it is stored and never derived from its content. A cell (any set of records a figure rests on)
has a cell key: the sum of its records' keys modulo 2**32. The deviation of the cell's published
count is looked up here from (n, cell key), so the same records give the same published figure
whatever query, filter or period produced them, while two cells that differ by one record get
deviations that are independent of each other: differencing gives noise, not the record.

The table is built once from three parameters, deterministically (no randomness), and is written
into the database as rows (`ptable`) so that the PostgreSQL figure functions look up exactly the
same deviations as this module:

- D, the largest deviation (4): a published count is within ±D of the true one;
- V, the variance of the deviation (1) for counts large enough to be unconstrained;
- no published count is 1 or 2, zeros stay zero, nothing goes below zero.

For each true count n (classes 0…D+2; larger counts share the last class) the deviation's
distribution is the discrete Gaussian over the allowed deviations with mean 0 and variance as
close to V as the constraints allow (small counts need more: n = 1 can only go to 0 or to 3 and
above). The distribution is cut into ranges of the key: deviation d is used when lo <= key < hi.
The ranges are computed once, by `ubu_tui.scripts.make_ptable`, and shipped in `ptable_bands`.

Sums (of item codes, of index scores) are perturbed from the same cell key, scrambled so that
the sum's deviation is not the count's: noise = SUM_STEP * span * d with d from the last class,
where span is the scale's width (4 points on a 1–5 scale). Shares (4–5, response rates) are
a sum of 0/1 values: (count + share_step(n) * d') / n, d' from the key scrambled another way,
the step growing with the published base (see share_step).
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache
from math import sqrt  # a share's step (share_step); the table itself is shipped

KEY_BITS = 32
KEY_SPACE = 1 << KEY_BITS
MASK = KEY_SPACE - 1
MAX_DEVIATION = 4          # D
VARIANCE = 1.0             # V
FORBIDDEN = (1, 2)         # published counts that never occur
LAST_CLASS = MAX_DEVIATION + max(FORBIDDEN) + 1   # from here on no constraint binds
SUM_STEP = 0.5             # sum noise = SUM_STEP * span * d: at most ±D·span/2
SCRAMBLE_MUL, SCRAMBLE_ADD = 40503, 12345   # key → sum key; small enough for 64-bit SQL
SHARE_MUL, SHARE_ADD = 48271, 11             # key → share key, another stream
HALF_MUL, HALF_ADD = 69069, 1                # key → the sum's half step, a third stream
HALF_STEP = 0.5
# Streams of cells (schema 0170). The same records give the same figure in every table, so two
# published counts that agree say that their cells likely hold the same follow-ups: an item's
# one shown code equal to its n said that no other code had an answer, and the sensitive
# item's "no" equal to the youth's "completed" that no youth there reported a violation. The
# parts of an item (its answer and non-response codes) therefore draw their deviations from
# their key mapped k -> k * M mod 2**32, a bijection of the key space (M odd) that keeps the
# cell-key method's consistency within the stream; the sensitive item has streams of its own
# for its parts and for its n, so none of its counts agrees with another table's by design.
CODE_STREAM = 1103515245        # every item's codes; < 2**31: the product fits a signed bigint
SENSITIVE_STREAM = 214013       # the sensitive item's codes
SENSITIVE_N_STREAM = 22695477   # the sensitive item's n
DISPOSITION_STREAM = 134775813  # a respondent's dispositions (and the declines' total with them)
# The one answer code a sensitive item publishes as a cell (y_violation: "Ja"); its other
# answer is n minus that (aggregate.sensitive_parts), never a cell of its own.
SENSITIVE_ANSWER = 1


@dataclass(frozen=True)
class Band:
    n_class: int
    lo: int          # key range [lo, hi)
    hi: int
    deviation: int


def n_class(n: int) -> int:
    return min(n, LAST_CLASS)


@cache
def bands() -> tuple[Band, ...]:
    """Every class's deviations as key ranges; the rows written to the `ptable` table.

    Shipped, not computed: `ubu_tui.scripts.make_ptable` built them from D, V and the forbidden
    counts, and a test recomputes them. A table computed here would cost every fresh store and
    every report a third of a CPU second, and could differ in its last float between platforms,
    publishing other figures from the same records."""
    from ubu_tui.results.ptable_bands import BANDS

    return tuple(Band(*row) for row in BANDS)


@cache
def _lookup() -> list[tuple[list[int], list[int]]]:
    """Per class: the upper ends of its key ranges, and their deviations (for bisection)."""
    table: list[tuple[list[int], list[int]]] = [([], []) for _ in range(LAST_CLASS + 1)]
    for b in bands():
        table[b.n_class][0].append(b.hi)
        table[b.n_class][1].append(b.deviation)
    return table


def deviation(n: int, key: int) -> int:
    """The deviation of a cell of n records whose keys sum to `key` (any size; reduced here)."""
    # `& MASK` is `% KEY_SPACE` for every Python int, negative ones too; the class is inlined:
    # the unit comparison looks up some 100 000 deviations, and each call layer showed.
    his, devs = _lookup()[n if n < LAST_CLASS else LAST_CLASS]
    return devs[bisect_right(his, key & MASK)]


def count(n: int, key: int) -> int:
    """The published count of a cell."""
    return n + deviation(n, key)      # through deviation: the audit's test switches it off


def stream(key: int, multiplier: int) -> int:
    """A cell key in another stream (see CODE_STREAM); multiplier 1 is the key itself."""
    return (key & MASK) * multiplier & MASK


@cache          # the unit comparison asks it for each of some 15 000 rows
def measure_stream(measure: str) -> int:
    """The stream of a measure's sum and share noise: an odd multiplier from its id (an item,
    an index or index part, "rate.<respondent>"), < 2**29 so that the product fits a bigint.

    A mean's and a share's noise came from the key of the follow-ups behind them alone, so two
    items (or an item and an index, or two respondents' response rates) counted over the same
    follow-ups got the same noise, and the difference of their published sums was exact: the
    noise hid one common offset, not each figure. Drawn in each measure's own stream, the same
    records give the same figure for the same measure in every table, and independent noise
    across measures. (pg_functions.measure_stream_sql computes the same in SQL.)"""
    return int(hashlib.md5(measure.encode(), usedforsecurity=False).hexdigest()[:7], 16) * 2 + 1


def streams(sensitive: bool) -> tuple[int, int]:
    """An item's (n, parts) stream multipliers."""
    return (SENSITIVE_N_STREAM, SENSITIVE_STREAM) if sensitive else (1, CODE_STREAM)


def sum_key(key: int) -> int:
    return ((key % KEY_SPACE) * SCRAMBLE_MUL + SCRAMBLE_ADD) % KEY_SPACE


def half_step(key: int) -> float:
    """+0.5 or -0.5, from the key scrambled a third way.

    SUM_STEP · span · d is a whole even number on a 1–5 scale, so a published mean times its
    published count would give the parity of the true sum, and differencing two cells the
    parity of one answer (odd: 1, 3 or 5; even: 2 or 4). Half a point either way hides it: the
    true sum is then one of two neighbouring whole numbers for every d.
    """
    return HALF_STEP if ((key % KEY_SPACE) * HALF_MUL + HALF_ADD) % KEY_SPACE < KEY_SPACE // 2 \
        else -HALF_STEP


def sum_noise(key: int, span: float) -> float:
    """The deviation added to a cell's sum (of codes or scores) before its mean is published."""
    k = key & MASK            # sum_key and half_step inlined: called for every mean published
    d = deviation(LAST_CLASS, (k * SCRAMBLE_MUL + SCRAMBLE_ADD) & MASK)
    return SUM_STEP * span * d + (HALF_STEP if (k * HALF_MUL + HALF_ADD) & MASK < KEY_SPACE // 2
                                  else -HALF_STEP)


# An index score is the mean of a follow-up's answered items in the index, total / n with n at
# most 13 (the largest index of any instrument version: tests/test_ptable_fast.py keeps it so),
# so a sum of scores is a whole multiple of 1/SCORE_GRID, SCORE_GRID = lcm(1, ..., 13).
SCORE_GRID = 360360


def exact_total(total: float) -> float:
    """A sum of scores as the exact multiple of 1/SCORE_GRID it stands for. Summed in another
    order (per kept cell or per record, by SQLite or PostgreSQL) the float differs in its last
    bits, and a published mean that kept them would tell which way its cells were counted:
    whether a month holds records not yet released, or a local version is stored. Float error
    stays far below half a step (1.4e-6) even at a million scores. Whole-number sums (item
    codes) come back unchanged."""
    return round(total * SCORE_GRID) / SCORE_GRID


def max_sum_noise(span: float) -> float:
    return SUM_STEP * span * MAX_DEVIATION + HALF_STEP


def share_key(key: int) -> int:
    return ((key % KEY_SPACE) * SHARE_MUL + SHARE_ADD) % KEY_SPACE


# A share's step grows with the square root of its published base. With a fixed step of half a
# count, published n times a share was the count behind it within ±0.5·d, a quarter of a
# count's variance: "total minus the shown units" over six calls told a hidden unit's single
# follow-up's 4-5 for 38 of 47 items (tests/test_pg_attack.py). The large total and the shown
# units now carry most of the noise of that difference, while a share's own error stays
# small: SD 0.25·√n/n = 0.25/√n (2.5 points at n = 10, 0.25 at 1 000).
SHARE_SCALE = 0.25


def share_step(n: int) -> float:
    """The step of a share's noise for a published base n (never below SUM_STEP)."""
    return max(SUM_STEP, SHARE_SCALE * sqrt(n))


def share_noise(key: int, n: int) -> float:
    """The deviation added to the count behind a share (a sum of 0/1 values, span 1) over a
    published base n, from the group's own key: a share is (count + noise) / n, never a ratio
    of two published counts, whose small numerators would jump between 0 and 3."""
    return share_step(n) * deviation(LAST_CLASS, share_key(key))


def share(count: int, n: int, key: int) -> float:
    # share_noise inlined, as in sum_noise
    noise = share_step(n) * deviation(LAST_CLASS, ((key & MASK) * SHARE_MUL + SHARE_ADD) & MASK)
    return min(1.0, max(0.0, (count + noise) / n))
