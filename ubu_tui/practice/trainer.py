"""The trainer's view: follows the practice store and shows what the respondent says next.

The trainee's app saves after every answer, so reading the newest practice draft shows where
the interview stands; the trainer reads the scenario line aloud and sees the key.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from ubu_tui.i18n import _
from ubu_tui.interview.followup import FollowUp
from ubu_tui.interview.keys import CONSENT_KEYS, keys_for
from ubu_tui.practice.feedback import describe
from ubu_tui.practice.scenario import Scenario, load_all

WHO = {"youth": "Ungdomen", "guardian": "Föräldern", "caseworker": "Handläggaren"}


def trainer_view(engine: Engine, scenarios: list[Scenario] | None = None) -> str:
    from ubu_tui.store.drafts import list_drafts, load_draft

    drafts = [d for d in list_drafts(engine) if d.scenario]
    if not drafts:
        return _("Ingen övning pågår. Väntar på att en deltagare startar ett scenario …")
    draft = drafts[0]                               # the one saved last
    by_id = {s.id: s for s in (scenarios if scenarios is not None else load_all())}
    scenario = by_id.get(draft.scenario or "")
    if scenario is None:
        return _("Övningen spelar scenariot {id}, som inte finns här.").format(id=draft.scenario)
    followup, label = load_draft(engine, draft.id)
    return _describe(scenario, followup, label)


def _describe(scenario: Scenario, followup: FollowUp, label: str) -> str:
    lines = [f"{scenario.title}  ·  «{label}»", ""]
    for respondent, script in scenario.scripts.items():
        session = followup.session(respondent)
        who = WHO[respondent]
        if session.closed:
            lines.append(f"{who}: " + _("delen är avslutad."))
            continue
        if session.consent is None:
            lines.append(f"{who} " + _("(samtycke) säger:") + f" «{script.consent_says}»")
            lines.append("   " + _("facit: tryck {keys}").format(
                keys=CONSENT_KEYS[script.consent] + " Enter" + (
                    f" {script.decline_reason}" if script.decline_reason else "")))
            continue
        item = session.current
        if item is None:
            lines.append(f"{who}: " + _("alla frågor besvarade; delen ska stängas."))
            continue
        if item.id == script.break_at:
            lines.append(f"{who} " + _("vid {item} säger:").format(item=item.id)
                         + f" «{script.break_says or '(vill inte fortsätta)'}»")
            lines.append("   " + _("facit: tryck a, sedan {reason} (avbryt med skälet)").format(
                reason=int(script.break_reason or 0)))
            continue
        line = script.lines.get(item.id)
        lines.append(f"{who}, {item.id}: {item.text}")
        if line is None:
            lines.append("   " + _("(ifylld från starten: tryck Enter)"))
        else:
            lines.append("   " + _("säger:") + f" «{line.says}»")
            prefilled = session.responses.get(item.id)
            lines.append("   " + _("facit: tryck {keys}").format(
                keys=keys_for(line.key, prefilled)) + f"  ({describe(line.key)})")
    return "\n".join(lines)


def follow(engine: Engine, interval: float = 0.5) -> None:  # pragma: no cover (interactive)
    """Redraw the view whenever the practice store changes, until Ctrl+C."""
    import time

    from rich.console import Console
    from rich.live import Live
    from rich.panel import Panel

    scenarios = load_all()
    console = Console()
    with Live(console=console, auto_refresh=False) as live:
        while True:
            live.update(Panel(trainer_view(engine, scenarios),
                              title=_("Tränarens vy – visa inte för deltagaren")),
                        refresh=True)
            time.sleep(interval)
