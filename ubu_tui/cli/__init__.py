"""The `ubu` command: the interview app, and commands for instruments, registry, records,
reports, the database and practice.

One module per group of commands; each command is a small function registered with argparse
(`set_defaults(handler=...)`), so the dispatcher is `args.handler(ctx)`. Every failure a user
can cause ends in one plain message on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from ubu_tui.cli.common import Context, Formatter, add_help, command
from ubu_tui.errors import UbuError
from ubu_tui.i18n import _

# The command groups, in the order the help lists them; imported only for a parser with the
# commands, not for a plain start of the app (see `only_app_options`).
GROUPS = ("instrument", "registry", "records", "reports", "database", "practice")


APP_VALUES = ("--database-url", "--municipality", "--theme", "--language")
APP_FLAGS = ("--enter-confirms", "--practice")


def only_app_options(argv: list[str]) -> bool:
    """True for a plain start of the app: no command, only the app's own options, spelled out
    in full. The parser for that leaves out the commands and the completion (shtab's import
    alone cost a tenth of the time to the first frame); anything else gets the whole parser."""
    args = iter(argv)
    for arg in args:
        if arg in APP_FLAGS or arg.split("=", 1)[0] in APP_VALUES and "=" in arg:
            continue
        if arg not in APP_VALUES or next(args, "-").startswith("-"):
            return False
    return True


def build_parser(*, commands: bool = True,
                 completion: Callable[[argparse.ArgumentParser], None] | None = None,
                 ) -> argparse.ArgumentParser:
    """The whole command line, in the current interface language (without `commands`, only
    what starting the app takes: see `only_app_options`)."""
    p = argparse.ArgumentParser(
        prog="ubu", formatter_class=Formatter, add_help=False,
        description=_("UBU-uppföljningar i terminalen. Utan kommando startar intervjuappen."),
        epilog=_("exempel:") + "\n  ubu\n  ubu --language en\n  ubu help report\n"
        "  ubu --print-completion bash > ~/.local/share/bash-completion/completions/ubu")
    add_help(p)
    p.add_argument("--database-url", metavar="URL",
                   help=_("SQLAlchemy-URL (standard: SQLite i din datamapp; miljövariabel "
                          "UBU_DATABASE_URL)"))
    p.add_argument("--municipality", metavar="NNNN",
                   help=_("kommunkod, fyra siffror (standard: frågas vid första start; "
                          "UBU_MUNICIPALITY)"))
    p.add_argument("--theme", metavar="NAME",
                   help=_("Textual-tema, t.ex. ubu-high-contrast (standard: textual-dark; "
                          "UBU_THEME)"))
    p.add_argument("--language", metavar="LANG",
                   help=_("gränssnittets språk: sv eller en (standard: sv; "
                          "UBU_LANGUAGE); intervjuspråket väljs per svarande"))
    p.add_argument("--enter-confirms", action="store_true",
                   help=_("svara med siffra och sedan Enter i stället för en tangent per svar "
                          "(UBU_ENTER_CONFIRMS=1)"))
    p.add_argument("--practice", action="store_true",
                   help=_("kör appen mot övningsdatabasen (standard: en egen SQLite-fil; "
                          "UBU_PRACTICE_DATABASE_URL)"))
    p.set_defaults(handler=run_app)
    if not commands:
        return p
    (completion or _add_completion)(p)
    sub = p.add_subparsers(dest="command", metavar=_("KOMMANDO"), title=_("kommandon"))
    from importlib import import_module

    for group in GROUPS:
        import_module(f"{__name__}.{group}").register(sub)
    h = command(sub, "help", _("hjälp om ett kommando"), show_help, "ubu help",
                "ubu help report", "ubu help registry import")
    h.add_argument("topic", nargs="*", metavar=_("KOMMANDO"),
                   help=_("kommandot, t.ex. report eller registry import (standard: alla)"))
    return p


# shtab.SUPPORTED_SHELLS, written out: importing shtab (and importlib.metadata with it) was
# 0.05 CPU s, a third of `ubu --help`, for every command. A test holds the two equal.
SHELLS = ("bash", "zsh", "tcsh", "fish", "powershell")


class _PrintCompletion(argparse.Action):
    """--print-completion SHELL, with shtab imported only when it is asked for: the script is
    made from a parser with shtab's own action, so it is the one shtab always wrote."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        import shtab

        print(shtab.complete(build_parser(completion=_add_completion_of_shtab), values))
        parser.exit(0)


def _completion_help() -> str:
    return _("skriv ut ett skript för kompletteringar i skalet (bash eller zsh) och avsluta")


def _add_completion(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--print-completion", choices=SHELLS, default=None,
                        help=_completion_help(), action=_PrintCompletion)


def _add_completion_of_shtab(parser: argparse.ArgumentParser) -> None:
    import shtab

    shtab.add_argument_to(parser, ["--print-completion"], help=_completion_help())


def run_app(ctx: Context) -> int:
    from ubu_tui.app import make_app

    app = make_app(ctx.settings)          # opens the store itself, after the first frame
    app.run()
    return app.return_code or 0


def show_help(ctx: Context) -> int:
    from ubu_tui.errors import InputRejected

    parser = build_parser()
    for word in ctx.args.topic:
        found = subparsers(parser).get(word)
        if found is None:
            raise InputRejected(_("inget kommando '{topic}'; `ubu help` visar alla").format(
                topic=" ".join(ctx.args.topic)))
        parser = found
    parser.print_help()
    return 0


def subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """A parser's commands by name (empty for a command without subcommands)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def language_asked(argv: list[str]) -> str:
    """The interface language, known before parsing so that the help itself is translated."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--language" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--language="):
            return arg.split("=", 1)[1]
    return os.environ.get("UBU_LANGUAGE") or "sv"


@contextmanager
def interface_language(language: str) -> Iterator[None]:
    """Messages, help and argparse's own words in `language`; the previous one afterwards."""
    from ubu_tui.i18n import argparse_catalog, current_language, use_language

    previous = current_language()
    use_language(language)
    # argparse looks its words up through these two module globals at the moment it uses them
    words = (argparse._, argparse.ngettext)  # type: ignore[attr-defined]
    argparse._ = argparse_catalog(language).gettext  # type: ignore[attr-defined]
    argparse.ngettext = argparse_catalog(language).ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = words  # type: ignore[attr-defined]
        use_language(previous)


def run(argv: list[str]) -> int:
    from ubu_tui.startup import release_collector

    with interface_language(language_asked(argv)):
        args = build_parser(commands=not only_app_options(argv)).parse_args(argv)
        if args.handler is not run_app:     # the app lets it go itself, once it has started
            release_collector(freeze=False)
        return args.handler(Context(args, _settings(args)))


def _settings(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from ubu_tui.config import Settings

    if args.municipality is not None:
        from ubu_tui.store.submissions import check_municipality

        check_municipality(args.municipality)
    threshold = getattr(args, "threshold", None)
    settings = Settings.from_env(database_url=args.database_url, municipality=args.municipality,
                             theme=args.theme, practice=args.practice or None,
                             language=args.language,
                             enter_confirms=args.enter_confirms or None,
                             threshold=str(threshold) if threshold is not None else None)
    if settings.instrument_version:     # refused here, with exit 2, not inside the running app
        from ubu_tui.instrument.loader import local_instrument

        local_instrument(settings.instrument_version)
    return settings


def main(argv: list[str] | None = None) -> None:
    from ubu_tui.startup import hold_collector, release_collector

    hold_collector()        # see ubu_tui.startup
    try:
        code = run(sys.argv[1:] if argv is None else argv)
    except UbuError as err:
        print(f"ubu: {err}", file=sys.stderr)
        code = err.exit_code
    except KeyboardInterrupt:
        code = 130
    finally:
        release_collector(freeze=False)
    sys.exit(code)
