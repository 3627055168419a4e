"""Practice: trainer, practice-scores, check-scenario. They use the practice store only."""

from __future__ import annotations

import sys
from typing import Any

from ubu_tui.cli.common import Context, command, file_arg, say
from ubu_tui.i18n import _


def trainer(ctx: Context) -> int:
    from ubu_tui.practice.trainer import follow, trainer_view

    if ctx.args.once:
        say(trainer_view(ctx.practice_store))
    else:
        follow(ctx.practice_store)
    return 0


def practice_scores(ctx: Context) -> int:
    from ubu_tui.store.practice import format_results, list_results

    sys.stdout.write(format_results(list_results(ctx.practice_store)))
    return 0


def check_scenario(ctx: Context) -> int:
    from ubu_tui.practice.scenario import load_scenario

    for file in ctx.args.files:
        scenario = load_scenario(file)
        lines = sum(len(s.lines) for s in scenario.scripts.values())
        say(_("{file}: giltigt ({id}, {lines} repliker)").format(file=file, id=scenario.id,
                                                                  lines=lines))
    return 0


def register(sub: Any) -> None:
    p = command(sub, "trainer", _("övningsledarens vy av en pågående övning: vad den svarande "
                                  "säger härnäst, och facit"), trainer,
                "ubu trainer", "ubu trainer --once")
    p.add_argument("--once", action="store_true",
                   help=_("visa vyn en gång och avsluta (standard: följ övningen tills Ctrl+C)"))
    command(sub, "practice-scores", _("övningsresultat, för att jämföra en grupp"),
            practice_scores, "ubu practice-scores")
    p = command(sub, "check-scenario", _("kontrollera filer med övningsscenarier"),
                check_scenario, "ubu check-scenario scenarier/*.toml")
    file_arg(p, "files", nargs="+", metavar="FILE", help=_("scenariofiler (TOML), en eller flera"))
