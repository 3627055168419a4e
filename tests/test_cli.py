"""The `ubu` subcommands: clear messages, exit code 2, never a traceback, nothing changed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import DEMO_UNITS
from tests.helpers import complete_all, ubu_here
from ubu_tui.identifiers import new_record_id
from ubu_tui.interview import FollowUp
from ubu_tui.store import open_store
from ubu_tui.store.submissions import submit


def ubu(*args: str, language: str = "en", real: bool = False) -> subprocess.CompletedProcess[str]:
    """Run `ubu`, in English unless asked (Swedish is the default): in this process (the same
    `main()`, see `ubu_here`), or with `real` in a child process as a user starts it. A child
    costs a new interpreter importing SQLAlchemy, about a CPU second; the round trip and the
    report formats run the real command, the rest check messages and exit codes in-process."""
    if not real:
        return ubu_here(*args, env={"UBU_LANGUAGE": language})
    env = {**os.environ, "UBU_LANGUAGE": language}
    return subprocess.run([sys.executable, "-m", "ubu_tui", *args], capture_output=True,
                          text=True, timeout=120, env=env)


def failed_cleanly(run: subprocess.CompletedProcess[str], *needles: str) -> bool:
    return (run.returncode == 2 and "Traceback" not in run.stderr
            and all(n in run.stderr for n in needles))


def test_registry_import_export_and_records_round_trip(tmp_path, instrument, setup):
    url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    run = ubu("--database-url", url, "registry", "import", str(DEMO_UNITS), real=True)
    assert run.returncode == 0 and "12 units added" in run.stdout
    submit(open_store(url), complete_all(FollowUp.open(instrument, setup)))
    out = tmp_path / "records.jsonl"
    run = ubu("--database-url", url, "export", str(out), real=True)
    assert run.returncode == 0 and "exported 1 records" in run.stdout
    assert Path(f"{out}.codebook.txt").exists()
    other = f"sqlite:///{tmp_path / 'b.sqlite3'}"
    assert ubu("--database-url", other, "registry", "import", str(DEMO_UNITS)).returncode == 0
    run = ubu("--database-url", other, "import", str(out), real=True)
    assert run.returncode == 0 and "imported 1 records; 0 were already present" in run.stdout
    run = ubu("--database-url", other, "import", str(out), real=True)
    assert "imported 0 records; 1 were already present" in run.stdout


def test_broken_import_file_exits_2_and_changes_nothing(tmp_path, instrument, setup):
    url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    engine = open_store(url)
    from ubu_tui.store.registry import import_units
    import_units(engine, DEMO_UNITS)
    submit(engine, complete_all(FollowUp.open(instrument, setup)))
    good = tmp_path / "good.jsonl"
    assert ubu("--database-url", url, "export", str(good)).returncode == 0
    record = json.loads(good.read_text())
    record["id"] = new_record_id()
    broken = tmp_path / "broken.jsonl"
    broken.write_text(json.dumps(record) + "\n{\"id\": \n" + json.dumps(record)[:50] + "\n")
    before = (tmp_path / "a.sqlite3").read_bytes()
    run = ubu("--database-url", url, "import", str(broken), real=True)
    assert failed_cleanly(run, "nothing was imported", "broken.jsonl:2: not JSON",
                          "broken.jsonl:3: not JSON")
    engine.dispose()
    from sqlalchemy import text
    with open_store(url).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM submission")).scalar() == 1
    assert before  # the file existed before the attempt


def test_bad_registry_file_exits_2(tmp_path):
    bad = tmp_path / "units.csv"
    bad.write_text("name;owner\nHVB Ny;Vård AB\n")
    run = ubu("--database-url", f"sqlite:///{tmp_path / 'a.sqlite3'}", "registry", "import",
              str(bad))
    assert failed_cleanly(run, "the header must be exactly id,name,owner")


def test_missing_file_exits_2(tmp_path):
    run = ubu("--database-url", f"sqlite:///{tmp_path / 'a.sqlite3'}", "import",
              str(tmp_path / "nowhere.jsonl"))
    assert failed_cleanly(run, "cannot read the file")


def test_database_in_a_missing_folder_exits_2(tmp_path):
    run = ubu("--database-url", f"sqlite:///{tmp_path / 'no' / 'such' / 'x.sqlite3'}",
              "registry", "export")
    assert failed_cleanly(run, "does not exist")


def test_not_a_database_url_exits_2():
    run = ubu("--database-url", "this is not a url", "registry", "export")
    assert failed_cleanly(run, "is not a database URL")


def test_corrupt_database_exits_2_untouched(tmp_path):
    path = tmp_path / "ubu.sqlite3"
    path.write_bytes(b"\x00garbage" * 300)
    run = ubu("--database-url", f"sqlite:///{path}", "registry", "export", real=True)
    assert failed_cleanly(run, "not a readable ubu database")
    assert path.read_bytes() == b"\x00garbage" * 300


def test_db_upgrade_creates_then_reports_current(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    assert "database: created" in ubu("--database-url", url, "db", "upgrade").stdout
    assert "database: current" in ubu("--database-url", url, "db", "upgrade").stdout


def test_db_roles_login_mapping_refuses_bad_names_and_codes_with_exit_2():
    run = ubu("db", "roles", "--show", "--login", "Robert'); DROP TABLE x; --",
              "--municipality", "0180")
    assert failed_cleanly(run, "must be a lower-case PostgreSQL role name")
    run = ubu("db", "roles", "--show", "--login", "kw_0180", "--municipality", "180")
    assert failed_cleanly(run, "municipality code")
    run = ubu("db", "roles", "--show", "--login", "kw_0180", "--municipality", "0180")
    assert run.returncode == 0
    assert "GRANT ubu_caseworker TO kw_0180" in run.stdout
    assert "'kw_0180', '0180'" in run.stdout

def test_report_format_follows_the_extension_and_a_mismatch_is_refused(tmp_path):
    from ubu_tui.instrument import default_instrument
    from ubu_tui.scripts.synth import generate, insert
    from ubu_tui.store.registry import import_units

    url = f"sqlite:///{tmp_path / 'ubu.sqlite3'}"
    engine = open_store(url)
    import_units(engine, DEMO_UNITS)
    insert(engine, list(generate(default_instrument(), 30, [1001, 1002], ["2026-05"])))
    engine.dispose()
    run = ubu("--database-url", url, "report", "--from", "2026-05", str(tmp_path / "r.xlsx"))
    assert run.returncode == 0, run.stderr
    from openpyxl import load_workbook

    assert "Översikt" in load_workbook(tmp_path / "r.xlsx").sheetnames
    wrong = tmp_path / "r.pptx"
    run = ubu("--database-url", url, "report", "--from", "2026-05", "--format", "html",
              str(wrong))
    assert failed_cleanly(run, "r.pptx: the extension says pptx but --format says html")
    assert not wrong.exists()
    run = ubu("--database-url", url, "report", "--from", "2026-05", str(tmp_path / "r.txt"))
    assert failed_cleanly(run, "cannot tell the format from the extension '.txt'")
    assert not (tmp_path / "r.txt").exists()


def test_a_language_without_an_interface_catalogue_is_refused():
    run = ubu("--language", "fi", "codebook")
    assert failed_cleanly(run, "fi", "sv, en")
    assert "intervjuspråk" in run.stderr


def test_push_with_a_local_version_exits_2_until_told_to_keep_it(tmp_path, monkeypatch):
    import ubu_tui.scripts.synth as synth
    from ubu_tui.instrument import default_instrument
    from ubu_tui.store.registry import import_units

    office, shared = (f"sqlite:///{tmp_path / name}" for name in ("a.sqlite3", "b.sqlite3"))
    for url in (office, shared):
        import_units(open_store(url), DEMO_UNITS)
    scores = synth._scores
    monkeypatch.setattr(synth, "_scores", lambda rec: {} if "+" in rec.version else scores(rec))
    records = list(synth.generate(default_instrument(), 5, [1001, 1002], ["2026-06"], seed=3))
    records[0].version = "2026.2+0180"
    synth.insert(open_store(office), records)
    run = ubu("--database-url", office, "push", "--to", shared)
    assert failed_cleanly(run, "1 records are of a local version (ubu-vb@2026.2+0180: 1)",
                          "--skip-local")
    run = ubu("--database-url", office, "push", "--to", shared, "--skip-local")
    assert run.returncode == 0, run.stderr
    assert "pushed 4 records" in run.stdout and "1 records of a local version were not sent" \
        in run.stdout
