"""The period grid (results/periods.py): figures for calendar months, quarters, half-years and
years only, each month in four of them; a login's periods once the month after is over."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ubu_tui.errors import InputRejected
from ubu_tui.results import periods
from ubu_tui.results.query import Selection

MONTHS = [f"{y:04d}-{m:02d}" for y in (2024, 2025, 2026) for m in range(1, 13)]
month = st.sampled_from(MONTHS)


@given(month, month)
def test_a_selection_is_a_grid_period_or_refused_saying_which_periods_there_are(a, b):
    first, last = min(a, b), max(a, b)
    y, fm, lm = first[:4], int(first[5:]), int(last[5:])
    on_grid = y == last[:4] and (fm == lm or (fm % 3 == 1 and lm == fm + 2)
                                 or (fm, lm) in ((1, 6), (7, 12), (1, 12)))
    if on_grid:
        assert Selection(first, last).period_to == last
    else:
        with pytest.raises(InputRejected, match="kvartal") as caught:
            Selection(first, last)
        assert f"{first} – {last}" in str(caught.value)


@given(month)
def test_every_month_lies_in_exactly_four_periods_a_picker_offers(m):
    """Month, quarter, half-year, year: four cells hold a month's records, so four draws of
    the noise are all that averaging over periods can collect."""
    offered = periods.choices(MONTHS)
    holding = [p for p in offered if p.first <= m <= p.last]
    assert sorted(p.kind for p in holding) == ["half", "month", "quarter", "year"]
    assert all(periods.kind(p.first, p.last) == p.kind for p in offered)


def test_the_picker_lists_newest_year_first_each_year_before_its_parts():
    got = [p.label for p in periods.choices(["2025-11", "2026-02"])]
    assert got == ["2026", "2026 halvår 1", "2026 kvartal 1", "2026-02",
                   "2025", "2025 halvår 2", "2025 kvartal 4", "2025-11"]
    assert periods.parse(periods.choices(["2026-02"])[0].value) == ("2026-01", "2026-12")


def test_a_login_reads_a_period_once_the_month_after_it_is_over():
    today = date(2026, 11, 28)
    assert periods.latest_published(today) == "2026-09"
    assert periods.latest_published(date(2026, 1, 31)) == "2025-11"
    periods.check_published("2026-07", "2026-09", today)
    for first, last in (("2026-10", "2026-10"), ("2026-07", "2026-12"),
                        ("2026-01", "2026-12")):
        with pytest.raises(InputRejected, match="2026-09"):
            periods.check_published(first, last, today)
    with pytest.raises(InputRejected, match="Ange en period"):
        periods.check_published(*periods.OPEN, today)
    # a picker offers a login the published periods only
    assert [p.label for p in periods.choices(["2026-08", "2026-10"], "2026-09")] == [
        "2026 kvartal 3", "2026-08"]


def test_one_filter_at_a_time():
    with pytest.raises(InputRejected, match="Ett filter i taget"):
        Selection("2026-01", "2026-03", (("sex", (1,)), ("unit_type", (2,))))
    with pytest.raises(InputRejected, match="Ange både"):
        Selection("2026-01", "9999-99")


def test_a_screen_opens_on_this_year_or_for_a_login_the_latest_quarter_published():
    assert periods.default(False, date(2026, 11, 28)).value == "2026-01/2026-12"
    assert periods.default(True, date(2026, 11, 28)).value == "2026-07/2026-09"
    assert periods.default(True, date(2026, 2, 10)).value == "2025-10/2025-12"
    assert periods.default(True, date(2026, 1, 5)).value == "2025-07/2025-09"
    assert periods.last_whole_year(date(2026, 11, 28)) == "2025"
    assert periods.last_whole_year(date(2027, 2, 1)) == "2026"


def test_a_login_is_offered_every_published_period_of_the_last_three_years():
    got = periods.login_choices(date(2026, 11, 28))
    assert got[0].label == "2026 halvår 1" and got[-1].first == "2024-12"
    assert all(p.last <= "2026-09" for p in got) and "2025" in [p.label for p in got]
