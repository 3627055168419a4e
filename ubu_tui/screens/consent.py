"""The consent step that opens each respondent session."""

from __future__ import annotations

import textwrap

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Static

from ubu_tui.i18n import LANGUAGES, N_, RTL, SOURCE, _, bidi, status
from ubu_tui.instrument.translation import consent_wording
from ubu_tui.interview.followup import FollowUp
from ubu_tui.interview.session import MODE_LABELS, AnswerRejected, Consent, Mode
from ubu_tui.screens.base import UbuScreen
from ubu_tui.screens.followup import RESPONDENT_LABELS
from ubu_tui.widgets.footer import UbuFooter

CHOICES = {"1": Consent.GIVEN, "2": Consent.DECLINED, "3": Consent.NOT_REACHABLE,
           "4": Consent.YOUTH_OBJECTS}
CHOICE_LABELS = {
    Consent.GIVEN: N_("Ja, vill vara med"),
    Consent.SELF_COMPLETED: N_("Formuläret kom tillbaka ifyllt"),
    Consent.DECLINED: N_("Nej, avböjer (bortfall)"),
    Consent.NOT_REACHABLE: N_("Gick inte att nå (bortfall)"),
    Consent.YOUTH_OBJECTS: N_("Ungdomen motsätter sig att föräldern tillfrågas (bortfall)"),
}


class ConsentScreen(UbuScreen):
    BINDINGS = [
        *[Binding(k, f"choose('{k}')", show=False) for k in CHOICES],
        Binding("enter", "confirm", N_("Bekräfta")),
        Binding("m", "mode", N_("Intervjuform")),
        Binding("l", "language", N_("Intervjuspråk")),
        Binding("escape", "app.pop_screen", N_("Tillbaka")),
    ]

    def __init__(self, followup: FollowUp, label: str, respondent: str) -> None:
        super().__init__()
        self.followup, self.label, self.respondent = followup, label, respondent
        self.session = followup.session(respondent)
        self.pending: Consent | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("{who} · inledning och samtycke").format(
            who=_(RESPONDENT_LABELS[self.respondent])), classes="title")
        wording = Static(Text(self.session.form.consent_text), classes="wording",
                         id="consent-wording")
        wording.border_title = _("LÄS UPP")
        yield wording
        yield Static(classes="instruction", id="consent-instruction")
        yield Static(id="consent-options", classes="options")
        run = self.ubu.practice_run
        says = run.consent_line(self.respondent) if run else None
        if says:
            yield Static(Text(_("Respondenten svarar: ") + f"«{says}»"), classes="says")
        yield Static(id="consent-mode", classes="muted")
        translated = Static(id="consent-translated", classes="wording translated")
        yield translated
        yield UbuFooter()

    @property
    def paper(self) -> bool:
        return self.session.mode is Mode.PAPER

    def on_mount(self) -> None:
        self._instruct()
        self._redraw()

    def _instruct(self) -> None:
        """On paper nothing is read aloud: the respondent answered alone, or did not."""
        self.query_one("#consent-wording").display = not self.paper
        if self.paper:
            self.query_one("#consent-instruction", Static).update(Text(_(
                "Pappersformulär: respondenten fyllde i det på egen hand. Välj 1 om det kom "
                "tillbaka ifyllt; frågorna visas då med pappersformulärets nummer.")))
            return
        ins = _("Instruktion, läs inte upp: läs texten och registrera svaret.")
        if self.respondent == "guardian":
            ins += " " + (_("Ungdomen är 18 år eller äldre: om ungdomen inte vill att föräldern "
                            "tillfrågas, välj 4.") if self.session.youth_of_age else
                          _("Ungdomen är under 18 år: föräldern tillfrågas även om ungdomen "
                            "inte vill det."))
        if self.respondent == "caseworker":
            ins = _("Instruktion: dina egna svar om placeringen. Tryck 1 och Enter för att börja.")
        self.query_one("#consent-instruction", Static).update(Text(ins))

    def _allowed(self) -> list[tuple[str, Consent]]:
        if self.respondent == "caseworker":
            return [("1", Consent.GIVEN)]
        keys = ["1", "2", "3"] + (["4"] if self.respondent == "guardian"
                                  and self.session.youth_of_age else [])
        first = Consent.SELF_COMPLETED if self.paper else Consent.GIVEN
        return [(k, first if k == "1" else CHOICES[k]) for k in keys]

    def _redraw(self) -> None:
        text = Text()
        for key, consent in self._allowed():
            label = _("Börja") if self.respondent == "caseworker" else _(CHOICE_LABELS[consent])
            sel = consent is self.pending
            text.append(f"{'▶ ' if sel else '  '}{key}  {label}\n",
                        style="bold reverse" if sel else "")
        self.query_one("#consent-options", Static).update(text)
        language = self.session.language
        draft = status(language).draft
        self.query_one("#consent-mode", Static).update(
            _("Intervjuform: {mode} (m byter)").format(mode=_(MODE_LABELS[self.session.mode]))
            + ("" if self.respondent == "caseworker" else "   " + _(
                "Intervjuspråk: {language}{draft} (l byter)").format(
                language=LANGUAGES[language],
                draft=" – " + _("utkast till översättning, ej granskad") if draft else "")))
        box = self.query_one("#consent-translated", Static)
        box.display = language != SOURCE
        if language != SOURCE:
            said = consent_wording(self.session.form, language)
            box.border_title = LANGUAGES[language] + " – " + _("för tolken")
            if said is None:
                box.update(Text(_("Ingen aktuell översättning: tolken tolkar texten."),
                                style="italic"))
            elif language in RTL:
                width = max(20, (self.size.width or 80) - 8)
                box.update(Text("\n".join(bidi(line, language)
                                          for line in textwrap.wrap(said, width)),
                                justify="right"))
            else:
                box.update(Text(said))

    def action_choose(self, key: str) -> None:
        allowed = dict(self._allowed())
        if key not in allowed:
            if key == "4" and self.respondent == "guardian":
                self.notify(_("Ungdomen är under 18 år: föräldern tillfrågas ändå."),
                            severity="warning")
            return
        self.pending = allowed[key]
        self._redraw()

    def action_mode(self) -> None:
        modes = list(Mode)
        self.session.mode = modes[(modes.index(self.session.mode) + 1) % len(modes)]
        self.pending = None          # "1" means another thing on paper
        self._instruct()
        self._redraw()

    def action_language(self) -> None:
        """The interview language of this session: each respondent's own."""
        if self.respondent == "caseworker":
            return
        languages = list(LANGUAGES)
        self.session.language = languages[(languages.index(self.session.language) + 1)
                                          % len(languages)]
        self._redraw()

    def action_confirm(self) -> None:
        if self.pending is None:
            self.notify(_("Välj ett alternativ med sifferknapparna först."), severity="warning")
            return
        reasons = self.session.form.decline_reasons
        if self.pending is Consent.DECLINED and reasons:
            from ubu_tui.screens.dialogs import ChoiceDialog

            # coded from what the person says; never pressed for, never written down as text
            self.app.push_screen(ChoiceDialog(
                _("Varför avböjde personen?"),
                [(str(r.code), r.label) for r in reasons],
                _("Läs inte upp. Fråga inte efter skälet: välj det som stämmer bäst med det "
                  "personen själv sa, annars {first}.").format(first=reasons[0].code)),
                self._declined)
            return
        self._record(None)

    def _declined(self, key: str | None) -> None:
        if key is not None:          # Escape: back to the consent choices, nothing recorded
            self._record(int(key))

    def _record(self, reason: int | None) -> None:
        assert self.pending is not None
        try:
            self.session.set_consent(self.pending, reason)
        except AnswerRejected as err:
            self.notify(str(err), severity="error")
            return
        self.ubu.save(self.followup, self.label)
        if self.session.answering:
            from ubu_tui.screens.question import QuestionScreen

            self.app.switch_screen(QuestionScreen(self.followup, self.label, self.respondent))
        else:
            why = self.session.form.decline_reason(reason) if reason is not None else None
            self.notify(_("Bortfall registrerat: {what}.").format(
                what=_(CHOICE_LABELS[self.pending]) + (f" – {why.label}" if why else "")))
            self.app.pop_screen()
