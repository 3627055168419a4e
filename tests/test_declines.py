"""Why a respondent declined: a coded reason from the instrument's closed list, chosen at the
consent step, stored with the record (never text), carried by export, import and push, and
counted in results by reason under the same disclosure control as every figure."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from tests.conftest import DEMO_UNITS
from tests.helpers import complete_all
from tests.ui import new_app, press, start_followup
from ubu_tui.errors import InputRejected
from ubu_tui.identifiers import new_record_id
from ubu_tui.interview import Consent, FollowUp, Mode, Setup
from ubu_tui.results import ptable
from ubu_tui.results.aggregate import Context, disposition_tables
from ubu_tui.results.query import Selection
from ubu_tui.results.report import standard_report
from ubu_tui.results.shares import decline_tables
from ubu_tui.scripts.synth import Synthetic, insert
from ubu_tui.store import open_store
from ubu_tui.store.registry import import_units
from ubu_tui.store.submissions import submit
from ubu_tui.store.transfer import export_csv, export_jsonl, import_jsonl


def stored(engine, sql: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def declined_followup(instrument, setup, reason: int, mode: Mode = Mode.IN_PERSON) -> FollowUp:
    followup = FollowUp.open(instrument, Setup(**{**setup.__dict__, "mode": mode}))
    followup.session("youth").set_consent(Consent.DECLINED, reason)
    return complete_all(followup)


async def test_the_consent_screen_asks_why_and_escape_records_nothing(engine):
    app = new_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_followup(pilot)
        await press(pilot, "1", "2", "enter")          # the young person says no
        assert type(app.screen).__name__ == "ChoiceDialog"
        texts = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert "Varför avböjde personen?" in texts and "Läs inte upp" in texts
        await press(pilot, "escape")                   # changed their mind: nothing recorded
        assert type(app.screen).__name__ == "ConsentScreen"
        session = app.screen.session
        assert session.consent is None and session.decline_reason is None
        await press(pilot, "2", "enter", "2")           # orkar inte eller har inte tid
        assert type(app.screen).__name__ == "FollowUpScreen"
        assert (session.disposition.value, session.decline_reason) == ("declined", 2)


def test_the_reason_and_phone_with_interpreter_travel_through_export_and_import(
        engine, instrument, setup, tmp_path):
    submit(engine, declined_followup(instrument, setup, 3, Mode.PHONE_INTERPRETER))
    submit(engine, complete_all(FollowUp.open(instrument, setup)))
    path = tmp_path / "records.jsonl"
    assert export_jsonl(engine, path) == 2
    sessions = [s for line in path.read_text().splitlines()
                for s in json.loads(line)["sessions"]]
    assert sorted((s["respondent"], s["decline_reason"] or 0) for s in sessions) == [
        ("caseworker", 0), ("caseworker", 0), ("guardian", 0), ("guardian", 0),
        ("youth", 0), ("youth", 3)]
    assert {s["mode"] for s in sessions} == {1, 5}
    other = open_store("sqlite://")
    import_units(other, DEMO_UNITS)
    assert import_jsonl(other, path).added == 2
    query = ("SELECT respondent, disposition, COALESCE(decline_reason, 0), mode "
             "FROM session_record")
    assert sorted(stored(other, query)) == sorted(stored(engine, query))
    assert import_jsonl(other, path).already_present == 2       # the same records, again
    csv_path = tmp_path / "records.csv"
    export_csv(engine, csv_path)
    header, *rows = csv_path.read_text().splitlines()
    assert "youth_decline_reason" in header.split(",")


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("reason,disposition", [(9, "declined"), (2, "completed"),
                                                ("vill inte", "declined"), (True, "declined")])
def test_import_refuses_a_reason_the_instrument_does_not_list_or_a_part_not_declined(
        engine, instrument, setup, tmp_path, reason, disposition):
    submit(engine, declined_followup(instrument, setup, 1))
    path = tmp_path / "records.jsonl"
    export_jsonl(engine, path)
    record = json.loads(path.read_text())
    record["id"] = new_record_id()
    youth = next(s for s in record["sessions"] if s["respondent"] == "youth")
    youth["decline_reason"] = reason
    if disposition == "completed":      # a reason on a part that was not declined
        youth = next(s for s in record["sessions"] if s["respondent"] == "guardian")
        youth["decline_reason"] = reason
    path.write_text(json.dumps(record) + "\n")
    with pytest.raises(InputRejected, match="decline_reason"):
        import_jsonl(engine, path)
    assert stored(engine, "SELECT count(*) FROM submission") == [(1,)]


def test_a_file_from_before_the_reason_still_imports(engine, instrument, setup, tmp_path):
    submit(engine, complete_all(FollowUp.open(instrument, setup)))
    path = tmp_path / "records.jsonl"
    export_jsonl(engine, path)
    record = json.loads(path.read_text())
    for s in record["sessions"]:
        del s["decline_reason"]
    path.write_text(json.dumps(record) + "\n")
    assert import_jsonl(engine, path).already_present == 1     # no reason: the same record
    # a decline written before reasons were recorded comes in without one
    youth = next(s for s in record["sessions"] if s["respondent"] == "youth")
    youth["disposition"] = "declined"
    youth["items"] = {k: ["not_reached", -9] for k in youth["items"]}
    youth["methods"] = {}
    path.write_text(json.dumps(record) + "\n")
    other = open_store("sqlite://")
    import_units(other, DEMO_UNITS)
    assert import_jsonl(other, path).added == 1
    assert stored(other, "SELECT decline_reason FROM session_record "
                         "WHERE respondent = 'youth'") == [(None,)]


def declines(reasons: list[int | None], seed: int = 19) -> list[Synthetic]:
    import random

    keys = random.Random(seed)
    out = []
    for n, reason in enumerate(reasons):
        rec = Synthetic(f"d{n:031d}", "0180", 1003, "2026-06",
                        {"youth": "declined", "guardian": "completed",
                         "caseworker": "completed"},
                        version="2026.1" if reason is None else "2026.2",
                        key=keys.getrandbits(32))
        if reason is not None:
            rec.declines["youth"] = reason
        out.append(rec)
    return out


def test_results_count_declines_by_reason_with_the_cell_key_method(engine, instrument):
    records = declines([1] * 6 + [2] * 4 + [3] + [None] * 3)
    insert(engine, records)
    ctx = Context.open(engine, instrument, Selection("2026-01", "2026-12"))
    youth = next(t for t in decline_tables(ctx) if t.id == "decline_youth")
    assert [t.id for t in decline_tables(ctx)] == ["decline_youth", "decline_guardian"]

    def cell(reason: int | None) -> tuple[int, int]:
        mine = [r for r in records if r.declines.get("youth") == reason]
        return len(mine), sum(r.key for r in mine)

    rows = {r.key: r for r in youth.rows}
    assert [r.label for r in youth.rows] == [
        "Vill inte vara med (utan att säga varför)", "Orkar inte eller har inte tid",
        "Vill inte tänka tillbaka på tiden där", "Annat skäl",
        "Skäl inte registrerat (före 2026.2)"]
    for reason, code in ((1, 1), (2, 2), (3, 3), (None, 0)):
        n, key = cell(reason)
        # perturbed, never exact, in the stream of codes (a reason equal to the total told
        # that no other reason was given: schema 0170)
        assert rows[code].n == ptable.count(n, ptable.stream(key, ptable.CODE_STREAM))
    assert rows[4].n == 0
    # the declines are the same cell as the response table's "declined": the same figure
    every = (len(records), ptable.stream(sum(r.key for r in records), ptable.DISPOSITION_STREAM))
    assert youth.total.n == ptable.count(*every)
    response = next(t for t in disposition_tables(ctx) if t.id == "response_youth")
    assert response.total.nonresponse["declined"] == youth.total.n
    shown = sum(r.n for r in youth.rows)
    assert sum(r.share_high for r in youth.rows if r.n) == pytest.approx(1.0) and shown > 0
    # the standard report carries the tables, first among the distributions
    report = standard_report(engine, instrument, Selection("2026-01", "2026-12"))
    assert [t.id for t in report.distributions[:2]] == ["decline_youth", "decline_guardian"]


def test_too_few_declines_show_no_reason_at_all(engine, instrument):
    insert(engine, declines([1, 2]))
    ctx = Context.open(engine, instrument, Selection("2026-01", "2026-12"))
    youth = decline_tables(ctx)[0]
    assert not youth.total.shown and youth.rows == ()


def test_a_local_versions_declines_are_not_counted(engine, instrument, monkeypatch):
    import ubu_tui.scripts.synth as synth

    monkeypatch.setattr(synth, "_scores", lambda rec: {})    # no index sums are needed here
    records = declines([1] * 8)
    for rec in records[:2]:
        rec.version = "2026.2+0180"
    insert(engine, records)
    ctx = Context.open(engine, instrument, Selection("2026-01", "2026-12"))
    youth = decline_tables(ctx)[0]
    national = records[2:]
    assert youth.total.n == ptable.count(len(national), ptable.stream(
        sum(r.key for r in national), ptable.DISPOSITION_STREAM))


# --- the list in the instrument -------------------------------------------------------------

@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("old,new,expect", [
    ("code = 2\nlabel", "code = 1\nlabel", "code of its own"),
    ("code = 4\n", "code = 10\n", "code of its own"),
    ('label = "Annat skäl"', 'label = ""', "exactly 'code' and 'label'"),
    ('label = "Annat skäl"', 'label = "Annat skäl"\nnote = "fritext"', "exactly 'code'"),
])
def test_a_broken_list_of_decline_reasons_is_refused_with_its_line(tmp_path, old, new, expect):
    import shutil

    from tests.test_versions import VERSIONS, edit
    from ubu_tui.errors import InstrumentError
    from ubu_tui.instrument.loader import load_instrument

    base = tmp_path / "ubu-vb"
    shutil.copytree(VERSIONS, base)
    edit(base / "2026.2" / "instrument.toml", old, new)
    with pytest.raises(InstrumentError, match=expect) as err:
        load_instrument(base / "2026.2")
    assert "instrument.toml" in str(err.value)


def test_the_codebook_lists_the_reasons(instrument):
    from ubu_tui.instrument.codebook import codebook

    text_ = codebook(instrument)
    assert "## Skäl att avböja" in text_ and "    3  Vill inte tänka tillbaka på tiden där" in text_
