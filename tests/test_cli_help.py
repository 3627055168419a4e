"""The command line explains itself: every command and argument has a help line, defaults are
stated, every command has an example, the README's table is the parser's, completion works."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys

import pytest

from ubu_tui.cli import build_parser, interface_language, run
from ubu_tui.cli.docs import commands, readme_section
from ubu_tui.scripts.readme_commands import README, current_table


def all_commands(language: str) -> list[tuple[tuple[str, ...], argparse.ArgumentParser, str]]:
    with interface_language(language):
        return list(commands(build_parser(), groups=True))


def arguments(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in parser._actions
            if not isinstance(a, argparse._SubParsersAction) and a.help != argparse.SUPPRESS]


def test_every_command_and_argument_has_a_help_line_and_an_example():
    missing = []
    found = all_commands("sv")
    assert len(found) >= 16
    for words, parser, line in [((), build_parser(), "app"), *found]:
        name = " ".join(("ubu", *words))
        if not line.strip():
            missing.append(f"{name}: no help line")
        if "ubu" not in (parser.epilog or "") or f"ubu {' '.join(words)}" not in parser.epilog:
            missing.append(f"{name}: no example in the epilog")
        for action in arguments(parser):
            if not (action.help or "").strip():
                missing.append(f"{name} {action.dest}: no help line")
            default = action.default
            if default not in (None, False, argparse.SUPPRESS) and action.help and not (
                    "%(default)s" in action.help or str(default) in action.help):
                missing.append(f"{name} {action.dest}: default {default!r} not stated")
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("language,usage,examples", [("sv", "användning:", "exempel:"),
                                                      ("en", "usage:", "examples:")])
def test_every_commands_help_prints(language, usage, examples, capsys, monkeypatch):
    monkeypatch.setenv("UBU_LANGUAGE", language)
    for words, _parser, line in all_commands(language):
        with pytest.raises(SystemExit) as exit_:
            run([*words, "--help"])
        out = capsys.readouterr().out
        assert exit_.value.code == 0
        assert out.startswith(f"{usage} ubu {' '.join(words)}"), out
        assert examples in out and line[1:] in " ".join(out.split())


def test_english_help_has_no_swedish_left():
    swedish = {(w, a.dest): a.help for w, p, _ in all_commands("sv") for a in arguments(p)}
    english = {(w, a.dest): a.help for w, p, _ in all_commands("en") for a in arguments(p)}
    same = [k for k in swedish if swedish[k] == english[k]]
    assert not same, f"not translated: {same}"
    lines = {w: line for w, _, line in all_commands("sv")}
    assert not [w for w, _, line in all_commands("en") if lines[w] == line]


def test_help_topic_is_the_commands_help(capsys):
    with pytest.raises(SystemExit):
        run(["registry", "import", "--help"])
    direct = capsys.readouterr().out
    assert run(["help", "registry", "import"]) == 0
    assert capsys.readouterr().out == direct
    from ubu_tui.errors import InputRejected

    with pytest.raises(InputRejected, match="inget kommando 'nope'"):
        run(["help", "nope"])


def test_readme_table_matches_the_parser():
    assert readme_section(README.read_text(encoding="utf-8")) == current_table(), (
        "run python -m ubu_tui.scripts.readme_commands")
    assert "| `ubu report --from YYYY-MM" in current_table()


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completion_completes_commands_and_options(tmp_path):
    script = subprocess.run([sys.executable, "-m", "ubu_tui", "--print-completion", "bash"],
                            capture_output=True, text=True, check=True).stdout
    (tmp_path / "ubu.bash").write_text(script)

    def complete(*words: str) -> set[str]:
        shell = (f"source {tmp_path / 'ubu.bash'}; COMP_WORDS=({' '.join(map(repr, words))}); "
                 f"COMP_CWORD={len(words) - 1}; _shtab_ubu; echo \"${{COMPREPLY[@]}}\"")
        return set(subprocess.run(["bash", "-c", shell], capture_output=True, text=True,
                                  check=True).stdout.split())

    assert complete("ubu", "rep") == {"report"}
    assert complete("ubu", "registry", "") == {"import", "export"}
    assert {"--from", "--format"} <= complete("ubu", "report", "--f")


def test_zsh_completion_names_every_command():
    script = subprocess.run([sys.executable, "-m", "ubu_tui", "--print-completion", "zsh"],
                            capture_output=True, text=True, check=True).stdout
    assert script.startswith("#compdef ubu")
    for words, _parser, _line in all_commands("sv"):
        assert f"{words[-1]}:" in script or f"{words[-1]})" in script


def test_the_completion_option_offers_the_shells_shtab_completes():
    """`--print-completion` is declared without importing shtab (a third of `ubu --help`); its
    choices, and so `ubu --help` and the error for an unknown shell, are still shtab's."""
    import shtab

    from ubu_tui.cli import SHELLS

    assert SHELLS == tuple(shtab.SUPPORTED_SHELLS)
    for shell in SHELLS:
        with pytest.raises(SystemExit) as done:
            run(["--print-completion", shell])
        assert done.value.code == 0
