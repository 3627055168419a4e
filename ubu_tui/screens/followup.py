"""The follow-up at a glance: three separate sessions, done in any order, then submission."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from ubu_tui.i18n import N_, _
from ubu_tui.interview.followup import FollowUp
from ubu_tui.interview.session import DISPOSITION_LABELS, Consent, Disposition
from ubu_tui.screens.base import UbuScreen
from ubu_tui.widgets.footer import UbuFooter

RESPONDENT_LABELS = {"youth": N_("Ungdomen"), "guardian": N_("Förälder/vårdnadshavare"),
                     "caseworker": N_("Handläggarens egna frågor")}
KEYS = {"youth": "1", "guardian": "2", "caseworker": "3"}


class FollowUpScreen(UbuScreen):
    BINDINGS = [
        Binding("1", "open('youth')", N_("Ungdom")),
        Binding("2", "open('guardian')", N_("Förälder")),
        Binding("3", "open('caseworker')", N_("Handläggare")),
        Binding("s", "submit", N_("Skicka in")),
        Binding("s", "finish_practice", N_("Återkoppling")),
        Binding("escape", "leave", N_("Stäng")),
    ]

    def __init__(self, followup: FollowUp, label: str) -> None:
        super().__init__()
        self.followup, self.label = followup, label

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Uppföljning «{label}»").format(label=self.label), classes="title")
        yield Static(_("Varje del görs för sig, i valfri ordning och gärna olika dagar. "
                       "Allt sparas efter varje svar."), classes="muted")
        yield OptionList(id="sessions")
        yield Static(id="ready", classes="muted")
        yield UbuFooter()

    def on_screen_resume(self) -> None:
        menu = self.query_one("#sessions", OptionList)
        menu.clear_options()
        run = self.ubu.practice_run
        for respondent, session in self.followup.sessions.items():
            if run is not None and not run.scripted(respondent):
                status = _("ingår inte i övningen")
            elif session.disposition:
                status = _(DISPOSITION_LABELS[session.disposition])
            elif session.started:
                done, total = session.progress()
                status = _("pågår, {done} av {total} besvarade").format(done=done, total=total)
            else:
                status = _("inte påbörjad")
            menu.add_option(Option(f"{KEYS[respondent]}  {_(RESPONDENT_LABELS[respondent])}: "
                                   f"{status}", id=respondent))
        left = self.followup.open_sessions()
        if run is not None:
            left = [r for r in left if run.scripted(r)]
            self.query_one("#ready", Static).update(
                _("Övningens delar är avslutade: tryck s för återkoppling.") if not left else
                _("Kvar i övningen: {left}").format(
                    left=", ".join(_(RESPONDENT_LABELS[r]) for r in left)))
        else:
            self.query_one("#ready", Static).update(
                _("Alla delar är avslutade: tryck s för att skicka in.") if not left else
                _("Kvar att avsluta: {left}").format(
                    left=", ".join(_(RESPONDENT_LABELS[r]) for r in left)))
        menu.highlighted = 0
        menu.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_open(str(event.option.id))

    def action_open(self, respondent: str) -> None:
        session = self.followup.session(respondent)
        run = self.ubu.practice_run
        if run is not None and not run.scripted(respondent):
            self.notify(_("Den delen ingår inte i den här övningen."))
            return
        if session.disposition is Disposition.NOT_ELIGIBLE:
            self.notify(_("Ungdomsformuläret gäller 12–21 år och ställs inte här."))
            return
        if session.closed:
            from ubu_tui.screens.dialogs import ChoiceDialog

            def answer(choice: str | None) -> None:
                if choice == "j":
                    session.reopen()
                    self.ubu.save(self.followup, self.label)
                    self.action_open(respondent)

            self.app.push_screen(ChoiceDialog(
                _("Delen är avslutad ({status}).").format(
                    status=_(DISPOSITION_LABELS[session.disposition])),  # type: ignore[index]
                [("j", _("Öppna den igen")), ("n", _("Låt den vara"))]), answer)
            return
        from ubu_tui.screens.consent import ConsentScreen
        from ubu_tui.screens.question import QuestionScreen

        if session.consent is None and respondent == "caseworker":
            # the caseworker's own questions: nobody to ask for consent, nothing to read aloud
            session.set_consent(Consent.GIVEN)
            self.ubu.save(self.followup, self.label)
        if session.consent is None:
            self.app.push_screen(ConsentScreen(self.followup, self.label, respondent))
        else:
            self.app.push_screen(QuestionScreen(self.followup, self.label, respondent))

    def action_submit(self) -> None:
        if not self.followup.ready:
            self.notify(_("Alla tre delarna måste vara avslutade innan uppföljningen skickas "
                          "in."), severity="warning")
            return
        from ubu_tui.screens.submit import SubmitScreen

        self.app.push_screen(SubmitScreen(self.followup, self.label))

    def action_finish_practice(self) -> None:
        run = self.ubu.practice_run
        if run is None:
            self.notify(_("Övningar skickas aldrig in. Esc sparar utkastet i övningsdatabasen."),
                        severity="warning")
            return
        if not run.done(self.followup):
            self.notify(_("Avsluta övningens delar först."), severity="warning")
            return
        from ubu_tui.screens.practice import FeedbackScreen

        self.app.switch_screen(FeedbackScreen(run, self.followup, self.label))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # one key, two meanings: a practice is never submitted, it is scored
        if action == "submit":
            return not self.ubu.settings.practice
        if action == "finish_practice":
            return self.ubu.settings.practice
        return True

    def action_leave(self) -> None:
        if self.ubu.save(self.followup, self.label):
            self.notify(_("Utkastet «{label}» är sparat.").format(label=self.label))
            self.ubu.return_home()
