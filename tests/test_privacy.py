"""Every input path is tried with a personal identifier, a name-like text and an exact date:
none of them lands anywhere in the database file."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import DEMO_UNITS
from tests.helpers import complete_all, ubu_here
from ubu_tui.errors import InputRejected
from ubu_tui.identifiers import new_record_id
from ubu_tui.interview import FollowUp
from ubu_tui.store import open_store
from ubu_tui.store.drafts import save_draft
from ubu_tui.store.registry import import_units
from ubu_tui.store.submissions import submit
from ubu_tui.store.transfer import export_jsonl, import_jsonl

SECRETS = ["19850101-2384", "850101-2384", "Lisa Svensson", "2026-03-14", "lisa@example.se",
           "070-123 45 67"]


def ubu(*args: str) -> subprocess.CompletedProcess[str]:
    # in process (tests/helpers.py): twelve interpreters importing SQLAlchemy were most of this
    # test's time; test_cli and test_identifiers run the real command
    return ubu_here(*args)


def raw_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.glob("ubu.sqlite3*"))


def test_no_identifier_lands_through_any_input_path(tmp_path, instrument, setup):
    url = f"sqlite:///{tmp_path / 'ubu.sqlite3'}"
    engine = open_store(url)
    import_units(engine, DEMO_UNITS)
    followup = FollowUp.open(instrument, setup)

    # draft labels
    for secret in SECRETS:
        with pytest.raises(InputRejected):
            save_draft(engine, followup, secret)

    # registry import, one field at a time. Unit and owner names are names of businesses in a
    # public register, so a name is allowed there; identifiers and dates are not.
    for secret in [s for s in SECRETS if s != "Lisa Svensson"]:
        for row in (f"4001,HVB {secret},Vård AB,556339-5630,1,IVO-1",
                    f"4001,HVB Ny,{secret} AB,556339-5630,1,IVO-1"):
            csv = tmp_path / "units.csv"
            csv.write_text("id,name,owner,org_number,unit_type,permit_ref\n" + row + "\n")
            with pytest.raises(InputRejected):
                import_units(engine, csv)

    # record import: an extra field, a note in a session, an exact date as period
    submit(engine, complete_all(FollowUp.open(instrument, setup)))
    good = tmp_path / "good.jsonl"
    export_jsonl(engine, good)
    base = json.loads(good.read_text())
    for secret in SECRETS:
        for mutate in (lambda r, s=secret: r.update(name=s),
                       lambda r, s=secret: r["sessions"][0].update(note=s),
                       lambda r, s=secret: r.update(period=s),
                       lambda r, s=secret: r.update(municipality=s)):
            record = json.loads(json.dumps(base))
            record["id"] = new_record_id()
            mutate(record)
            bad = tmp_path / "bad.jsonl"
            bad.write_text(json.dumps(record) + "\n")
            with pytest.raises(InputRejected):
                import_jsonl(engine, bad)

    # command-line arguments
    for secret in SECRETS:
        run = ubu("--database-url", url, "--municipality", secret, "registry", "export")
        assert run.returncode == 2 and "Traceback" not in run.stderr
        assert "Kommunkoden är fyra siffror" in run.stderr and secret not in run.stderr
        run = ubu("--database-url", url, "export", str(tmp_path / "x.jsonl"),
                  "--only-municipality", secret)
        assert run.returncode == 2 and "Traceback" not in run.stderr

    engine.dispose()
    stored = raw_bytes(tmp_path)
    assert stored, "the database file must exist"
    for secret in SECRETS:
        for form in {secret, secret.replace("-", ""), secret.split()[0]}:
            assert form.encode() not in stored, f"{form!r} reached the database file"
