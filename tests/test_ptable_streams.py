"""The streams of cells (schema 0170): two cells of the same records in different streams
publish counts as unrelated as those of two different cells, while one stream keeps the
cell-key method's consistency (a whole's key is its parts' keys summed, in any stream)."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from ubu_tui.results import ptable

STREAMS = (1, ptable.CODE_STREAM, ptable.SENSITIVE_STREAM, ptable.SENSITIVE_N_STREAM,
           ptable.DISPOSITION_STREAM)


def test_the_same_records_in_two_streams_agree_by_chance_only():
    """An item's one shown code held every answer exactly when its cell was n's: in one stream
    the two published counts then always agreed, and told it. Across streams they agree as
    often as two cells of independent keys do, for every pair of streams."""
    rng = random.Random(170)
    draws = [(rng.randrange(3, 40), rng.randrange(ptable.KEY_SPACE),
              rng.randrange(ptable.KEY_SPACE)) for _ in range(20_000)]
    chance = sum(ptable.count(n, a) == ptable.count(n, b) for n, a, b in draws) / len(draws)
    assert 0.1 < chance < 0.5
    for i, one in enumerate(STREAMS):
        for other in STREAMS[i + 1:]:
            agree = sum(ptable.count(n, ptable.stream(a, one)) ==
                        ptable.count(n, ptable.stream(a, other)) for n, a, _b in draws)
            assert abs(agree / len(draws) - chance) < 0.02, (one, other, agree, chance)


@given(st.lists(st.integers(0, ptable.KEY_SPACE - 1), min_size=1, max_size=50),
       st.sampled_from(STREAMS))
def test_a_stream_keeps_sums(keys, multiplier):
    """The key of a cell in a stream is the sum of its records' keys in that stream: a total
    counted from its groups and one counted from its records publish the same figure."""
    whole = ptable.stream(sum(keys), multiplier)
    assert whole == sum(ptable.stream(k, multiplier) for k in keys) % ptable.KEY_SPACE


def test_only_the_sensitive_item_has_streams_of_its_own():
    assert ptable.streams(False) == (1, ptable.CODE_STREAM)
    n_stream, part_stream = ptable.streams(True)
    assert len({1, ptable.CODE_STREAM, n_stream, part_stream}) == 4


def test_every_measure_has_a_stream_of_its_own():
    """Two measures over the same follow-ups with one multiplier would publish the exact
    difference of their sums again (ptable.measure_stream): every shipped item, index, index
    part and response rate has its own, odd, and small enough for a signed bigint product."""
    from ubu_tui.instrument.loader import available_instruments, instrument_by_version

    ids: set[str] = {f"rate.{r}" for r in ("youth", "guardian", "caseworker")}
    for iid, version in available_instruments():
        instrument = instrument_by_version(iid, version)
        ids |= set(instrument.items) | {ix.id for ix in instrument.indices}
        ids |= {part.id for _ix, _r, part in instrument.respondent_indices()}
    multipliers = {ptable.measure_stream(i) for i in ids}
    assert len(multipliers) == len(ids)
    assert all(m % 2 == 1 and m < 2**31 for m in multipliers)
    rng = random.Random(171)
    keys = [rng.randrange(ptable.KEY_SPACE) for _ in range(20_000)]
    a, b = (ptable.measure_stream(i) for i in ("y_safe", "y_respect"))
    agree = sum(ptable.sum_noise(ptable.stream(k, a), 4.0) == ptable.sum_noise(
        ptable.stream(k, b), 4.0) for k in keys) / len(keys)
    assert agree < 0.2          # by chance only (was 1.0 with one key for both)


def test_every_sensitive_item_is_a_yes_no_item_with_its_answer_first():
    """A sensitive item publishes its sensitive answer as a cell and shows its other answer as
    n minus that (aggregate.sensitive_parts): that needs exactly one other answer option."""
    from ubu_tui.instrument.loader import available_instruments, instrument_by_version

    for iid, version in available_instruments():
        for item in instrument_by_version(iid, version).items.values():
            if item.sensitive:
                codes = [o.code for o in item.options]
                assert ptable.SENSITIVE_ANSWER in codes and len(codes) == 2, (version, item.id)
