"""The command line speaks the interface language, and says what the app says."""

from __future__ import annotations

import os
import subprocess

import pytest
from textual.widgets import Input, Static

from tests.helpers import ubu_here
from tests.ui import new_app, press

MUNICIPALITY = {"sv": "Kommunkoden är fyra siffror, till exempel 0180.",
                "en": "The municipality code is four digits, for example 0180."}


def ubu(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`ubu`'s main() run in this process with no UBU_LANGUAGE but `env`'s (tests/helpers.py,
    ubu_here: a new interpreter importing SQLAlchemy cost 0.8 CPU s a run; the language from
    a real process's environment is test_layer_messages' English import)."""
    saved = os.environ.pop("UBU_LANGUAGE", None)
    try:
        return ubu_here(*args, env=env)
    finally:
        if saved is not None:
            os.environ["UBU_LANGUAGE"] = saved


@pytest.mark.parametrize("language,how", [("sv", {}), ("en", {"UBU_LANGUAGE": "en"}),
                                          ("en", "--language")])
def test_a_failing_command_says_one_message_in_the_asked_language(tmp_path, language, how):
    args = ["--database-url", f"sqlite:///{tmp_path / 'a.sqlite3'}", "--municipality", "12",
            "registry", "export"]
    run = (ubu("--language", language, *args, env={}) if how == "--language"
           else ubu(*args, env=how))
    assert run.returncode == 2
    assert run.stderr == f"ubu: {MUNICIPALITY[language]}\n"
    assert run.stdout == "" and not (tmp_path / "a.sqlite3").exists()


@pytest.mark.parametrize("language,expected", [
    ("sv", "ubu report: fel: de här argumenten krävs: --from"),
    ("en", "ubu report: error: the following arguments are required: --from")])
def test_argparse_speaks_the_language_too(tmp_path, language, expected):
    run = ubu("report", str(tmp_path / "x.html"), env={"UBU_LANGUAGE": language})
    assert run.returncode == 2
    assert run.stderr.splitlines()[-1] == expected
    assert run.stderr.startswith("användning: ubu report" if language == "sv"
                                 else "usage: ubu report")


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_the_app_says_the_same_as_the_command_line(engine, language):
    app = new_app(engine, language=language)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "n")
        app.screen.query_one("#municipality", Input).value = "12"
        await pilot.pause()
        shown = str(app.screen.query_one("#eligibility", Static).render())
    assert MUNICIPALITY[language] in shown
