"""Instrument versions: 2026.1 and 2026.2 side by side, the declared mapping, local versions,
drafts and records pinned to the version they were started with, and results across versions."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.helpers import complete_all, first_answer
from ubu_tui.errors import InstrumentError
from ubu_tui.instrument.loader import instrument_by_version, load_instrument
from ubu_tui.instrument.versions import combination
from ubu_tui.interview import Consent, FollowUp, Mode, Setup
from ubu_tui.interview.eligibility import LegalBasis, Unaccompanied, check
from ubu_tui.results import ptable
from ubu_tui.results.aggregate import Context, item_tables
from ubu_tui.results.query import Selection
from ubu_tui.scripts.synth import Synthetic, insert

ROOT = Path(__file__).resolve().parents[1]
VERSIONS = ROOT / "data" / "instruments" / "ubu-vb"
OLD, NEW = instrument_by_version("ubu-vb", "2026.1"), instrument_by_version("ubu-vb", "2026.2")


def copy_versions(tmp_path: Path) -> Path:
    base = tmp_path / "ubu-vb"
    shutil.copytree(VERSIONS, base)
    return base


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- both versions load and pass the command-line check ---------------------------------------

@pytest.mark.parametrize("version", ["2026.1", "2026.2"])
def test_check_instrument_passes_both_shipped_versions(version):
    run = subprocess.run([sys.executable, "-m", "ubu_tui", "check-instrument",
                          str(VERSIONS / version)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert f"ubu-vb@{version}: giltigt" in run.stdout
    assert "nationell version" in run.stdout
    assert ("73 frågor är samma fråga som i 2026.1" in run.stdout) is (version == "2026.2")


def test_the_mapping_names_every_old_item_once():
    mapping = NEW.mapping
    assert mapping is not None and mapping.previous == "2026.1"
    assert set(mapping.same) | set(mapping.changed) == set(OLD.items)
    assert not set(mapping.same) & set(mapping.changed)
    # the items the issue found wanting are not carried over under their old meaning
    for old_id in ("y_knew_why", "y_cared", "y_respect", "y_school_result", "y_contact_others",
                   "y_health_care", "y_dental", "y_overall", "g_informed", "g_involved",
                   "g_kept_informed", "g_end_prepared", "cw_own_contact", "cw_coop_reach"):
        assert old_id in mapping.changed and old_id not in NEW.items


def test_a_shared_id_always_means_the_same_question():
    shared = set(OLD.items) & set(NEW.items)
    assert shared == set(NEW.mapping.same)   # type: ignore[union-attr]
    for ix in NEW.indices:
        old = next((o for o in OLD.indices if o.id == ix.id), None)
        if old is not None:
            assert set(old.items) == set(ix.items)


@pytest.mark.parametrize("file,old,new,expect", [
    ("mapping.toml", 'y_safe = "y_safe"\n', "", "must be declared [same] or [changed]"),
    ("mapping.toml", 'y_safe = "y_safe"\n', 'y_safe = "y_listened"\n',
     "both mapped to 'y_listened'"),
    ("mapping.toml", 'y_food = "y_food"\n', 'y_food = "y_climate"\n',
     "answered on different scales"),
    ("mapping.toml", 'previous = "2026.1"', 'previous = "2025.9"', "is not a folder beside"),
    ("youth.toml", 'id = "y_understood_why"', 'id = "y_knew_why"',
     "keeps its id from ubu-vb@2026.1 but is not declared the same question"),
    ("instrument.toml", 'id = "safety_care"', 'id = "safety"',
     "index 'safety' holds other questions than in ubu-vb@2026.1"),
    ("instrument.toml", 'scope = "national"', 'scope = "local"', "a local version needs"),
])
@pytest.mark.usefixtures("english")   # matches the English wording
def test_a_broken_mapping_is_refused_with_file_and_rule(tmp_path, file, old, new, expect):
    base = copy_versions(tmp_path)
    edit(base / "2026.2" / file, old, new)
    with pytest.raises(InstrumentError, match=expect.replace("[", r"\[").replace("]", r"\]")):
        load_instrument(base / "2026.2")


def test_check_instrument_refuses_a_broken_mapping_with_exit_2(tmp_path):
    base = copy_versions(tmp_path)
    edit(base / "2026.2" / "mapping.toml", 'y_safe = "y_safe"\n', "")
    run = subprocess.run([sys.executable, "-m", "ubu_tui", "check-instrument",
                          str(base / "2026.2")], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "mapping.toml" in run.stderr and "y_safe" in run.stderr


# --- the version rule ----------------------------------------------------------------------------

def local_version(tmp_path: Path) -> Path:
    """A municipality's own version: 2026.2 plus nothing, marked local."""
    base = copy_versions(tmp_path)
    local = base / "2026.2+0180"
    shutil.copytree(base / "2026.2", local)
    edit(local / "instrument.toml", 'version = "2026.2"', 'version = "2026.2+0180"')
    edit(local / "instrument.toml", 'scope = "national"', 'scope = "local"')
    edit(local / "instrument.toml", 'mapping = "mapping.toml"\n', "")
    return local


def test_national_versions_combine_only_through_the_mapping():
    rule = combination([OLD, NEW])
    assert rule.key("ubu-vb", "2026.1", "y_safe").key == "y_safe"        # declared the same
    assert rule.key("ubu-vb", "2026.2", "y_safe").key == "y_safe"
    assert rule.members("y_safe") == {("ubu-vb", "2026.1", "y_safe"),
                                      ("ubu-vb", "2026.2", "y_safe")}
    assert rule.members("y_cared") == {("ubu-vb", "2026.1", "y_cared")}  # changed: apart
    assert rule.members("y_staff_care") == {("ubu-vb", "2026.2", "y_staff_care")}
    assert all(k.national for k in rule.keys.values())


def test_a_renamed_question_is_counted_under_the_newer_id(tmp_path):
    base = copy_versions(tmp_path)
    edit(base / "2026.2" / "youth.toml", 'id = "y_food"', 'id = "y_meals"')
    edit(base / "2026.2" / "mapping.toml", 'y_food = "y_food"', 'y_food = "y_meals"')
    edit(base / "2026.2" / "instrument.toml", '"y_food",', '"y_meals",')
    new = load_instrument(base / "2026.2")
    rule = combination([OLD, new])
    assert rule.members("y_meals") == {("ubu-vb", "2026.1", "y_food"),
                                       ("ubu-vb", "2026.2", "y_meals")}
    assert rule.aliases() == {"y_food": "y_meals"}


def test_without_a_mapping_nothing_combines(tmp_path):
    base = copy_versions(tmp_path)
    edit(base / "2026.2" / "instrument.toml", 'mapping = "mapping.toml"\n', "")
    rule = combination([OLD, load_instrument(base / "2026.2")])
    assert rule.key("ubu-vb", "2026.1", "y_safe").key == "y_safe@2026.1"
    assert rule.key("ubu-vb", "2026.2", "y_safe").key == "y_safe"


def test_a_local_version_is_marked_local_and_never_national(tmp_path):
    local = load_instrument(local_version(tmp_path))
    assert local.scope == "local" and not local.national
    rule = combination([OLD, NEW, local])
    key = rule.key("ubu-vb", "2026.2+0180", "y_safe")
    assert key == type(key)("y_safe@2026.2+0180", False)
    assert ("ubu-vb", "2026.2+0180", "y_safe") not in rule.members("y_safe")


# --- drafts and records keep their version ------------------------------------------------------

SETUP = Setup("0180", 1003, Mode.IN_PERSON, 2, 16, 3, True)


def test_a_2026_1_draft_resumes_and_is_submitted_as_2026_1(engine):
    from ubu_tui.store.drafts import load_draft, save_draft
    from ubu_tui.store.submissions import submit

    followup = FollowUp.open(OLD, SETUP)
    youth = followup.session("youth")
    youth.set_consent(Consent.GIVEN)
    youth.answer(first_answer(youth.current))
    save_draft(engine, followup, "Blå ek 1")
    again, _label = load_draft(engine, followup.id)
    assert again.instrument.key == "ubu-vb@2026.1"
    assert again.session("youth").current.id == "y_safe"        # 2026.1 wording, 2026.1 order
    submit(engine, complete_all(again))
    with engine.connect() as conn:
        from sqlalchemy import text

        row = conn.execute(text("SELECT instrument_version FROM submission")).one()
        items = {r[0] for r in conn.execute(text("SELECT DISTINCT item_id FROM answer_record"))}
    assert row[0] == "2026.1"
    assert "y_cared" in items and "y_staff_care" not in items     # its own questions, kept


def test_a_draft_cannot_be_opened_with_another_version():
    from ubu_tui.interview import AnswerRejected

    state = FollowUp.open(OLD, SETUP).to_state()
    with pytest.raises(AnswerRejected, match="2026.1"):
        FollowUp.from_state(NEW, state)


# --- results across versions ---------------------------------------------------------------------

def answers(version: str, n: int, code: int) -> list[Synthetic]:
    # Fixed record keys: with random ones the cell-key noise on a count of 10 now and then (2
    # runs in 60) moved the mean outside the bound asserted below, and the test failed at random.
    keys = random.Random(f"{version}-{code}")
    out = []
    for k in range(n):
        rec = Synthetic(f"{version}-{code}-{k}", "0180", 1003, "2026-06", {"youth": "completed"},
                        version=version, key=keys.getrandbits(32))
        item = "y_cared" if version == "2026.1" else "y_staff_care"
        rec.answers = [("youth", "y_safe", "value", code), ("youth", item, "value", code)]
        out.append(rec)
    return out


def table(engine, item_id: str, by: str | None = None):
    ctx = Context.open(engine, NEW, Selection("2026-01", "2026-12"))
    return next(t for t in item_tables(ctx, by, [item_id]))


def published(records: list[Synthetic]) -> int:
    """The count the cell-key method publishes for exactly these records."""
    return ptable.count(len(records), sum(r.key for r in records))


def mean_of(row, true_mean: float, n: int) -> bool:
    return abs(row.mean - true_mean) <= ptable.max_sum_noise(4) / n + 1e-9


def test_results_combine_a_mapped_item_and_keep_changed_ones_apart(engine):
    old, new = answers("2026.1", 5, 2), answers("2026.2", 5, 4)
    insert(engine, old + new)
    safe = table(engine, "y_safe")
    assert safe.total.n == published(old + new) and mean_of(safe.total, 3.0, 10)  # both versions
    care = table(engine, "y_staff_care")
    assert care.total.n == published(new) and mean_of(care.total, 4.0, 5)         # 2026.2 only
    care_by_unit = table(engine, "y_staff_care", "unit")
    assert care_by_unit.total.n == published(new)
    # the 2026.1 question that 2026.2 no longer asks is reported on its own, never folded in
    every = {t.id: t for t in item_tables(Context.open(engine, NEW, Selection("2026-01",
                                                                                "2026-12")))}
    assert every["y_cared"].title.endswith("(bara 2026.1)")
    assert every["y_cared"].total.n == published(old)
    assert every["y_staff_care"].total.n == published(new)
    assert every["y_safe"].total.n == published(old + new)
    assert not every["y_safe"].title.endswith(")")


def test_a_renamed_question_folds_into_one_cell_of_both_versions_records():
    from ubu_tui.instrument.versions import fold_aliases

    rows = {("y_old", 0): {4: (2, 7), -1: (1, 5)}, ("y_new", 0): {4: (3, 2**32 - 1)}}
    folded = fold_aliases(rows, {"y_old": "y_new"})
    # a cell's key is the sum of its records' keys: the folded cell is perturbed as one cell
    assert folded == {("y_new", 0): {4: (5, 2**32 + 6), -1: (1, 5)}}


def test_a_local_versions_records_stay_out_of_national_figures(engine, monkeypatch):
    import ubu_tui.scripts.synth as synth

    monkeypatch.setattr(synth, "_scores", lambda rec: {})   # no index sums: items only here
    national = answers("2026.2", 5, 4)
    insert(engine, national)
    local = answers("2026.2", 4, 1)
    for rec in local:
        rec.id, rec.version = rec.id + "-local", "2026.2+0180"
    insert(engine, local)
    for by in (None, "unit"):
        safe = table(engine, "y_safe", by)
        assert safe.total.n == published(national) and mean_of(safe.total, 4.0, 5)


# --- eligibility: the LSS transition and unaccompanied minors -----------------------------------

TURNED = date(2026, 10, 1)


@pytest.mark.parametrize("today,due", [(TURNED - timedelta(days=1), False), (TURNED, True),
                                       (TURNED + timedelta(days=90), True),
                                       (TURNED + timedelta(days=91), False)])
def test_a_placement_turning_into_lss_is_due_from_the_day_it_turns(today, due):
    verdict = check(TURNED - timedelta(days=60), TURNED, today, LegalBasis.SOL_LVU_TO_LSS, 15)
    assert verdict.due is due
    if today < TURNED:
        assert "inte övergått i LSS ännu" in verdict.reasons[0]
    if due:
        assert any("fortsätter enligt LSS" in n for n in verdict.notes)


@pytest.mark.parametrize("days,due", [(6, False), (7, True)])
def test_the_seven_day_rule_counts_the_time_before_the_transition(days, due):
    verdict = check(TURNED - timedelta(days=days), TURNED, TURNED + timedelta(days=3),
                    LegalBasis.SOL_LVU_TO_LSS, 15)
    assert verdict.due is due


def test_an_ordinary_placement_still_has_to_have_ended():
    verdict = check(TURNED - timedelta(days=60), TURNED, TURNED - timedelta(days=1),
                    LegalBasis.LVU, 15)
    assert not verdict.due and "inte avslutats" in verdict.reasons[0]


@pytest.mark.parametrize("unaccompanied,due", [
    (Unaccompanied.NO, True), (Unaccompanied.SOCIAL_PROBLEMS, True),
    (Unaccompanied.NO_GUARDIAN_ONLY, False), (7, False)])
def test_unaccompanied_minors_are_followed_up_only_when_placed_for_social_problems(
        unaccompanied, due):
    verdict = check(TURNED - timedelta(days=60), TURNED, TURNED + timedelta(days=3),
                    LegalBasis.SOL, 16, unaccompanied)
    assert verdict.due is due


def test_the_unaccompanied_answer_is_prefilled_in_2026_2_only():
    for value, code in ((Unaccompanied.SOCIAL_PROBLEMS, 1), (Unaccompanied.NO, 2)):
        setup = Setup("0180", 1003, Mode.IN_PERSON, 1, 16, 3, True, unaccompanied=value)
        cw = FollowUp.open(NEW, setup).session("caseworker")
        assert cw.responses["cw_unaccompanied"].code == code
        assert "cw_unaccompanied" not in FollowUp.open(OLD, setup).session(
            "caseworker").responses
    assert NEW.item("cw_reason").option(7) is None                # no longer a reason
    assert OLD.item("cw_reason").option(7) is not None            # old records keep it


def test_the_serious_violation_answer_is_a_figure_of_its_own(engine):
    from ubu_tui.results.aggregate import share_tables

    records = []
    keys = random.Random(19)     # fixed keys: a random set may publish the 4 answers as hidden
    for k, code in enumerate([1, 2, 2, 2, -2]):       # one yes, three no, one "don't know"
        rec = Synthetic(f"v{k}", "0180", 1003, "2026-06", {"youth": "completed"},
                        key=keys.getrandbits(32))
        rec.answers = [("youth", "y_violation", "value" if code > 0 else "nonresponse", code)]
        records.append(rec)
    insert(engine, records)
    ctx = Context.open(engine, NEW, Selection("2026-01", "2026-12"))
    (violation,) = share_tables(ctx)
    assert violation.kind == "share" and violation.title.startswith("Andel som uppger")
    answered = records[:4]
    assert violation.total.n == published(answered)
    # from the published counts only: the yes count over the published n
    yes = ptable.count(1, answered[0].key)
    assert violation.total.share_high == pytest.approx(min(1.0, yes / violation.total.n))
    by_unit = share_tables(ctx, "unit")[0]
    assert by_unit.total.n == published(answered)
    assert all(r.n is None or r.n >= 3 for r in by_unit.rows)


def test_the_default_is_the_newest_national_version(tmp_path, monkeypatch):
    from ubu_tui.instrument import loader

    base = tmp_path / "instruments" / "ubu-vb"
    local = local_version(tmp_path)                      # tmp_path/ubu-vb/2026.2+0180
    shutil.copytree(local.parent, base)
    monkeypatch.setenv("UBU_DATA_DIR", str(tmp_path))
    loader.default_instrument.cache_clear()
    try:
        assert loader.default_instrument().key == "ubu-vb@2026.2"
    finally:
        loader.default_instrument.cache_clear()


# --- the paper form is read by the respondent alone ------------------------------------------

SPOKEN = {"sv": ("Jag skriver", "tar jag upp", "Vill du svara på några frågor"),
          "en": ("I will write down", "I will take it up", "Would you like to answer")}


@pytest.mark.parametrize("respondent", ["youth", "guardian"])
@pytest.mark.parametrize("language", ["sv", "en", "fi", "so", "ar"])
def test_the_paper_form_speaks_to_the_reader_not_as_the_interviewer(respondent, language):
    from ubu_tui.instrument.paper import paper_form

    page = paper_form(NEW, respondent, language)
    intro = page.split("<ol>")[0]
    for spoken in SPOKEN.get(language, ()):
        assert spoken not in intro
    # the introduction is the paper text, in the language asked (a draft, marked as one)
    assert "(på svenska: ingen aktuell översättning)" not in intro
    if language == "sv":
        assert NEW.forms[respondent].paper_consent_text in intro
        assert "halvtimme att fylla i" in intro and "utan kryss" in intro
    if language == "en":
        assert "hand the form back without any ticks" in intro
    if respondent == "youth" and language == "sv":     # what a yes to the violation item leads to
        assert "tar socialsekreteraren upp det i din akt" in intro


def test_a_2026_1_paper_form_still_prints_its_own_introduction():
    from ubu_tui.instrument.paper import paper_form

    assert OLD.forms["youth"].paper_consent_text == ""
    assert OLD.forms["youth"].consent_text in paper_form(OLD, "youth", "sv")


# --- a local version is reported apart, and never sent to the shared database ------------------

def national_and_local(engine, monkeypatch) -> tuple[list[Synthetic], list[Synthetic]]:
    import ubu_tui.scripts.synth as synth

    monkeypatch.setattr(synth, "_scores", lambda rec: {})   # no index sums: items only here
    national, local = answers("2026.2", 5, 4), answers("2026.2", 6, 1)
    for rec in local:
        rec.id, rec.version = rec.id + "-local", "2026.2+0180"
    insert(engine, national + local)
    return national, local


def test_a_national_report_lists_local_versions_apart_and_each_has_its_own(
        engine, monkeypatch, tmp_path):
    from ubu_tui.results.render import to_csv
    from ubu_tui.results.report import standard_report

    national, local = national_and_local(engine, monkeypatch)
    sel = Selection("2026-01", "2026-12")
    report = standard_report(engine, NEW, sel)
    safe = next(t for t in report.items if t.id == "y_safe")
    assert safe.total.n == published(national)                     # no local answer in it
    apart = report.local_versions
    assert apart is not None and [r.label for r in apart.rows] == ["ubu-vb@2026.2+0180"]
    assert apart.rows[0].n == published(local)
    assert "ubu-vb@2026.2+0180" in to_csv(report)
    # the local version's own report: its records alone, titled as local
    own = standard_report(engine, load_instrument(local_version(tmp_path)), sel)
    assert "lokal version 2026.2+0180" in own.title and own.local_versions is None
    mine = next(t for t in own.items if t.id == "y_safe")
    assert mine.total.n == published(local) and mean_of(mine.total, 1.0, len(local))
    assert own.followups == published(local)


def test_no_local_version_no_local_table(engine):
    from ubu_tui.results.report import standard_report

    insert(engine, answers("2026.2", 4, 3))
    assert standard_report(engine, NEW, Selection("2026-01", "2026-12")).local_versions is None


@pytest.mark.usefixtures("english")
def test_push_sends_no_local_version_and_says_so(engine, monkeypatch, tmp_path):
    import ubu_tui.scripts.synth as synth
    from tests.conftest import DEMO_UNITS
    from ubu_tui.errors import InputRejected
    from ubu_tui.store import open_store
    from ubu_tui.store.registry import import_units
    from ubu_tui.store.shared import push

    scores = synth._scores
    monkeypatch.setattr(synth, "_scores",            # a local version is not shipped here
                        lambda rec: {} if "+" in rec.version else scores(rec))
    records = list(synth.generate(NEW, 11, [1001, 1002, 1003], ["2026-06"], seed=19))
    for rec in records[5:]:
        rec.version = "2026.2+0180"
    insert(engine, records)
    shared = open_store(f"sqlite:///{tmp_path / 'shared.sqlite3'}")
    import_units(shared, DEMO_UNITS)

    def versions() -> list[tuple]:
        from sqlalchemy import text

        with shared.connect() as conn:
            return [tuple(r) for r in conn.execute(text(
                "SELECT instrument_version, count(*) FROM submission GROUP BY 1"))]

    with pytest.raises(InputRejected, match=r"6 records are of a local version.*Nothing was "
                                            r"sent\. Add --skip-local"):
        push(engine, shared)
    assert versions() == []
    report = push(engine, shared, skip_local=True)
    assert (report.sent, report.kept_local) == (5, 6) and versions() == [("2026.2", 5)]


def test_a_local_version_cannot_be_asked_of_the_figure_functions():
    from ubu_tui.errors import InputRejected
    from ubu_tui.results.query import _function_args

    with pytest.raises(InputRejected):
        Selection("2026-01", "2026-12", version="2026.2")         # national: not apart
    with pytest.raises(InputRejected, match="nationella"):
        _function_args(Selection("2026-01", "2026-12", version="2026.2+0180"))


# --- indices across versions: through the mapping only, never an old one listed empty ---------

def test_a_2026_2_report_lists_no_2026_1_index_and_combines_only_unchanged_ones(engine):
    from ubu_tui.results.group_report import group_report
    from ubu_tui.results.render import to_csv
    from ubu_tui.results.report import standard_report
    from ubu_tui.scripts.synth import _scores, generate

    old = list(generate(OLD, 30, [1001, 1002, 1003], ["2026-03"], seed=7))
    new = list(generate(NEW, 30, [1001, 1002, 1003], ["2026-09"], seed=8))
    insert(engine, old + new)
    sel = Selection("2026-01", "2026-12")
    report = standard_report(engine, NEW, sel)
    old_only = {ix.id for ix in OLD.indices} - {ix.id for ix in NEW.indices}
    assert {"goal", "safety", "network", "planning", "goal_health"} <= old_only
    new_ids = {ix.id for ix in NEW.indices}
    listed = {t.id.split(":")[-1] for t in report.all_tables() if t.kind == "index"}
    listed |= {t.id.split(":")[-1] for t in report.trends}
    assert not listed & old_only and {t.id for t in report.indices} == new_ids
    csv = to_csv(report)
    assert not any(f"\n{ix}," in csv for ix in old_only)
    group = group_report(engine, NEW, sel, "unit", 1001)
    assert {c.id for c in group.indices} <= new_ids

    def published_index(records: list, ix: str) -> int:
        scored = [r for r in records if ix in _scores(r)]
        return ptable.count(len(scored), sum(r.key for r in scored))

    totals = {t.id: t.total for t in report.indices}
    # an index with the same id holds the same questions: both versions' records count
    assert totals["school"].n == published_index(old + new, "school")
    # an index with a new id holds other questions: only the version that asks them counts
    assert totals["safety_care"].n == published_index(new, "safety_care")


@pytest.mark.usefixtures("english")
def test_a_municipality_starts_follow_ups_on_its_local_version(tmp_path, monkeypatch, engine):
    from ubu_tui.config import Settings
    from ubu_tui.instrument import loader
    from ubu_tui.results.aggregate import Context

    data = tmp_path / "data"
    shutil.copytree(VERSIONS.parent.parent, data)            # the shipped data, and ours
    shutil.copytree(local_version(tmp_path), data / "instruments" / "ubu-vb" / "2026.2+0180")
    monkeypatch.setenv("UBU_DATA_DIR", str(data))
    for cached in (loader.default_instrument, loader.available_instruments):
        cached.cache_clear()
    try:
        monkeypatch.setenv("UBU_INSTRUMENT_VERSION", "2026.2+0180")
        from tests.ui import new_app

        app = new_app(engine, instrument_version=Settings.from_env().instrument_version)
        assert app.instrument.key == "ubu-vb@2026.2+0180" and not app.instrument.national
        # its results are its own records alone, whatever selection asked
        ctx = Context.open(engine, app.instrument, Selection("2026-01", "2026-12"))
        assert ctx.selection.version == "2026.2+0180"
        run = subprocess.run([sys.executable, "-m", "ubu_tui", "codebook"], capture_output=True,
                             text=True, timeout=60, env={**os.environ,
                                                         "UBU_INSTRUMENT_VERSION": "2026.1"})
        assert run.returncode == 2 and "is a national version" in run.stderr
        assert "Traceback" not in run.stderr
    finally:
        for cached in (loader.default_instrument, loader.available_instruments):
            cached.cache_clear()


def test_the_slides_list_local_versions_apart_as_the_html_does(engine, monkeypatch, tmp_path):
    from pptx import Presentation

    from ubu_tui.results.report import standard_report
    from ubu_tui.results.slides import to_pptx

    _national, local = national_and_local(engine, monkeypatch)
    report = standard_report(engine, NEW, Selection("2026-01", "2026-12"))
    to_pptx(report, tmp_path / "r.pptx")
    slides = [[shape for shape in slide.shapes] for slide in Presentation(
        str(tmp_path / "r.pptx")).slides]
    apart = [s for s in slides if any(sh.has_text_frame and sh.text_frame.text.startswith(
        "Lokala versioner") for sh in s)]
    assert len(apart) == 1
    grid = next(sh.table for sh in apart[0] if sh.has_table)
    cells = [[grid.cell(r, c).text for c in range(2)] for r in range(len(grid.rows))]
    assert cells[1] == ["ubu-vb@2026.2+0180", str(published(local))]
