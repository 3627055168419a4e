"""The unit and municipality reports and the funnel plot, against counts worked out by hand."""

from __future__ import annotations

import random

import pytest

from tests.conftest import DEMO_UNITS
from ubu_tui.cli import run
from ubu_tui.errors import InputRejected
from ubu_tui.instrument import default_instrument
from ubu_tui.results import ptable
from ubu_tui.results.aggregate import Row, Table
from ubu_tui.results.funnel import HIGHER, LOWER, Z998, limits, verdict
from ubu_tui.results.group_report import group_report
from ubu_tui.results.query import Selection
from ubu_tui.scripts.synth import Synthetic, insert
from ubu_tui.store import open_store
from ubu_tui.store.registry import import_units

INSTRUMENT = default_instrument()
SEL = Selection("2026-01", "2026-12")


def _records() -> list[Synthetic]:
    keys = random.Random(16)       # the same published figures every run
    out = []
    for n in range(90):
        unit = 1001 if n < 40 else 1002 if n < 89 else 1003       # 1003: one follow-up
        rec = Synthetic(f"g{n:05d}", "0180" if n % 3 else "1280", unit, "2026-05",
                        {"youth": "completed" if n % 4 else "declined",
                         "caseworker": "completed"}, key=keys.getrandbits(32))
        if n % 4:
            rec.answers = [("youth", "y_violation", "value", 1 if n % 5 == 0 else 2),
                           ("youth", "y_safe", "value", 5 if unit == 1001 else 2)]
        out.append(rec)
    return out


@pytest.fixture(scope="module")
def known():
    records = _records()
    eng = open_store("sqlite://")
    import_units(eng, DEMO_UNITS)
    insert(eng, records)
    return eng, records


def _count(records, stream: int = 1) -> int:
    return ptable.count(len(records), ptable.stream(sum(r.key for r in records), stream))


def _violation(rec: Synthetic) -> int | None:
    return next((c for _r, i, _o, c in rec.answers if i == "y_violation"), None)


def test_unit_report_is_the_unit_beside_all(known):
    engine, records = known
    report = group_report(engine, INSTRUMENT, SEL, "unit", 1001)
    mine = [r for r in records if r.unit_id == 1001]
    assert report.shown and report.name != "1001"
    youth = next(c for c in report.responses if c.id == "response_youth")
    assert youth.own.n == _count(mine)
    answered = [r for r in mine if r.sessions["youth"] == "completed"]
    key = sum(r.key for r in mine)
    # no child of 1001 is outside 12-21 (no not-eligible part): the base is n (schema 0170)
    assert not [r for r in mine if r.sessions["youth"] == "not_eligible"]
    asked = _count(mine)
    rate_key = ptable.stream(key, ptable.measure_stream("rate.youth"))   # its own stream
    assert youth.own.share_high == pytest.approx(ptable.share(len(answered), asked, rate_key))
    assert youth.own.nonresponse == {     # dispositions in their own stream (schema 0170)
        "completed": _count(answered, ptable.DISPOSITION_STREAM),
        "declined": _count([r for r in mine if r not in answered], ptable.DISPOSITION_STREAM)}
    assert youth.everyone.n == _count(records)
    safety = next(c for c in report.indices if c.id == "safety_care")
    assert safety.own.n == _count(answered)
    # every y_safe was 5: the share is all of them, plus the noise from the group's key
    assert safety.own.share_high == pytest.approx(
        ptable.share(len(answered), _count(answered), ptable.stream(
            sum(r.key for r in answered), ptable.measure_stream("safety_care"))))
    # far above all units, on many follow-ups: outside the funnel's 99.8 % limits
    assert safety.funnel == HIGHER
    violation = report.shares[0]
    # the sensitive item's codes in their own stream (schema 0170)
    said_yes = [r for r in answered if _violation(r) == 1]
    yes = ptable.count(len(said_yes), ptable.stream(sum(r.key for r in said_yes),
                                                    ptable.SENSITIVE_STREAM))
    # "no" is no cell of its own: the share is of the published n (schema 0170)
    assert violation.own.share_high == pytest.approx(yes / max(violation.own.n, yes))


def test_municipality_report_own_against_all(known):
    engine, records = known
    report = group_report(engine, INSTRUMENT, SEL, "municipality", "1280")
    mine = [r for r in records if r.municipality == "1280"]
    assert report.name == "Kommun 1280"
    caseworker = next(c for c in report.responses if c.id == "response_caseworker")
    assert caseworker.own.n == _count(mine) and caseworker.everyone.n == _count(records)


def test_a_unit_under_the_threshold_shows_nothing_anywhere(known, tmp_path):
    engine, _records = known
    report = group_report(engine, INSTRUMENT, SEL, "unit", 1003)
    assert not report.shown
    assert all(not c.own.shown and c.own.n is None for c in report.comparisons())
    assert all(c.everyone.shown for c in report.comparisons() if c.id == "safety_care")


def test_report_command_for_a_unit_and_a_municipality(tmp_path):
    url = f"sqlite:///{tmp_path / 'ubu.sqlite3'}"
    eng = open_store(url)
    import_units(eng, DEMO_UNITS)
    insert(eng, _records())
    for name in ("u.html", "u.pptx", "u.xlsx", "u.csv"):
        assert run(["--database-url", url, "report", "--from", "2026-05", "--unit", "1001",
                    str(tmp_path / name)]) == 0
        assert (tmp_path / name).stat().st_size > 0
    assert "HVB" in (tmp_path / "u.html").read_text(encoding="utf-8") or \
        "Enhet" in (tmp_path / "u.html").read_text(encoding="utf-8")
    assert run(["--database-url", url, "report", "--from", "2026-05", "--for-municipality", "0180",
                str(tmp_path / "m.csv")]) == 0
    assert "Kommun 0180" in (tmp_path / "m.csv").read_text(encoding="utf-8")
    with pytest.raises(SystemExit) as bad:       # argparse's own exit, with the message
        run(["--database-url", url, "report", "--from", "2026-05", "--for-municipality", "180",
             str(tmp_path / "x.csv")])
    assert bad.value.code == 2
    with pytest.raises(InputRejected, match="4242 finns inte i registret"):
        run(["--database-url", url, "report", "--from", "2026-05", "--unit", "4242",
             str(tmp_path / "x.csv")])
    assert not (tmp_path / "x.csv").exists()


def test_funnel_flags_only_outside_the_998_limits():
    lo, hi = limits(0.5, 100, Z998)
    # the binomial spread and the share's own noise (step 0.25·√n, so 1/16 / n more variance)
    assert hi - 0.5 == pytest.approx(3.090232 * ((0.25 + 1 / 16) / 100) ** 0.5)
    total = Row("__total__", "Samtliga", 1000, 1000, None, 0.5)

    def at(share: float, n: int) -> str:
        row = Row(1, "Enhet", n, n, None, share)
        return verdict(Table("x", "x", "unit", (row,), total, 3, "share"), row)

    assert at(0.5 + 0.9 * (hi - 0.5), 100) == ""             # inside, even if outside 95 %
    assert at(hi + 0.01, 100) == HIGHER and at(lo - 0.01, 100) == LOWER
    assert at(0.9, 4) == ""                                  # few follow-ups: wide limits
