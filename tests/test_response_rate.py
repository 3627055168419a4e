"""The youth response rate counts only the young people who were to be asked (12–21 years):
a child under 12 gets no youth form, so the child is no dropout. Against hand-counted records,
in the results layer and in the PostgreSQL figure function a restricted login reads."""

from __future__ import annotations

import random

import pytest

from tests.conftest import DEMO_UNITS, pg_url
from tests.helpers import throwaway_pg_store
from ubu_tui.instrument import default_instrument
from ubu_tui.results import ptable
from ubu_tui.results.aggregate import Context, disposition_tables
from ubu_tui.results.query import Selection
from ubu_tui.scripts.synth import Synthetic, insert
from ubu_tui.store import open_store
from ubu_tui.store.registry import import_units

INSTRUMENT = default_instrument()
SEL = Selection("2026-03", "2026-03")
# 30 follow-ups at one unit: 12 under 12 (not asked), 12 youth completed, 2 broke off,
# 4 declined. Asked: 18; answered 14 of 18 (78 %), where counting everyone gave 14 of 30.
PLAN = ["not_eligible"] * 12 + ["completed"] * 12 + ["broke_off"] * 2 + ["declined"] * 4


def _records() -> list[Synthetic]:
    keys = random.Random(1612)
    return [Synthetic(f"r{n:05d}", "0180", 1001, "2026-03",
                      {"youth": youth, "caseworker": "completed"}, key=keys.getrandbits(32))
            for n, youth in enumerate(PLAN)]


def _cell(records: list[Synthetic], stream: int = 1) -> tuple[int, int]:
    """A cell in a stream (schema 0170: the dispositions have their own)."""
    return len(records), ptable.stream(sum(r.key for r in records), stream)


def _check(engine, records: list[Synthetic], functions: bool) -> None:
    ctx = Context.open(engine, INSTRUMENT, SEL, functions=functions)
    tables = {t.id: t for t in disposition_tables(ctx)}
    youth = tables["response_youth"].total
    asked = [r for r in records if r.sessions["youth"] != "not_eligible"]
    answered = [r for r in asked if r.sessions["youth"] in ("completed", "broke_off")]
    # the base: n minus the published not-eligible part, no draw of its own
    base = ptable.count(*_cell(records)) - ptable.count(
        *_cell(records[:12], ptable.DISPOSITION_STREAM))
    assert youth.n == ptable.count(*_cell(records))          # every follow-up's youth part
    assert youth.asked == base                                  # the rate's base: 18, perturbed
    assert youth.share_high == pytest.approx(
        ptable.share(len(answered), base, ptable.stream(
            _cell(asked)[1], ptable.measure_stream("rate.youth"))), abs=1e-9)
    assert 0.6 < youth.share_high < 0.95                       # not 14 of 30 (47 %)
    assert youth.nonresponse["not_eligible"] == ptable.count(
        *_cell(records[:12], ptable.DISPOSITION_STREAM))
    # nobody is outside the caseworker's part: its rate is over every follow-up, as before,
    # its base n itself (no not-eligible part: no row, as for a part published as 0)
    cw = tables["response_caseworker"].total
    assert cw.asked == cw.n
    assert cw.share_high == pytest.approx(
        ptable.share(len(records), cw.asked, ptable.stream(
            _cell(records)[1], ptable.measure_stream("rate.caseworker"))), abs=1e-9)
    # per unit, the same figures as the total (one unit holds them all)
    by_unit = {t.id: t for t in disposition_tables(ctx, "unit")}["response_youth"]
    assert [(r.key, r.asked, r.share_high) for r in by_unit.rows] == [
        (1001, youth.asked, youth.share_high)]


def test_youth_rate_leaves_the_not_asked_out():
    engine = open_store("sqlite://")
    import_units(engine, DEMO_UNITS)
    records = _records()
    insert(engine, records)
    _check(engine, records, functions=False)


def test_a_rate_on_too_few_asked_is_not_given():
    """Most children under 12: the 2 asked are under the threshold, so no rate, though the
    follow-ups themselves are shown."""
    engine = open_store("sqlite://")
    import_units(engine, DEMO_UNITS)
    keys = random.Random(7)
    plan = ["not_eligible"] * 10 + ["completed"] * 2
    insert(engine, [Synthetic(f"s{n:05d}", "0180", 1001, "2026-03",
                              {"youth": y, "caseworker": "completed"}, key=keys.getrandbits(32))
                    for n, y in enumerate(plan)])
    youth = {t.id: t for t in disposition_tables(Context.open(engine, INSTRUMENT, SEL))}[
        "response_youth"].total
    assert youth.shown and youth.n and youth.share_high is None


@pytest.mark.skipif(pg_url() is None, reason="no PostgreSQL at UBU_TEST_PG_URL")
def test_the_figure_function_leaves_the_not_asked_out_too():
    """As the analyst login, which reads figures only through ubu_disposition_figures."""
    from sqlalchemy import create_engine

    from ubu_tui.store.shared import create_roles

    with throwaway_pg_store() as owner:
        import_units(owner, DEMO_UNITS)
        records = _records()
        insert(owner, records)
        create_roles(owner, prefix="ubu")
        _check(owner, records, functions=False)
        analyst = create_engine(owner.url.render_as_string(hide_password=False),
                                connect_args={"options": "-c role=ubu_analyst"})
        try:
            assert Context.open(analyst, INSTRUMENT, SEL).functions
            _check(analyst, records, functions=True)
        finally:
            analyst.dispose()
