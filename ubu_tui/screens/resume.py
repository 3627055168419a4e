"""Resume a draft by its label; discard one that should not be kept."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from ubu_tui.errors import UbuError
from ubu_tui.i18n import N_, _, ngettext
from ubu_tui.screens.base import UbuScreen
from ubu_tui.widgets.footer import UbuFooter

PART_NAMES = {"youth": N_("Ungdom"), "guardian": N_("Förälder"), "caseworker": N_("Handläggare")}


def part_status(sess: dict) -> str:
    """A part of a draft in words: closed how, under way with how many answers, or not begun."""
    from ubu_tui.interview.session import DISPOSITION_LABELS, Disposition

    if sess["disposition"]:
        return _(DISPOSITION_LABELS[Disposition(sess["disposition"])]).lower()
    if sess["consent"]:
        n = len(sess["responses"])
        return ngettext("pågår, {n} svar", "pågår, {n} svar", n).format(n=n)
    return _("inte påbörjad")


class ResumeScreen(UbuScreen):
    BINDINGS = [
        Binding("d", "discard", N_("Radera utkast")),
        Binding("escape", "app.pop_screen", N_("Tillbaka")),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Återuppta ett utkast"), classes="title")
        yield Static(_("Utkast raderas automatiskt efter 90 dagar."), classes="muted")
        yield OptionList(id="drafts")
        yield UbuFooter()

    def on_screen_resume(self) -> None:
        from ubu_tui.store.drafts import list_drafts

        menu = self.query_one("#drafts", OptionList)
        menu.clear_options()
        from ubu_tui.store.registry import get_unit

        for draft in list_drafts(self.ubu.engine):
            days = draft.age.days
            age = (ngettext("påbörjat för {n} dag sedan", "påbörjat för {n} dagar sedan", days)
                   .format(n=days) if days else _("påbörjat i dag"))
            unit = get_unit(self.ubu.engine, draft.state["setup"]["unit_id"])
            parts = " · ".join(f"{_(PART_NAMES[r])}: {part_status(sess)}"
                               for r, sess in draft.state["sessions"].items())
            row = Text(f"{draft.label} · {unit.name if unit else '?'} · {age}\n",
                       style="bold", no_wrap=True, overflow="ellipsis")
            row.append(Text("  " + parts, style="", no_wrap=True, overflow="ellipsis"))
            menu.add_option(Option(row, id=draft.id))
        if not menu.option_count:
            menu.add_option(Option(_("Inga utkast."), disabled=True))
        else:
            menu.highlighted = 0
        menu.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        from ubu_tui.screens.followup import FollowUpScreen
        from ubu_tui.store.drafts import load_draft

        try:
            followup, label = load_draft(self.ubu.engine, str(event.option.id))
        except UbuError as err:
            self.notify(str(err), severity="error")
            return
        self._restore_practice(str(event.option.id))
        self.app.switch_screen(FollowUpScreen(followup, label))

    def _restore_practice(self, draft_id: str) -> None:
        """A practice draft picks up its scenario again, so feedback still works."""
        if not self.ubu.settings.practice:
            return
        from ubu_tui.practice.run import PracticeRun
        from ubu_tui.screens.practice import load_scenarios
        from ubu_tui.store.drafts import list_drafts

        scenario_id = next((d.scenario for d in list_drafts(self.ubu.engine)
                            if d.id == draft_id), None)
        scenario = next((s for s in load_scenarios()[0] if s.id == scenario_id), None)
        self.ubu.practice_run = PracticeRun(scenario, started=True) if scenario else None

    def action_discard(self) -> None:
        from ubu_tui.screens.dialogs import ChoiceDialog
        from ubu_tui.store.drafts import discard_draft

        menu = self.query_one("#drafts", OptionList)
        if menu.highlighted is None:
            return
        option = menu.get_option_at_index(menu.highlighted)
        if option.id is None:
            return

        def answer(choice: str | None) -> None:
            if choice == "j":
                discard_draft(self.ubu.engine, str(option.id))
                self.on_screen_resume()

        self.app.push_screen(ChoiceDialog(
            _("Radera utkastet? Svaren går inte att få tillbaka."),
            [("j", _("Ja, radera")), ("n", _("Nej"))]), answer)
