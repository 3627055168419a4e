"""The question screen: wording to read aloud, instruction apart, answers on single keys."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header

from ubu_tui.i18n import N_, SOURCE, _
from ubu_tui.instrument.model import NONRESPONSE, AnswerType, Item
from ubu_tui.instrument.translation import Wording, item_wording
from ubu_tui.interview.followup import FollowUp
from ubu_tui.interview.session import BREAK_LABELS, AnswerRejected, BreakReason, Mode, Response
from ubu_tui.screens.base import UbuScreen
from ubu_tui.screens.followup import RESPONDENT_LABELS
from ubu_tui.widgets.footer import UbuFooter
from ubu_tui.widgets.question import NONRESPONSE_KEYS, Frame, QuestionView, describe_response

SENSITIVE_NOTICE = N_(
    "Svaret är registrerat. Det som ungdomen berättat hanteras i personakten enligt "
    "ordinarie rutin, vilket kan innebära en orosanmälan. Här registreras inget mer: "
    "ingen form, ingen person, inga detaljer.")


class QuestionScreen(UbuScreen):
    BINDINGS = [
        *[Binding(str(d), f"digit({d})", show=False) for d in range(10)],
        *[Binding(k, f"nonresponse('{nr}')", show=False) for nr, k in NONRESPONSE_KEYS.items()],
        Binding("enter", "confirm", N_("Bekräfta")),
        Binding("left,pageup", "back", N_("Bakåt")),
        Binding("j", "review", N_("Hoppa")),
        Binding("a", "break_off", N_("Avbryt")),
        Binding("backspace", "erase", show=False),
        Binding("u", "pick_unit", show=False),
        Binding("l", "language", N_("Språk")),
        Binding("escape", "leave", N_("Paus")),
    ]

    def __init__(self, followup: FollowUp, label: str, respondent: str) -> None:
        super().__init__()
        self.followup, self.label, self.respondent = followup, label, respondent
        self.session = followup.session(respondent)
        self.pending: Response | None = None
        self.typed = ""
        self._in_review = False
        self._leaving = False
        self._saved = ""          # the answer just stored, shown on the next item
        # The answer confirmed but not yet stored: it is saved right after the next item has
        # been drawn, and no key is taken until then (see `takes_keys`, `_store_confirmed`).
        self._unsaved: tuple[Item, Response] | None = None

    @property
    def one_key(self) -> bool:
        """A digit or non-response key confirms at once (unless the setting asks for Enter)."""
        return not self.ubu.settings.enter_confirms

    def compose(self) -> ComposeResult:
        yield Header()
        yield QuestionView(id="question")
        yield UbuFooter()

    def on_mount(self) -> None:
        self._show()

    def on_screen_resume(self) -> None:
        if not self.is_current:      # a resume queued before this screen was popped
            return
        came_from_review, self._in_review = self._in_review, False
        if self.session.closed or self._leaving or (came_from_review and self.item is None):
            self.app.pop_screen()
            return
        self._show()

    @property
    def item(self) -> Item | None:
        return self.session.current

    @property
    def takes_keys(self) -> bool:
        """No key is acted on while a confirmed answer waits to be stored (see typeahead)."""
        return self._unsaved is None

    def _show(self) -> None:
        item = self.item
        if item is None:
            self.call_later(self.action_review)
            return
        self.pending = self.session.responses.get(item.id)
        self.typed = ""
        if self.ubu.practice_run is not None:
            self.ubu.practice_run.shown(item.id)
        self._redraw()

    def _redraw(self) -> None:
        item = self.item
        if item is None:
            return
        frame = self.frame
        answered, total = self._position(item, frame)
        practice, run = self.ubu.settings.practice, self.ubu.practice_run
        self.query_one(QuestionView).show(
            item, title=_(RESPONDENT_LABELS[self.respondent]), position=(answered, total),
            pending=self.pending, typed=self.typed, unit_name=self._unit_name(item),
            guidance=self.followup.instrument.guidance_for(item) if practice else "",
            says=run.line(self.respondent, item.id) if run else None,
            interpreted=self._interpreted(item), note=self._saved, frame=frame,
            form=self.session.form.items)

    @property
    def frame(self) -> Frame:
        if self.respondent == "caseworker":
            return Frame.OWN
        return Frame.PAPER if self.session.mode is Mode.PAPER else Frame.READ

    def _interpreted(self, item: Item) -> Wording | None:
        if self.session.language == SOURCE or self.respondent == "caseworker":
            return None
        return item_wording(item, self.session.language)

    def _position(self, item: Item, frame: Frame) -> tuple[int, int]:
        if frame is Frame.PAPER:        # the number printed on the paper, routing or not
            from ubu_tui.instrument.paper import paper_number

            number = paper_number(self.session.form, item)
            if number is not None:
                return number[0] - 1, number[1]
        shown = [i for i in self.session.form.items if self.session.visibility(i) is not False]
        index = next((n for n, i in enumerate(shown) if i.id == item.id), 0)
        return index, len(shown)

    def _unit_name(self, item: Item, response: Response | None = None) -> str | None:
        response = response or self.pending
        if item.type is not AnswerType.UNIT or response is None or response.code <= 0:
            return None
        from ubu_tui.store.registry import get_unit

        unit = get_unit(self.ubu.engine, response.code)
        return unit.name if unit else None

    async def on_question_view_picked(self, event: QuestionView.Picked) -> None:
        """A click chooses like its key; clicking the chosen line again confirms it."""
        before, clicked = self.pending, self.item
        if event.key == "u":
            self.action_pick_unit()
        elif event.key.isdigit():
            self.action_digit(int(event.key))
        else:
            nr = next(k for k, v in NONRESPONSE_KEYS.items() if v == event.key)
            self.action_nonresponse(nr)
        item = self.item
        if (item is not None and item is clicked and item.type is not AnswerType.MULTI
                and before is not None and before == self.pending):
            self.action_confirm()

    def _say(self, text: str) -> None:
        self.query_one(QuestionView).message(text)

    # --- keys ---------------------------------------------------------------------------
    def action_digit(self, digit: int) -> None:
        item = self.item
        if item is None:
            return
        if item.type is AnswerType.AGE:
            self.typed = (self.typed + str(digit))[-2:]
            self.pending = Response(int(self.typed))
        elif item.type is AnswerType.MULTI:
            if item.option(digit) is None:
                return self._say(_("Det finns inget alternativ {d}.").format(d=digit))
            used = dict(self.pending.methods) if self.pending and self.pending.code >= 0 else {}
            nxt = {None: 1, 1: 2, 2: 3, 3: None}[used.get(digit)]
            if nxt is None:
                used.pop(digit, None)
            else:
                used[digit] = nxt
            methods = tuple(sorted(used.items()))
            self.pending = Response(len(methods), methods)
        elif item.type is AnswerType.UNIT:
            return
        else:
            if item.option(digit) is None:
                return self._say(_("Det finns inget alternativ {d}.").format(d=digit))
            self.pending = Response(digit)
            if self.one_key:
                return self.action_confirm()
        self._redraw()

    def action_nonresponse(self, key: str) -> None:
        item = self.item
        if item is None:
            return
        if key not in item.nonresponse:
            return self._say(_("«{label}» finns inte för den här frågan.").format(
                label=NONRESPONSE[key].label))
        self.typed = ""
        self.pending = Response(NONRESPONSE[key].code)
        if self.one_key:
            return self.action_confirm()
        self._redraw()

    def action_erase(self) -> None:
        if self.item is not None and self.item.type is AnswerType.AGE and self.typed:
            self.typed = self.typed[:-1]
            self.pending = Response(int(self.typed)) if self.typed else None
            self._redraw()

    def action_pick_unit(self) -> None:
        if self.item is None or self.item.type is not AnswerType.UNIT:
            return
        from ubu_tui.screens.dialogs import UnitPicker

        def chosen(unit_id: int | None) -> None:
            if unit_id:
                self.pending = Response(unit_id)
                self._redraw()

        self.app.push_screen(UnitPicker(), chosen)

    def action_confirm(self) -> None:
        self._store_confirmed()
        item = self.item
        if item is None:
            return
        if self.pending is None:
            if item.type is AnswerType.MULTI:
                self.pending = Response(0)   # Enter with nothing marked: none of these
            else:
                return self._say(_("Välj ett svar först: en siffra, eller v, s, e."))
        try:
            self.session.answer(self.pending)
        except AnswerRejected as err:
            return self._say(str(err))
        if self.ubu.practice_run is not None:
            self.ubu.practice_run.answered(item.id)
        interpreted = self._interpreted(item)
        self.session.note_wording(item.id, interpreted is None or interpreted.translated)
        alert = item.option(self.pending.code) if self.pending.code >= 0 else None
        self._unsaved = (item, self.pending)
        if item.sensitive and alert is not None and alert.alert:
            from ubu_tui.screens.dialogs import NoticeDialog

            self._store_confirmed()
            self.app.push_screen(NoticeDialog(_("Om det som kommit fram"), _(SENSITIVE_NOTICE)))
            return   # on_screen_resume shows the next item
        # The durable save (a few ms, an fsync) comes after the next item is on the screen,
        # not before it: the answer counts as stored only when the save is done, which is
        # before any further key is acted on, and «Sparat» is shown only then.
        self._show()
        self.call_after_refresh(self._store_confirmed)

    def _store_confirmed(self) -> None:
        """Store the answer just confirmed, durably; then let the keys typed meanwhile in."""
        if self._unsaved is None:
            return
        item, response = self._unsaved
        try:
            if self.ubu.save(self.followup, self.label):
                self._saved = _("Sparat: {item} = {answer}").format(
                    item=item.id, answer=describe_response(item, response,
                                                           self._unit_name(item, response)))
                if self.is_mounted and self.item is not None:
                    self.query_one(QuestionView).note(self._saved)
        finally:
            self._unsaved = None
            self.ubu.keys_may_flow()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "language":       # the caseworker's own part has no interview language
            return self.respondent != "caseworker"
        return True

    def action_language(self) -> None:
        """The interview language can change at any item (an interpreter joins, or leaves)."""
        if self.respondent == "caseworker":
            return
        from ubu_tui.i18n import LANGUAGES

        languages = list(LANGUAGES)
        self.session.language = languages[(languages.index(self.session.language) + 1)
                                          % len(languages)]
        self._redraw()
        self._say(_("Intervjuspråk: {language}").format(language=LANGUAGES[self.session.language]))

    def action_back(self) -> None:
        self._store_confirmed()
        self.session.back()
        self._saved = ""
        self._show()

    def action_review(self) -> None:
        from ubu_tui.screens.review import ReviewScreen

        self._store_confirmed()
        self._in_review = True
        self.app.push_screen(ReviewScreen(self.followup, self.label, self.respondent))

    def action_break_off(self) -> None:
        from ubu_tui.screens.dialogs import ChoiceDialog

        self._store_confirmed()

        choices = [("0", _("Spara som utkast och fortsätt en annan gång"))] + [
            (str(int(r)), _("Avsluta som avbruten: {why}").format(why=_(BREAK_LABELS[r])))
            for r in BreakReason]

        def chosen(choice: str | None) -> None:
            if choice is None:
                return
            if choice == "0":
                self.action_leave()
                return
            self.session.break_off(BreakReason(int(choice)))
            self.ubu.save(self.followup, self.label)
            self.notify(_("Delen avslutades som avbruten. Obesvarade frågor registreras som "
                          "ej nådda."))
            if self.is_current:      # else on_screen_resume sees the closed session and leaves
                self.app.pop_screen()

        self.app.push_screen(ChoiceDialog(
            _("Avbryta intervjun?"), choices,
            _("Det som redan besvarats är sparat.")), chosen)

    def action_leave(self) -> None:
        self._unsaved = None          # the save below stores it
        self.ubu.save(self.followup, self.label)
        self.ubu.keys_may_flow()
        if self.is_current:
            self.app.pop_screen()
        else:
            self._leaving = True
