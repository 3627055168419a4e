"""Issue #15: no identifier gets in, and no input ends in a traceback.

Each example an attacker stored or crashed with is a test here; hypothesis then generates
identifier variants (separators, widths, digit scripts, month words) and pushes at least 200
through every text path, after which the database file and its WAL are searched byte-wise.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import DEMO_UNITS, ROOT, pg_url
from tests.helpers import complete_all, ubu_here
from ubu_tui.codes import check_municipality
from ubu_tui.config import Settings
from ubu_tui.errors import InputRejected, InstrumentError, StoreError, UbuError
from ubu_tui.identifiers import check_record_id, identifier_in, new_record_id, normalise
from ubu_tui.instrument.loader import load_instrument
from ubu_tui.interview import FollowUp
from ubu_tui.practice.scenario import load_scenario
from ubu_tui.store import make_engine, open_store
from ubu_tui.store.drafts import save_draft
from ubu_tui.store.registry import import_units, parse_units
from ubu_tui.store.submissions import submit
from ubu_tui.store.transfer import export_jsonl, import_jsonl

pytestmark = pytest.mark.usefixtures("english")   # matches the English wording

HEADER = "id,name,owner,org_number,unit_type,permit_ref\n"
PER_PATH = 2000 if os.environ.get("UBU_SLOW") == "1" else 100   # per text path


def ubu(*args: str, cwd: Path | None = None,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ubu_tui", *args], capture_output=True,
                          text=True, timeout=120, cwd=cwd,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})


def refused(run: subprocess.CompletedProcess[str], *needles: str) -> bool:
    return (run.returncode == 2 and "Traceback" not in run.stderr
            and run.stderr.count("\n") == 1 + sum(n.count("\n") for n in needles)
            and all(n in run.stderr for n in needles))


def unit_row(name: str = "HVB Ny", owner: str = "Vård AB", permit: str = "IVO-1",
             unit_id: str = "4001") -> str:
    return HEADER + f"{unit_id},{name},{owner},556339-5630,1,{permit}\n"


# --- the examples of the issue, one by one -------------------------------------------------------

PERMIT_EXAMPLES = ["19900101-1234", "900101-1234", "9001011234", "199001011234", "900101/1234",
                   "900101.1234", "1990-01-01", "19900101"]
NAME_EXAMPLES = ["900101–1234", "900101/1234", "900101.1234", "９００１０１－１２３４",
                 "070/12 34 56", "anna.svensson(at)example.se", "anna@localhost",
                 "född 1 januari 1990", "Jan 1 1990"]


@pytest.mark.parametrize("permit", PERMIT_EXAMPLES)
def test_permit_ref_refuses_identity_numbers_and_dates(permit):
    with pytest.raises(InputRejected, match="permit_ref"):
        parse_units(unit_row(permit=permit))


@pytest.mark.parametrize("field", ["name", "owner"])
@pytest.mark.parametrize("secret", NAME_EXAMPLES)
def test_unit_name_and_owner_refuse_every_example(field, secret):
    row = unit_row(name=f"HVB {secret}") if field == "name" else unit_row(owner=f"{secret} AB")
    with pytest.raises(InputRejected, match=f"'{field}' holds"):
        parse_units(row)


def test_a_nul_or_control_character_in_a_name_is_refused():
    for bad in ("HVB\x00Ny", "HVB\x1bNy", "HVB\u200eNy"):
        with pytest.raises(InputRejected, match="cannot be printed"):
            parse_units(unit_row(name=bad))


def test_ordinary_unit_texts_pass():
    units, _ = parse_units(DEMO_UNITS.read_text(encoding="utf-8"))
    assert len(units) == 12
    for text in ("Care at Home AB", "HVB Maj-gården", "IVO-3471-2020", "Hem 12", "Blå ek 17",
                 "IVO 8.5.1-12345/2019", "3.5.1-1234/2020", "Marsvinet AB", "Villa 1900-tal"):
        assert identifier_in(text) is None, text


@pytest.mark.parametrize("text,kind", [
    ("900101-1239", "a personal identity number"),
    ("900161-1236", "a coordination number"),
    ("850101+2384", "what looks like a personal identity number"),
    ("070-123 45 67", "a phone number"),
    ("+46 8 123 456 78", "a phone number"),
    ("anna at example dot se", "an e-mail address"),
    ("anna[at]example[dot]se", "an e-mail address"),
    ("den 3:e mars", "a date"),
    ("March 3rd", "a date"),
    ("1/1/90", "a date"),
    ("١٩٩٠٠١٠١-١٢٣٤", "what looks like a personal identity number"),
])
def test_the_screen_names_what_it_found(text, kind):
    assert identifier_in(text) == kind


def test_normalise_folds_digit_scripts_and_widths():
    assert normalise("١٩٩٠ ۱۹۹۰ १९९० ９９ 𝟗") == "1990 1990 1990 99 9"
    assert normalise("900101\u20131234") == "900101-1234"


def test_record_ids_are_uuid4_and_checked():
    for _ in range(500):
        rid = new_record_id()
        assert check_record_id(rid) == rid
        assert rid[12] == "4" and rid[16] in "89ab"
    for bad in ("19900101123400000000000000000000", new_record_id() + "\n", "a" * 32,
                new_record_id().upper(), 12345):
        with pytest.raises(InputRejected, match="UUID"):
            check_record_id(bad)
    # UUID4 layout, but the first twelve digits are an identity number
    with pytest.raises(InputRejected, match="personal identifier"):
        check_record_id("199001011239" + "4000" + "8000" + "0" * 12)


@pytest.fixture
def exported(engine, instrument, setup, tmp_path):
    submit(engine, complete_all(FollowUp.open(instrument, setup)))
    path = tmp_path / "good.jsonl"
    export_jsonl(engine, path)
    return json.loads(path.read_text())


def _import_one(engine, tmp_path, record) -> None:
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    import_jsonl(engine, path)


@pytest.mark.parametrize("field,value,why", [
    ("id", "19900101123400000000000000000000", "UUID"),
    ("id", "NEW\n", "UUID"),
    ("municipality", "١٩٩٠", "four digits"),
    ("municipality", "1990\n", "four digits"),
    ("period", "2026-01\n", "YYYY-MM"),
    ("period", "٢٠٢٦-٠١", "YYYY-MM"),
])
def test_import_refuses_ids_codes_and_periods_that_are_not_plain(engine, tmp_path, exported,
                                                                  field, value, why):
    record = dict(exported, id=new_record_id())
    record[field] = value.replace("NEW", new_record_id())
    with pytest.raises(InputRejected, match=why):
        _import_one(engine, tmp_path, record)


def test_a_different_record_under_an_existing_id_is_a_conflict(engine, tmp_path, exported):
    again = json.loads(json.dumps(exported))
    _import_one(engine, tmp_path, again)               # the same record: already present
    fresh = dict(exported, id=new_record_id())
    changed = json.loads(json.dumps(exported))
    changed["sessions"][0]["mode"] = 1 + changed["sessions"][0]["mode"] % 4
    path = tmp_path / "two.jsonl"
    path.write_text(json.dumps(fresh) + "\n" + json.dumps(changed) + "\n")
    with pytest.raises(InputRejected, match="already in the database with other content"):
        import_jsonl(engine, path)
    path.write_text(json.dumps(fresh) + "\n")
    assert import_jsonl(engine, path).added == 1       # nothing of the refused file came in


def test_two_lines_with_one_id_and_different_content_are_a_conflict(engine, tmp_path,
                                                                     exported):
    a = dict(exported, id=new_record_id())
    b = dict(a, unit=1001)
    path = tmp_path / "two.jsonl"
    path.write_text(json.dumps(a) + "\n" + json.dumps(b) + "\n")
    with pytest.raises(InputRejected, match="also on line 1"):
        import_jsonl(engine, path)


def test_deep_nesting_and_huge_numbers_are_messages(engine, tmp_path, exported):
    path = tmp_path / "deep.jsonl"
    path.write_text("[" * 100_000 + "]" * 100_000 + "\n")
    with pytest.raises(InputRejected, match="nested too deep"):
        import_jsonl(engine, path)
    path.write_text('{"id": ' + "9" * 5000 + "}\n")
    with pytest.raises(InputRejected, match="not a record"):
        import_jsonl(engine, path)
    record = dict(exported, id=new_record_id())
    first = next(iter(record["sessions"][0]["items"]))
    record["sessions"][0]["items"][first] = ["value", 10**30]
    with pytest.raises(InputRejected):
        _import_one(engine, tmp_path, record)


def test_registry_ids_beyond_any_integer_column_are_refused():
    with pytest.raises(InputRejected, match="at most 9"):
        parse_units(unit_row(unit_id="99999999999999999999"))
    with pytest.raises(InputRejected, match="whole numbers"):
        parse_units(unit_row(unit_id="٤٠٠١"))


def test_environment_municipality_must_be_a_code(monkeypatch):
    monkeypatch.setenv("UBU_MUNICIPALITY", "Anna")
    with pytest.raises(InputRejected, match="municipality code is four digits"):
        Settings.from_env()
    monkeypatch.setenv("UBU_MUNICIPALITY", "0180")
    assert Settings.from_env().municipality == "0180"
    monkeypatch.setenv("UBU_THRESHOLD", "²")
    with pytest.raises(InputRejected, match="suppression threshold"):
        Settings.from_env()


# --- databases: foreign files untouched, read-only honoured, failures named ----------------------

def _foreign(folder: Path) -> Path:
    path = folder / "other-app.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (text TEXT)")
    conn.execute("INSERT INTO notes VALUES ('someone else''s data')")
    conn.commit()
    conn.close()
    return path


FOREIGN_COMMANDS = [
    ["export", "x.jsonl"], ["export", "x.csv", "--format", "csv"], ["import", "x.jsonl"],
    ["registry", "export"], ["registry", "import", str(DEMO_UNITS)],
    ["report", "--from", "2026-01", "x.html"], ["db", "upgrade"], ["withdraw",
                                                                     "--municipality", "0180",
                                                                     "--yes"],
    ["push", "--to", "sqlite://"], ["practice-scores"], ["trainer", "--once"],
]


@pytest.mark.parametrize("command", FOREIGN_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_foreign_sqlite_file_is_never_changed(tmp_path, command):
    path = _foreign(tmp_path)
    before = path.read_bytes()
    url = f"sqlite:///{path}"
    run = ubu_here("--database-url", url, *command, cwd=tmp_path,
                   env={"UBU_PRACTICE_DATABASE_URL": url})
    assert refused(run, "not an ubu database"), run.stderr
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other-app.sqlite3"]


def test_a_non_sqlite_file_is_never_changed(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a database at all, but a long enough text " * 10)
    before = path.read_bytes()
    run = ubu_here("--database-url", f"sqlite:///{path}", "export", "x.jsonl", cwd=tmp_path)
    assert refused(run, "not a readable ubu database")
    assert path.read_bytes() == before


def test_read_only_url_is_honoured(tmp_path):
    missing = tmp_path / "none.sqlite3"
    with pytest.raises(StoreError, match="no database file"):
        open_store(f"sqlite:///{missing}?mode=ro")
    assert not missing.exists()
    path = tmp_path / "ubu.sqlite3"
    open_store(f"sqlite:///{path}").dispose()
    before = path.read_bytes()
    run = ubu("--database-url", f"sqlite:///{path}?mode=ro", "registry", "import",
              str(DEMO_UNITS))
    assert refused(run, "(read-only) cannot be written")
    assert "Warning" not in run.stderr
    assert path.read_bytes() == before
    run = ubu("--database-url", f"sqlite:///{path}?mode=ro", "registry", "export")
    assert run.returncode == 0 and run.stdout.startswith("id,name")


@pytest.mark.parametrize("url,why", [
    ("file:///tmp/x", "'file' databases are not supported"),
    ("mysql://u@h/db", "'mysql' databases are not supported"),
    ("postgresql+nosuchdriver://u@h/db", "not a PostgreSQL driver"),
    ("postgresql://postgres@127.0.0.1:1/x", "no database server answers"),
])
def test_connection_failures_say_which(url, why):
    with pytest.raises(StoreError, match=why):
        open_store(url)


@pytest.mark.postgres
@pytest.mark.usefixtures("english")
def test_postgres_missing_database_and_user_are_told_apart():
    base = pg_url()
    if not base:
        pytest.skip("no PostgreSQL server answers: set UBU_TEST_PG_URL")
    from sqlalchemy.engine import make_url

    url = make_url(base)
    try:
        open_store(base).dispose()
    except StoreError as err:
        pytest.skip(f"PostgreSQL not reachable: {err}")
    with pytest.raises(StoreError, match="there is no database 'ubu_no_such_db_15'"):
        open_store(url.set(database="ubu_no_such_db_15").render_as_string(False))
    with pytest.raises(StoreError, match="no such user or a wrong password"):
        open_store(url.set(username="ubu_no_such_user_15").render_as_string(False))


# --- output paths --------------------------------------------------------------------------------

@pytest.fixture
def filled_url(tmp_path, instrument, setup) -> str:
    url = f"sqlite:///{tmp_path / 'ubu.sqlite3'}"
    engine = open_store(url)
    import_units(engine, DEMO_UNITS)
    submit(engine, complete_all(FollowUp.open(instrument, setup)))
    engine.dispose()
    return url


OUTPUT_COMMANDS = [
    ["export", "OUT"], ["export", "OUT", "--format", "csv"], ["registry", "export", "OUT"],
    ["report", "--from", "2026-01", "--format", "csv", "OUT"],
    ["report", "--from", "2026-01", "--format", "xlsx", "OUT"],
    ["paper-form", "youth", "OUT"],
]


@pytest.mark.parametrize("command", OUTPUT_COMMANDS, ids=lambda c: " ".join(c))
@pytest.mark.parametrize("where,why", [
    ("folder", "is a folder"), ("missing/out.txt", "does not exist"),
    ("/proc/version", "could not be written"),
])
def test_output_paths_that_cannot_be_written_are_messages(tmp_path, filled_url, command, where,
                                                          why):
    (tmp_path / "folder").mkdir()
    target = where if where.startswith("/") else str(tmp_path / where)
    run = ubu_here("--database-url", filled_url,
                   *[target if a == "OUT" else a for a in command])
    assert refused(run, why), run.stderr


# --- generated identifier variants through every path --------------------------------------------

DIGIT_SCRIPTS = [0x30, 0x660, 0x6F0, 0x966, 0x9E6, 0xE50, 0xFF10, 0x1D7CE, 0x1D7EC, 0x1040]
SEPARATORS = ["", "-", "+", " ", "/", ".", "\u2013", "\u2014", " - ", "_", "\u2212"]
SV_MONTHS = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
             "september", "oktober", "november", "december"]
EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"]
DAYS = st.dates(date(1930, 1, 1), date(2025, 12, 31))


def _script(text: str, zero: int) -> str:
    return "".join(chr(zero + int(c)) if c.isdigit() and c.isascii() else c for c in text)


def _luhn_digit(digits: str) -> str:
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


@st.composite
def identity_numbers(draw) -> str:
    day = draw(DAYS)
    serial = f"{draw(st.integers(0, 999)):03d}"
    dd = day.day + (60 if draw(st.booleans()) else 0)      # coordination numbers too
    yymmdd = f"{day.year % 100:02d}{day.month:02d}{dd:02d}"
    check = _luhn_digit(yymmdd + serial) if draw(st.booleans()) else str(draw(st.integers(0, 9)))
    century = f"{day.year // 100}" if draw(st.booleans()) else ""
    sep = draw(st.sampled_from(SEPARATORS))
    inner = draw(st.sampled_from(["", " "]))
    date_part = century + yymmdd if not inner else inner.join(
        [century + yymmdd[:2], yymmdd[2:4], yymmdd[4:]])
    return f"{date_part}{sep}{serial}{check}"


@st.composite
def phone_numbers(draw) -> str:
    prefix = draw(st.sampled_from(["070", "072", "073", "076", "079", "08", "031", "040"]))
    rest = "".join(str(draw(st.integers(0, 9))) for _ in range(10 - len(prefix)))
    rest = draw(st.sampled_from(["1", "2", "3", "4", "5", "6"])) + rest[1:]   # no leading 0
    groups, i = [], 0
    while i < len(rest):
        n = draw(st.integers(2, 3))
        groups.append(rest[i:i + n])
        i += n
    sep = draw(st.sampled_from([" ", "-", "", "."]))
    trunk = draw(st.sampled_from(["0", "+46 ", "+46", "0046 "]))
    head = prefix[1:] if trunk != "0" else prefix
    return f"{trunk if trunk != '0' else ''}{head}{draw(st.sampled_from(['-', ' ', '/']))}" \
        + sep.join(groups)


@st.composite
def email_addresses(draw) -> str:
    user = draw(st.sampled_from(["anna", "anna.svensson", "a.s", "kalle_92", "lisa-b"]))
    domain = draw(st.sampled_from(["example.se", "example.com", "mail.example.org",
                                   "localhost", "kommun.se"]))
    at = draw(st.sampled_from(["@", "(at)", " (at) ", "[at]", " at ", "{at}", " [snabel-a] "]))
    dot = draw(st.sampled_from([".", "(dot)", " dot ", "[dot]", " punkt "]))
    if at == " at " and "." not in domain:
        domain += ".se"
    return f"{user}{at}{domain.replace('.', dot)}"


@st.composite
def dates(draw) -> str:
    day = draw(DAYS)
    y, m, d = day.year, day.month, day.day
    sv, en = SV_MONTHS[m - 1], EN_MONTHS[m - 1]
    sep = draw(st.sampled_from(["-", "/", ".", " "]))
    return draw(st.sampled_from([
        f"{y}{sep}{m:02d}{sep}{d:02d}", f"{y}{m:02d}{d:02d}", f"{d}{sep}{m}{sep}{y}",
        f"{d:02d}{sep}{m:02d}{sep}{y % 100:02d}", f"{y % 100:02d}{m:02d}{d:02d}",
        f"{d} {sv} {y}", f"den {d}:e {sv}", f"{d} {sv[:3]}", f"{en} {d}, {y}",
        f"{en[:3]} {d} {y}", f"{d} {en} {y}", f"{d}th of {en}", f"född {d} {sv.upper()}",
    ]))


@st.composite
def identifier_variants(draw) -> tuple[str, str]:
    """(text as typed, the identifier's ASCII digits or letters to search the file for)."""
    core = draw(st.one_of(identity_numbers(), phone_numbers(), email_addresses(), dates()))
    zero = draw(st.sampled_from(DIGIT_SCRIPTS))
    text = _script(core, zero)
    if draw(st.booleans()):
        text = text.upper() if draw(st.booleans()) else text
    return text, core


def _needles(text: str, core: str) -> set[bytes]:
    digits = "".join(c for c in normalise(core) if c.isdigit())
    found = {text.encode(), core.encode()}
    if len(digits) >= 6:
        found.add(digits.encode())
    return found


SETTINGS = settings(max_examples=PER_PATH, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """One file store for every path; searched byte-wise (file and WAL) after each path."""
    folder = tmp_path_factory.mktemp("fuzzstore")
    url = f"sqlite:///{folder / 'ubu.sqlite3'}"
    engine = open_store(url)
    import_units(engine, DEMO_UNITS)
    return folder, engine


def _assert_nothing_stored(folder: Path, needles: set[bytes]) -> None:
    raw = b"".join(p.read_bytes() for p in folder.glob("ubu.sqlite3*"))
    assert raw, "the database file must exist"
    leaked = [n for n in needles if n and n in raw]
    assert not leaked, f"{leaked[:3]} reached the database file"


def _refused_everywhere(paths_attempt, store) -> None:
    folder, _engine = store
    needles: set[bytes] = set()
    count = 0

    @SETTINGS
    @given(identifier_variants(), st.sampled_from(["", "HVB ", "Hem för ", "x", "Rum 12 ",
                                                   "3.5.1-"]),
           st.sampled_from(["", " AB", " 2", " (ny)", "/2020"]))
    def attempt(variant, before, after):
        nonlocal count
        text, core = variant
        assert identifier_in(f"{before}{text}{after}"), f"screen missed {text!r}"
        needles.update(_needles(text, core))
        with pytest.raises((InputRejected, InstrumentError)):
            paths_attempt(f"{before}{text}{after}")
        count += 1

    attempt()
    assert count >= PER_PATH
    _assert_nothing_stored(folder, needles)


def test_fuzz_draft_labels(store, instrument, setup):
    followup = FollowUp.open(instrument, setup)
    _refused_everywhere(lambda text: save_draft(store[1], followup, text), store)


@pytest.mark.parametrize("field", ["name", "owner", "permit_ref"])
def test_fuzz_registry_fields(store, tmp_path, field):
    csv = tmp_path / "units.csv"

    def attempt(text: str) -> None:
        value = text.replace(",", " ").replace('"', " ")
        row = {"name": unit_row(name=value), "owner": unit_row(owner=value),
               "permit_ref": unit_row(permit=value)}[field]
        csv.write_text(row, encoding="utf-8")
        import_units(store[1], csv)

    _refused_everywhere(attempt, store)


@pytest.mark.parametrize("field", ["id", "municipality", "period", "language", "extra"])
def test_fuzz_record_import_fields(store, instrument, setup, tmp_path, field):
    engine = store[1]
    good = tmp_path / "good.jsonl"
    submit(engine, complete_all(FollowUp.open(instrument, setup)))
    export_jsonl(engine, good)
    base = json.loads(good.read_text().splitlines()[0])
    bad = tmp_path / "bad.jsonl"

    def attempt(text: str) -> None:
        record = json.loads(json.dumps(base))
        record["id"] = new_record_id()
        if field == "language":
            record["sessions"][0]["language"] = text
        elif field == "extra":
            record["sessions"][0]["note"] = text
        else:
            record[field] = text
        bad.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
        import_jsonl(engine, bad)

    _refused_everywhere(attempt, store)


@pytest.mark.parametrize("key", ["title", "brief", "id"])
def test_fuzz_scenario_text(store, tmp_path, key):
    source = (ROOT / "data" / "scenarios" / "05-inte-aktuell.toml").read_text(encoding="utf-8")
    path = tmp_path / "scenario.toml"

    def attempt(text: str) -> None:
        lines = [f"{key} = {json.dumps(text, ensure_ascii=False)}" if line.startswith(
            f"{key} = ") else line for line in source.splitlines()]
        if key == "brief":
            lines = [f"brief = {json.dumps(text, ensure_ascii=False)}"] + [
                line for line in lines if not line.startswith("brief")]
            lines = [line for line in lines if not line.startswith("Ett akut")
                     and not line.startswith("veckor") and line != '"""']
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        load_scenario(path)

    _refused_everywhere(attempt, store)


def test_fuzz_instrument_text(store, tmp_path, instrument):
    source = ROOT / "data" / "instruments" / "ubu-vb" / instrument.version
    folder = tmp_path / "instrument"
    shutil.copytree(source, folder)
    meta = (folder / "instrument.toml").read_text(encoding="utf-8")

    def attempt(text: str) -> None:
        lines = [f"title = {json.dumps(text, ensure_ascii=False)}" if line.startswith(
            "title = ") else line for line in meta.splitlines()]
        (folder / "instrument.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        load_instrument(folder)

    _refused_everywhere(attempt, store)


def test_fuzz_command_line_and_environment_values(store, monkeypatch):
    def attempt(text: str) -> None:
        monkeypatch.setenv("UBU_MUNICIPALITY", text)
        try:
            Settings.from_env()
        finally:
            monkeypatch.delenv("UBU_MUNICIPALITY")
        check_municipality(text)

    _refused_everywhere(attempt, store)


def test_identifiers_on_the_command_line_exit_2_and_are_not_stored(filled_url, tmp_path):
    path = Path(filled_url.removeprefix("sqlite:///"))
    for secret in ("19900101-1234", "١٩٩٠", "anna(at)example.se", "1990\n"):
        for args in (["--municipality", secret, "registry", "export"],
                     ["export", str(tmp_path / "x.jsonl"), "--only-municipality", secret],
                     ["withdraw", "--municipality", secret, "--yes"]):
            run = ubu_here("--database-url", filled_url, *args)     # main(), in process
            assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
        run = ubu("--database-url", filled_url, "registry", "export",    # the real command
                  env={"UBU_MUNICIPALITY": secret})
        assert refused(run, "municipality code is four digits")
    _assert_nothing_stored(path.parent, {b"19900101", "١٩٩٠".encode(), b"example.se"})


def test_bad_instrument_and_scenario_files_are_messages(tmp_path):
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 100_000 + "]" * 100_000 + "\n")
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    for path in (deep, folder):
        with pytest.raises(UbuError):
            load_scenario(path)
    run = ubu("check-scenario", str(deep), str(folder))
    assert run.returncode == 2 and "Traceback" not in run.stderr


def test_make_engine_leaves_a_foreign_wal_database_alone(tmp_path):
    path = _foreign(tmp_path)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not an ubu database"):
        make_engine(f"sqlite:///{path}")
    assert path.read_bytes() == before
