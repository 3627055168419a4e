"""Review before a session is closed: every answer visible, any one can be changed."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from ubu_tui.i18n import N_, _
from ubu_tui.interview.followup import FollowUp
from ubu_tui.interview.session import AnswerRejected
from ubu_tui.screens.base import UbuScreen
from ubu_tui.screens.followup import RESPONDENT_LABELS
from ubu_tui.widgets.footer import UbuFooter
from ubu_tui.widgets.question import describe_response


class ReviewScreen(UbuScreen):
    BINDINGS = [
        Binding("k", "close_session", N_("Klar, stäng delen")),
        Binding("escape", "app.pop_screen", N_("Tillbaka")),
    ]

    def __init__(self, followup: FollowUp, label: str, respondent: str) -> None:
        super().__init__()
        self.followup, self.label, self.respondent = followup, label, respondent
        self.session = followup.session(respondent)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("{who} · översikt").format(who=_(RESPONDENT_LABELS[self.respondent])),
                     classes="title")
        yield Static(_("Enter på en fråga går dit för att ändra svaret. k stänger delen."),
                     classes="muted")
        yield OptionList(id="review-list")
        yield Static(id="review-status", classes="message")
        yield UbuFooter()

    def on_mount(self) -> None:
        from ubu_tui.store.registry import get_unit

        menu = self.query_one("#review-list", OptionList)
        # ids in one column as wide as the longest; the answer whole, the wording cut instead
        width = max(len(i.id) for i in self.session.form.items)
        for item in self.session.form.items:
            vis = self.session.visibility(item)
            response = self.session.responses.get(item.id)
            if vis is False:
                answer = _("(hoppas över)")
            else:
                unit = get_unit(self.ubu.engine, response.code) if (
                    item.type.value == "unit" and response) else None
                answer = describe_response(item, response, unit.name if unit else None)
            row = Text(f"{item.id:<{width}}  ", no_wrap=True, overflow="ellipsis")
            row.append(answer, style="bold")
            row.append(f"  {item.text}", style="dim")
            menu.add_option(Option(row, id=item.id, disabled=vis is False))
        left = self.session.unanswered()
        self.query_one("#review-status", Static).update(
            _("Obesvarade: {n}").format(n=len(left)) if left else "")
        menu.highlighted = next((n for n, i in enumerate(self.session.form.items)
                                 if i in left), 0)
        menu.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        try:
            self.session.jump(str(event.option.id))
        except AnswerRejected as err:
            self.notify(str(err), severity="warning")
            return
        self.app.pop_screen()

    def action_close_session(self) -> None:
        try:
            self.session.complete()
        except AnswerRejected:
            self.notify(_("Alla frågor som visas måste ha ett svar (eller en kod för uteblivet "
                          "svar) innan delen stängs."), severity="warning")
            return
        self.ubu.save(self.followup, self.label)
        self.notify(_("Delen är stängd."))
        self.app.pop_screen()   # the question screen sees the closed session and leaves too
