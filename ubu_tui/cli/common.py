"""What every command shares: how it is registered, and the context it runs in.

A command is one small function `handler(ctx) -> exit code`, registered with `command()`, which
gives it a help line, a description and an example; the dispatcher calls `args.handler`.
Strings are Swedish and go through `_()`, so `--language en` (or UBU_LANGUAGE) turns the help,
the messages and argparse's own words into English, as in the app.
"""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ubu_tui.i18n import _

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from ubu_tui.config import Settings

Handler = Callable[["Context"], int]

# shtab's completion kinds, without making shtab an import-time need of every command
FILE = {"bash": "_shtab_compgen_files", "zsh": "_files"}
DIRECTORY = {"bash": "_shtab_compgen_dirs", "zsh": "_files -/"}


@dataclass
class Context:
    """The parsed arguments and settings; stores are opened when a command first asks."""

    args: argparse.Namespace
    settings: Settings

    @cached_property
    def store(self) -> Engine:
        from ubu_tui.store import open_store

        return open_store(self.settings.database_url)

    @cached_property
    def practice_store(self) -> Engine:
        from ubu_tui.store import open_store

        return open_store(self.settings.practice_url, practice=True)


class Formatter(argparse.HelpFormatter):
    """Wraps each line of a description or epilog on its own, so that examples keep their
    lines (and indentation) while long descriptions still fit the terminal."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=30, width=min(100, _terminal_width()))

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        lines = []
        for line in text.splitlines():
            lead = indent + line[:len(line) - len(line.lstrip())]
            more = "    " if lead != indent else ""       # an example's continuation
            lines.append(textwrap.fill(line.strip(), width, initial_indent=lead,
                                       subsequent_indent=lead + more) if line else "")
        return "\n".join(lines)


def _terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size((80, 24)).columns


def command(sub: Any, name: str, summary: str, handler: Handler | None, *examples: str,
            details: str = "") -> argparse.ArgumentParser:
    """Add one command: its help line (in the list), description, examples and handler."""
    text = summary[0].upper() + summary[1:] + "." + (f" {details}" if details else "")
    epilog = (_("exempel:") + "\n" + "\n".join(f"  {e}" for e in examples)) if examples else None
    parser: argparse.ArgumentParser = sub.add_parser(
        name, help=summary, description=text, epilog=epilog,
        formatter_class=Formatter, add_help=False)
    add_help(parser)
    if handler is not None:
        parser.set_defaults(handler=handler)
    return parser


def add_help(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                        help=_("visa den här hjälpen och avsluta"))


def subcommands(parser: argparse.ArgumentParser, dest: str) -> Any:
    return parser.add_subparsers(dest=dest, metavar=_("KOMMANDO"), title=_("kommandon"),
                                 required=True)


def file_arg(parser: argparse.ArgumentParser, *names: str, **kwargs: Any) -> None:
    parser.add_argument(*names, **kwargs).complete = FILE  # type: ignore[attr-defined]


def folder_arg(parser: argparse.ArgumentParser, *names: str, **kwargs: Any) -> None:
    parser.add_argument(*names, **kwargs).complete = DIRECTORY  # type: ignore[attr-defined]


def say(message: str) -> None:
    print(message)


def warn(message: str) -> None:
    import sys

    print(message, file=sys.stderr)
