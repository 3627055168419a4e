"""Bad input of every kind: each loader and importer either accepts it or refuses it with its
own error (exit 2 on the command line) — never a traceback — and nothing stored changes.

Mutations start from real, valid files, so that most inputs get deep into the checks rather
than failing on the first byte. `--slow` runs twenty times as many examples.
"""

from __future__ import annotations

import json
import os
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from tests.conftest import DEMO_UNITS, ROOT
from tests.helpers import complete_all, ubu_here
from ubu_tui.errors import InstrumentError, UbuError
from ubu_tui.identifiers import check_record_id, new_record_id
from ubu_tui.instrument.loader import load_instrument
from ubu_tui.interview import FollowUp
from ubu_tui.practice.scenario import parse_text
from ubu_tui.store import open_store
from ubu_tui.store.registry import export_units, import_units
from ubu_tui.store.submissions import submit
from ubu_tui.store.transfer import export_jsonl, import_jsonl

SLOW = os.environ.get("UBU_SLOW") == "1"
EXAMPLES = 1000 if SLOW else 50
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
INSTRUMENT = ROOT / "data" / "instruments" / "ubu-vb" / "2026.1"
SCENARIO = (ROOT / "data" / "scenarios" / "01-ungdom-avbryter.toml").read_text()


@st.composite
def mutated(draw, original: str) -> str:
    """A valid text with one to three edits: a line dropped, doubled or swapped, characters
    replaced, or the text cut short."""
    lines = original.splitlines()
    for _ in range(draw(st.integers(1, 3))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(["drop", "double", "swap", "chars", "cut"]))
        if how == "drop":
            del lines[i]
        elif how == "double":
            lines.insert(i, lines[i])
        elif how == "swap" and i + 1 < len(lines):
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
        elif how == "chars":
            junk = draw(st.text(alphabet=st.sampled_from('=[]{}"\',#0123456789-_ aåö\n'),
                                min_size=1, max_size=6))
            j = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:j] + junk + lines[i][j + 1:]
        else:
            lines = lines[:i]
    return "\n".join(lines)


def _accepted_or_refused(fn) -> str:
    try:
        fn()
        return "accepted"
    except UbuError:
        return "refused"


@FUZZ
@given(st.sampled_from(["youth.toml", "guardian.toml", "caseworker.toml", "instrument.toml"]),
       st.data())
def test_instrument_loader_refuses_cleanly(tmp_path_factory, name, data):
    folder = tmp_path_factory.mktemp("inst") / "2026.1"
    shutil.copytree(INSTRUMENT, folder)
    path = folder / name
    path.write_text(data.draw(mutated(path.read_text())))
    _accepted_or_refused(lambda: load_instrument(folder))


@FUZZ
@given(mutated(SCENARIO))
def test_scenario_loader_refuses_cleanly(raw):
    _accepted_or_refused(lambda: parse_text(raw))


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """A real store with registry and two records, and its export, for the importers."""
    from ubu_tui.instrument import default_instrument
    from ubu_tui.interview import Mode, Setup

    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'ubu.sqlite3'}"
    engine = open_store(url)
    import_units(engine, DEMO_UNITS)
    for unit in (1001, 1002):
        submit(engine, complete_all(FollowUp.open(default_instrument(), Setup(
            "0180", unit, Mode.IN_PERSON, 2, 16, 3, True))))
    out = tmp_path_factory.mktemp("x") / "records.jsonl"
    export_jsonl(engine, out)
    return engine, out.read_text()


def snapshot(engine) -> tuple:
    with engine.connect() as conn:
        counts = tuple(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar()
                       for t in ("submission", "answer_record", "unit", "index_score"))
    return counts, export_units(engine)


@FUZZ
@given(st.data())
def test_registry_import_refuses_cleanly_and_changes_nothing(filled, tmp_path_factory, data):
    engine, _ = filled
    before = snapshot(engine)
    path = tmp_path_factory.mktemp("reg") / "units.csv"
    path.write_text(data.draw(mutated(DEMO_UNITS.read_text())))
    if _accepted_or_refused(lambda: import_units(engine, path)) == "refused":
        assert snapshot(engine) == before
    else:                             # accepted: put the registry back for the next example
        import_units(engine, DEMO_UNITS)


def _valid_id(hex_: str) -> bool:
    try:
        check_record_id(hex_)
        return True
    except UbuError:
        return False


RECORD_IDS = st.uuids(version=4).map(lambda u: u.hex).filter(_valid_id)
JSON_EDITS = st.sampled_from(["drop_key", "wrong_type", "negative", "huge", "string",
                              "null", "unknown_item", "truncate"])


@FUZZ
@given(st.data())
def test_record_import_refuses_cleanly_and_changes_nothing(filled, tmp_path_factory, data):
    engine, exported = filled
    before = snapshot(engine)
    line = json.loads(exported.splitlines()[0])
    # a new record with an id ubu could have made, so that the edit, not the id, is what is judged
    line["id"] = data.draw(RECORD_IDS)
    edit = data.draw(JSON_EDITS)
    session = data.draw(st.sampled_from(line["sessions"]))
    item = data.draw(st.sampled_from(sorted(session["items"])))
    required = sorted(set(line) - {"key"})       # the record key is optional: one is drawn
    if edit == "drop_key":
        del line[data.draw(st.sampled_from(required))]
    elif edit == "wrong_type":
        session["items"][item] = {"value": 3}
    elif edit == "negative":
        session["items"][item] = ["value", -5]
    elif edit == "huge":
        session["items"][item] = ["value", 10**12]
    elif edit == "string":
        line["unit"] = "1001; DROP TABLE submission"
    elif edit == "null":
        line[data.draw(st.sampled_from(required))] = None
    elif edit == "unknown_item":
        session["items"]["x_" + item] = session["items"].pop(item)
    raw = json.dumps(line)
    if edit == "truncate":
        # at least one character: an empty file holds no record to refuse (it imports nothing)
        raw = raw[:data.draw(st.integers(1, len(raw) - 1))]
    path = tmp_path_factory.mktemp("rec") / "in.jsonl"
    path.write_text(raw + "\n")
    assert _accepted_or_refused(lambda: import_jsonl(engine, path)) == "refused"
    assert snapshot(engine) == before


def test_an_unedited_record_with_a_fresh_id_is_accepted(tmp_path):
    """The fuzz test above means something only if its starting point would import."""
    url = f"sqlite:///{tmp_path / 'ubu.sqlite3'}"
    engine = open_store(url)
    import_units(engine, DEMO_UNITS)
    from ubu_tui.instrument import default_instrument
    from ubu_tui.interview import Mode, Setup
    submit(engine, complete_all(FollowUp.open(default_instrument(), Setup(
        "0180", 1001, Mode.IN_PERSON, 2, 16, 3, True))))
    out = tmp_path / "records.jsonl"
    export_jsonl(engine, out)
    line = json.loads(out.read_text().splitlines()[0])
    line["id"] = new_record_id()
    out.write_text(json.dumps(line) + "\n")
    before = snapshot(engine)[0][0]
    import_jsonl(engine, out)
    assert snapshot(engine)[0][0] == before + 1


@pytest.mark.parametrize("args", [
    ["check-instrument", "{bad_instrument}"],
    ["registry", "import", "{bad_csv}"],
    ["import", "{bad_jsonl}"],
    ["check-scenario", "{bad_scenario}"],
])
def test_command_line_exits_2_without_traceback(tmp_path, args):
    folder = tmp_path / "inst" / "2026.1"
    shutil.copytree(INSTRUMENT, folder)
    (folder / "youth.toml").write_text((folder / "youth.toml").read_text()
                                       .replace('type = "scale"', 'type = "text"', 1))
    files = {"bad_instrument": str(folder), "bad_csv": str(tmp_path / "u.csv"),
             "bad_jsonl": str(tmp_path / "r.jsonl"), "bad_scenario": str(tmp_path / "s.toml")}
    (tmp_path / "u.csv").write_text("id,name\n1,\n")
    (tmp_path / "r.jsonl").write_text('{"format": "ubu-record/1", "id": "nope"}\n')
    (tmp_path / "s.toml").write_text(SCENARIO.replace("y_safe =", "y_unknown ="))
    db = f"sqlite:///{tmp_path / 'ubu.sqlite3'}"
    # main() in this process (a new interpreter importing SQLAlchemy cost 0.8 CPU s a run);
    # an exception it lets through is written out as Python would, so a Traceback still shows
    result = ubu_here("--database-url", db, *[a.format(**files) for a in args], cwd=ROOT)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("ubu: ") and len(result.stderr.splitlines()) <= 12



@pytest.mark.parametrize(("was", "now", "named"), [
    ("mode = 1", "mode = 0", "mode 0"),                  # found by the fuzz test above
    ("mode = 1", 'mode = "x"', "mode"),
    ("age = 16", "age = [1]", "age"),
    ("break_reason = 1", 'break_reason = "z"', "break_reason"),
])
def test_scenario_with_a_bad_placement_or_break_reason_is_refused_naming_it(was, now, named):
    assert was in SCENARIO
    with pytest.raises(InstrumentError, match=named):
        parse_text(SCENARIO.replace(was, now, 1))
