"""Unit type, operating form and orientation come from the unit registry, not from the
caseworker's answer (issue #16). Against hand-counted records: a unit whose caseworker coded it
as the wrong type is counted under the registry's type, in the results layer (SQLite and the
PostgreSQL owner) and through the figure functions a restricted login reads."""

from __future__ import annotations

import random

import pytest

from tests.conftest import DEMO_UNITS, pg_url
from tests.helpers import throwaway_pg_store
from ubu_tui.instrument import default_instrument
from ubu_tui.results import ptable
from ubu_tui.results.aggregate import (
    SCALE_SPAN,
    Context,
    Table,
    disposition_tables,
    index_tables,
    item_tables,
)
from ubu_tui.results.query import MISSING, Selection
from ubu_tui.scripts.synth import Synthetic, insert
from ubu_tui.store import open_store
from ubu_tui.store.registry import import_units

INSTRUMENT = default_instrument()
SEL = Selection("2026-04", "2026-04")
ITEM, INDEX = "y_safe", "safety_care"     # y_safe alone scores the index: score = its code
# unit → (the caseworker's unit-type answer, y_safe codes of its follow-ups). The registry
# (data/registry/demo-units.csv): 1001 HVB, private, broad orientation; 1003 SiS, state,
# substance use; 1005 supported housing, private, neuropsychiatric. 1099 is not registered.
PLAN = {1001: (2, [5, 4, 4, 3, 5, 2]),      # coded SiS by the caseworker: counts as HVB
        1003: (2, [1, 2, 2, 3, 4]),
        1005: (3, [4, 4, 5, 5, 3]),
        1099: (1, [3, 3, 4, 2, 5])}
# the registry's groups of each unit, per breakdown (MISSING: not registered)
REGISTRY = {"unit_type": {1001: 1, 1003: 2, 1005: 3, 1099: MISSING},
            "operating_form": {1001: 2, 1003: 3, 1005: 2, 1099: MISSING},
            "orientation": {1001: 1, 1003: 2, 1005: 5, 1099: MISSING}}


def _records() -> list[Synthetic]:
    keys = random.Random(16)
    out = []
    for unit, (answered, codes) in PLAN.items():
        for code in codes:
            out.append(Synthetic(
                f"u{len(out):05d}", "0180", unit, "2026-04",
                {"youth": "completed", "caseworker": "completed"},
                [("youth", ITEM, "value", code), ("caseworker", "cw_unit_type", "value", answered)],
                key=keys.getrandbits(32)))
    return out


def _hand(records: list[Synthetic], units: set[int]) -> tuple[int, int, list[int]]:
    """(follow-ups, sum of their record keys, their y_safe codes) of the units' records."""
    mine = [r for r in records if r.unit_id in units]
    return len(mine), sum(r.key for r in mine), [r.answers[0][3] for r in mine]


def _groups(by: str) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    for unit, grp in REGISTRY[by].items():
        out.setdefault(grp, set()).add(unit)
    return out


def _expect_item(table: Table, records: list[Synthetic], by: str) -> None:
    rows = {r.key: r for r in table.rows}
    assert set(rows) == set(_groups(by))
    for grp, units in _groups(by).items():
        n, key, codes = _hand(records, units)
        row = rows[grp]
        assert row.n == ptable.count(n, key)
        # the distribution's cells: each code's follow-ups and the sum of their keys; a code
        # published as 0 has no entry (disclosure.published_parts)
        want = {}
        for c in set(codes):
            mine = [r for r in records if r.unit_id in units and r.answers[0][3] == c]
            want[c] = ptable.count(len(mine), ptable.stream(sum(r.key for r in mine),
                                                            ptable.CODE_STREAM))
        assert row.distribution == {c: k for c, k in want.items() if k}
        assert row.mean == pytest.approx(
            min(5.0, max(1.0, (sum(codes) + ptable.sum_noise(
                ptable.stream(key, ptable.measure_stream(ITEM)), SCALE_SPAN)) / row.n)))


def _expect_index(table: Table, records: list[Synthetic], by: str) -> None:
    rows = {r.key: r for r in table.rows}
    assert set(rows) == set(_groups(by))
    for grp, units in _groups(by).items():
        n, key, codes = _hand(records, units)
        assert rows[grp].n == ptable.count(n, key)
        assert rows[grp].mean == pytest.approx(
            min(5.0, max(1.0, (sum(codes) + ptable.sum_noise(
                ptable.stream(key, ptable.measure_stream(INDEX)), SCALE_SPAN)) / rows[grp].n)))


def _check(engine, records: list[Synthetic], functions: bool) -> None:
    ctx = Context.open(engine, INSTRUMENT, SEL, functions=functions)
    for by in REGISTRY:
        _expect_item(item_tables(ctx, by, [ITEM])[0], records, by)
        index = {t.id: t for t in index_tables(ctx, by)}[INDEX]
        _expect_index(index, records, by)
    # The caseworker coded 1001 as SiS: the SiS row holds 1003's five follow-ups only, not 11.
    sis = {r.key: r for r in item_tables(ctx, "unit_type", [ITEM])[0].rows}[2]
    assert sis.label == INSTRUMENT.item("cw_unit_type").option(2).label
    assert sis.n == ptable.count(*_hand(records, {1003})[:2])
    # Filtered by the registry's type, the HVB follow-ups are 1001's (and not 1099's, which
    # the caseworker coded HVB); the same through the kept per-unit sums for the index.
    hvb = Context.open(engine, INSTRUMENT, Selection("2026-04", "2026-04",
                                                     (("unit_type", (1,)),)),
                       functions=functions)
    n, key, _codes = _hand(records, {1001})
    assert item_tables(hvb, None, [ITEM])[0].total.n == ptable.count(n, key)
    assert {t.id: t for t in index_tables(hvb)}[INDEX].total.n == ptable.count(n, key)
    by_unit = {t.id: t for t in index_tables(hvb, "unit")}[INDEX]
    assert [r.key for r in by_unit.rows] == [1001]
    # the unregistered unit's follow-ups are the "not known" group, also as a filter
    unknown = Context.open(engine, INSTRUMENT, Selection("2026-04", "2026-04",
                                                         (("orientation", (MISSING,)),)),
                           functions=functions)
    assert item_tables(unknown, "unit", [ITEM])[0].total.n == \
        ptable.count(*_hand(records, {1099})[:2])
    # response rates per unit type (beside the unit comparison) group the same way
    youth = {t.id: t for t in disposition_tables(ctx, "unit_type")}["response_youth"]
    assert {r.key: r.n for r in youth.rows} == {
        grp: ptable.count(*_hand(records, units)[:2])
        for grp, units in _groups("unit_type").items()}


def test_registry_breakdowns_count_the_registry_not_the_answer():
    engine = open_store("sqlite://")
    import_units(engine, DEMO_UNITS)
    records = _records()
    insert(engine, records)
    _check(engine, records, functions=False)


def test_a_unit_follows_its_registry_row_with_its_history():
    """Records are never rewritten: a unit whose operating form the registry changes moves to
    its new group with every follow-up it already had."""
    from sqlalchemy import text

    engine = open_store("sqlite://")
    import_units(engine, DEMO_UNITS)
    records = _records()
    insert(engine, records)
    with engine.begin() as conn:
        conn.execute(text("UPDATE unit SET operating_form = 1 WHERE id = 1005"))
    ctx = Context.open(engine, INSTRUMENT, SEL)
    rows = {r.key: r for r in item_tables(ctx, "operating_form", [ITEM])[0].rows}
    assert rows[1].n == ptable.count(*_hand(records, {1005})[:2])
    assert rows[2].n == ptable.count(*_hand(records, {1001})[:2])


@pytest.mark.skipif(pg_url() is None, reason="no PostgreSQL at UBU_TEST_PG_URL")
def test_the_analyst_gets_the_registry_breakdowns_through_the_functions():
    """As the analyst login, which may read neither records nor the registry's table for
    figures: the SECURITY DEFINER functions read public.unit as their owner."""
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
