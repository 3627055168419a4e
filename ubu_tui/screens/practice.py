"""Practice: choose a scenario, read the brief, judge whether the follow-up is due, get feedback.

The interview itself runs on the ordinary screens, against the practice store.
"""

from __future__ import annotations

from statistics import median

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ubu_tui.errors import InstrumentError, UbuError
from ubu_tui.i18n import N_, _, format_date
from ubu_tui.interview.eligibility import LEGAL_BASIS_LABELS, LegalBasis
from ubu_tui.interview.followup import FollowUp
from ubu_tui.interview.keys import keys_for
from ubu_tui.interview.session import MODE_LABELS
from ubu_tui.practice.feedback import KINDS, Feedback
from ubu_tui.practice.run import PracticeRun
from ubu_tui.practice.scenario import Scenario
from ubu_tui.screens.base import UbuScreen
from ubu_tui.screens.followup import RESPONDENT_LABELS
from ubu_tui.widgets.fields import FixedInput
from ubu_tui.widgets.footer import UbuFooter
from ubu_tui.widgets.question import describe_response

MODE_TEXT = {
    True: N_("Ensam: respondentens svar visas under varje fråga (t byter)"),
    False: N_("Med tränare: tränaren spelar respondenten och ser replikerna i 'ubu trainer' "
              "i en annan terminal (t byter)"),
}


def load_scenarios() -> tuple[list[Scenario], list[str]]:
    """Every scenario that loads, and a message for each that does not."""
    from ubu_tui.practice.scenario import load_scenario, scenarios_dir

    good: list[Scenario] = []
    bad: list[str] = []
    for path in sorted(scenarios_dir().glob("*.toml")):
        try:
            good.append(load_scenario(path))
        except InstrumentError as err:
            bad.append(str(err))
    return good, bad


class PracticeScreen(UbuScreen):
    BINDINGS = [
        *[Binding(str(n), f"pick({n})", show=False) for n in range(1, 10)],
        Binding("t", "toggle_mode", N_("Ensam/tränare")),
        Binding("p", "scores", N_("Resultat")),
        Binding("escape", "leave", N_("Lämna övningen")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.solo = True
        self.scenarios, self.problems = load_scenarios()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Övning"), classes="title")
        yield Static(_("Välj ett scenario. Du läser bakgrunden, bedömer om uppföljningen ska "
                       "göras och genomför intervjun. Efteråt jämförs dina svar med facit."),
                     classes="muted")
        yield OptionList(*[Option(f"{n:>2}  {s.title}", id=s.id)
                           for n, s in enumerate(self.scenarios, 1)], id="scenarios")
        with Horizontal(classes="row", id="participant-row"):
            yield Label(_("Deltagarnummer (valfritt): "))
            yield FixedInput(placeholder="1–99", id="participant", max_length=2, restrict=r"[0-9]*",
                        compact=True)
        yield Static(id="practice-mode", classes="muted")
        yield UbuFooter()

    def on_mount(self) -> None:
        for problem in self.problems:
            self.notify(_("Ett scenario kunde inte läsas: {problem}").format(problem=problem),
                        severity="error", timeout=30)
        menu = self.query_one("#scenarios", OptionList)
        menu.highlighted = 0
        menu.focus()
        self._show_mode()

    def _show_mode(self) -> None:
        self.query_one("#practice-mode", Static).update(_("Läge: ") + _(MODE_TEXT[self.solo]))

    def action_pick(self, number: int) -> None:
        """The number in front of a scenario opens it, as on every other list."""
        if 1 <= number <= len(self.scenarios):
            self._open(self.scenarios[number - 1])

    def action_toggle_mode(self) -> None:
        self.solo = not self.solo
        self._show_mode()

    def action_scores(self) -> None:
        from ubu_tui.screens.dialogs import NoticeDialog
        from ubu_tui.store.practice import format_results, list_results

        self.app.push_screen(NoticeDialog(_("Övningsresultat i dag"), format_results(
            list_results(self.ubu.engine, self.ubu.today()))))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._open(next(s for s in self.scenarios if s.id == event.option.id))

    def _open(self, scenario: Scenario) -> None:
        number = self.query_one("#participant", Input).value
        run = PracticeRun(scenario, solo=self.solo, participant=int(number) if number else None)
        self.app.push_screen(BriefScreen(run))

    def action_leave(self) -> None:
        self.ubu.leave_practice()
        self.app.pop_screen()


class BriefScreen(UbuScreen):
    BINDINGS = [
        Binding("s", "start", N_("Ska göras: starta")),
        Binding("i", "not_due", N_("Ska inte göras")),
        Binding("escape", "app.pop_screen", N_("Tillbaka")),
    ]

    def __init__(self, run: PracticeRun) -> None:
        super().__init__()
        self.run = run

    def compose(self) -> ComposeResult:
        from ubu_tui.store.registry import get_unit

        scenario = self.run.scenario
        start, end = scenario.dates(self.ubu.today())
        unit = get_unit(self.ubu.engine, scenario.unit)
        in_scope = scenario.legal_basis in {int(b) for b in LegalBasis}
        basis = (LEGAL_BASIS_LABELS[LegalBasis(scenario.legal_basis)] if in_scope
                 else _("Annat (t.ex. enbart LSS)"))
        facts = [
            (_("Placeringen började"), f"{start.isoformat()} ({format_date(start)})"),
            (_("Placeringen slutade"), f"{end.isoformat()} ({format_date(end)})"),
            (_("Lagrum"), basis),
            (_("Ålder nu"), _("{n} år").format(n=scenario.age)),
            (_("Enhet"), unit.name if unit else f"#{scenario.unit}"),
            (_("Intervjuform"), _(MODE_LABELS[scenario.mode])),
        ]
        text = Text()
        text.append(scenario.brief + "\n\n")
        for label, value in facts:
            text.append(f"{label:<22}", style="bold")
            text.append(f"{value}\n")
        text.append("\n" + _("Ska uppföljningen göras? s = ja, starta · i = nej, den ska inte "
                             "göras"), style="italic")
        yield Header()
        yield Static(scenario.title, classes="title")
        yield Static(text, id="brief")
        yield UbuFooter()

    def action_start(self) -> None:
        self.run.started = True
        self.ubu.practice_run = self.run
        scenario = self.run.scenario
        if not scenario.eligibility_due:
            self.app.switch_screen(FeedbackScreen(self.run, None, None))
            return
        from ubu_tui.screens.followup import FollowUpScreen
        from ubu_tui.store.labels import new_label

        followup = FollowUp.open(scenario.instrument, scenario.setup(self.ubu.today()))
        label = new_label()
        if self.ubu.save(followup, label):
            self.app.switch_screen(FollowUpScreen(followup, label))

    def action_not_due(self) -> None:
        self.run.started = False
        self.ubu.practice_run = self.run
        self.app.switch_screen(FeedbackScreen(self.run, None, None))


def feedback_text(feedback: Feedback, run: PracticeRun) -> Text:
    instrument = run.scenario.instrument
    text = Text()
    right = feedback.checks - len(feedback.mistakes)
    text.append(_("Poäng: {score} av 100").format(score=feedback.score), style="bold")
    text.append("  " + _("({right} av {checks} kontroller rätt)").format(
        right=right, checks=feedback.checks) + "\n\n")
    if feedback.sensitive_ok is not None:
        text.append(_("Den känsliga frågan: ") + (
            _("rätt registrerad, och inget mer än svaret.") if feedback.sensitive_ok else
            _("fel registrerad. Registrera bara svaret, ordagrant som ungdomen gav det.")) + "\n",
            style="green" if feedback.sensitive_ok else "bold red")
    if not feedback.mistakes:
        text.append(_("Inga fel: allt stämmer med facit.") + "\n", style="green")
    for m in feedback.mistakes:
        text.append("✘ " + _(KINDS[m.kind]), style="bold red")
        if m.respondent:
            text.append(f" · {_(RESPONDENT_LABELS[m.respondent])}")
        text.append("\n")
        if m.item_id and m.item_id in instrument.items:
            item = instrument.item(m.item_id)
            text.append(f"   {m.item_id}: {item.text[:70]}\n")
            want = describe_response(item, m.want) if m.want else m.expected
            got = describe_response(item, m.got) if m.got else m.recorded
            script = run.scenario.scripts.get(m.respondent or "")
            line = script.lines.get(m.item_id) if script else None
            if line is not None and m.want is not None:
                # the why: what the respondent said, and the key that records exactly that
                text.append("   " + _("Respondenten sa «{says}»: det är {want}, tangent {keys}.")
                            .format(says=line.says, want=want, keys=keys_for(m.want)) + "\n",
                            style="italic")
        else:
            want, got = m.expected, m.recorded
        text.append("   " + _("Facit: {want} · Du registrerade: {got}").format(
            want=want, got=got) + "\n")
    if feedback.seconds:
        total = sum(feedback.seconds.values())
        slowest = sorted(feedback.seconds.items(), key=lambda kv: -kv[1])[:3]
        text.append("\n" + _("Tid på frågorna: {m}:{s:02d} totalt, median {med:.0f} s per "
                             "fråga. Längst tid: {slow}.").format(
            m=int(total) // 60, s=int(total) % 60, med=median(feedback.seconds.values()),
            slow=", ".join(f"{i} {t:.0f} s" for i, t in slowest)) + "\n")
    return text


class FeedbackScreen(UbuScreen):
    BINDINGS = [
        Binding("enter", "done", N_("Tillbaka till övningarna")),
        Binding("escape", "done", show=False),
    ]

    def __init__(self, run: PracticeRun, followup: FollowUp | None, label: str | None) -> None:
        super().__init__()
        self.run, self.followup, self.label = run, followup, label
        self.feedback = run.feedback(followup)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Återkoppling · {title}").format(title=self.run.scenario.title),
                     classes="title")
        with VerticalScroll():
            yield Static(feedback_text(self.feedback, self.run), id="feedback")
        yield UbuFooter()

    def on_mount(self) -> None:
        from ubu_tui.store.drafts import discard_draft
        from ubu_tui.store.practice import Score, save_result

        fb = self.feedback
        try:
            save_result(self.ubu.engine, Score(fb.scenario, fb.score, fb.checks,
                                               len(fb.mistakes), round(sum(fb.seconds.values()))),
                        participant=self.run.participant, day=self.ubu.today())
            if self.followup is not None:
                discard_draft(self.ubu.engine, self.followup.id)
        except UbuError as err:
            self.notify(_("Resultatet kunde inte sparas: {error}").format(error=err),
                        severity="error", timeout=15)

    def action_done(self) -> None:
        self.ubu.practice_run = None
        while len(self.app.screen_stack) > 1 and not isinstance(self.app.screen,
                                                                 PracticeScreen):
            self.app.pop_screen()
        if not isinstance(self.app.screen, PracticeScreen):
            self.app.push_screen(PracticeScreen())
