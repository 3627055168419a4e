"""A failing command in each layer says one message, exit 2, in the interface language.

The layers raise their messages through the catalogue (Swedish msgids, English in en/ubu.po),
so the command line and the app show the same sentence in the caseworker's language.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ubu_here
from tests.test_instrument_files import ROOT, broken_copy

LANGUAGES = ["sv", "en"]


def ubu(language: str, *args: str, real: bool = False) -> subprocess.CompletedProcess[str]:
    """`ubu` in the given interface language: its main() in this process (tests/helpers.py,
    ubu_here: a new interpreter importing SQLAlchemy cost 0.8 CPU s a run), or with `real`
    the command in a child, the language from its environment at start."""
    if not real:
        return ubu_here(*args, env={"UBU_LANGUAGE": language})
    env = {**os.environ, "UBU_LANGUAGE": language}
    return subprocess.run([sys.executable, "-m", "ubu_tui", *args], capture_output=True,
                          text=True, timeout=120, env=env)


def says_once(run: subprocess.CompletedProcess[str], expected: str) -> bool:
    """Exit 2, nothing on stdout, and one message (one 'ubu:'), which holds `expected`."""
    return (run.returncode == 2 and run.stdout == "" and "Traceback" not in run.stderr
            and run.stderr.startswith("ubu: ") and run.stderr.count("ubu:") == 1
            and expected in run.stderr)


@pytest.mark.parametrize("language", LANGUAGES)
def test_import_of_a_bad_file(tmp_path: Path, language: str) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("inte json\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    # the one real process here: English from the environment of a new interpreter (the
    # Swedish default's real run is test_cli's broken import)
    run = ubu(language, "--database-url", url, "import", str(bad), real=language == "en")
    expected = {"sv": ["Ingenting importerades:", "bad.jsonl:1: ingen JSON ("],
                "en": ["nothing was imported:", "bad.jsonl:1: not JSON ("]}[language]
    assert says_once(run, expected[0]) and expected[1] in run.stderr, run.stderr


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_bad_registry_csv(tmp_path: Path, language: str) -> None:
    bad = tmp_path / "units.csv"
    bad.write_text("id,namn\n3001,HVB Ny\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    run = ubu(language, "--database-url", url, "registry", "import", str(bad))
    expected = {"sv": "units.csv: rubrikraden ska vara exakt id,name,owner,",
                "en": "units.csv: the header must be exactly id,name,owner,"}[language]
    assert says_once(run, expected), run.stderr


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_bad_instrument_folder(tmp_path: Path, language: str) -> None:
    folder = broken_copy(ROOT / "tests" / "instruments" / "bad" / "06_routing_cycle.toml",
                         tmp_path)
    run = ubu(language, "check-instrument", str(folder))
    wording = {"sv": "fråga y_b: cirkulär hoppregel: frågans synlighet beror på den själv",
               "en": "item y_b: routing cycle: the item's visibility depends on itself"}
    assert says_once(run, "youth.toml:") and wording[language] in run.stderr, run.stderr


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_foreign_database(tmp_path: Path, language: str) -> None:
    path = tmp_path / "foreign.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER)")
    before = path.read_bytes()
    run = ubu(language, "--database-url", f"sqlite:///{path}", "export",
              str(tmp_path / "out.jsonl"))
    expected = {"sv": "innehåller tabeller som inte hör till en ubu-databas; den lämnades orörd",
                "en": "holds tables that are not an ubu database; it was left untouched"}
    assert says_once(run, expected[language]), run.stderr
    assert path.read_bytes() == before and not (tmp_path / "out.jsonl").exists()
    assert (run.stderr.isascii()) == (language == "en")    # no Swedish left in the English
