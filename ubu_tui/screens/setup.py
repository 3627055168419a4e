"""Follow-up set-up: eligibility from the placement facts, unit, mode. Dates stay on this screen."""

from __future__ import annotations

import re
import textwrap
from datetime import date

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Button, Header, Input, Label, Select, Static

from ubu_tui.codes import check_municipality
from ubu_tui.errors import InputRejected
from ubu_tui.i18n import N_, _
from ubu_tui.interview.eligibility import (
    LEGAL_BASIS_LABELS,
    OUT_OF_SCOPE,
    UNACCOMPANIED_LABELS,
    Eligibility,
    LegalBasis,
    Unaccompanied,
    check,
)
from ubu_tui.interview.modes import MODE_LABELS, Mode
from ubu_tui.screens.base import UbuScreen
from ubu_tui.widgets.fields import FixedInput, ShownStatic
from ubu_tui.widgets.footer import UbuFooter
from ubu_tui.widgets.select import LazySelect

MIN_AGE, MAX_AGE = 0, 25   # the range of the caseworker's age item


# What a verdict line starts with, before its text: its continuation rows line up after it.
_LEAD = re.compile(r"\s*(?:[•–✔✘]\s+)?")


def hanging(line: str, width: int) -> list[str]:
    """A line as the rows it takes at `width`, the rows after the first indented to where its
    text starts (under the text after a bullet, not under the bullet)."""
    if width <= 0 or cell_len(line) <= width:
        return [line]
    lead = _LEAD.match(line)
    indent = " " * cell_len(lead.group(0) if lead else "")
    return textwrap.wrap(line, width, subsequent_indent=indent,
                         break_on_hyphens=False) or [line]


class Verdict(ShownStatic):
    """The eligibility verdict: its lines, wrapped with a hanging indent, redrawn only when
    its text changes, and the screen laid out only when its height may change."""

    _lines: list[str] | None = None
    _rows: list[str] | None = None

    def show(self, lines: list[str]) -> None:
        self._lines = lines
        width = self.content_region.width
        rows = [row for line in lines for row in hanging(line, width)]
        if rows == self._rows:
            return      # most characters of a date or an age change nothing in it
        # wrapped here, every row fits: the same number of rows is the same height
        same_height = self._rows is not None and width > 0 and len(rows) == len(self._rows)
        self._rows = rows
        self.update("\n".join(rows), layout=not same_height)

    def on_resize(self) -> None:
        if self._lines is not None:     # wrapped anew at the width it now has
            self.show(self._lines)


class SetupScreen(UbuScreen):
    BINDINGS = [
        Binding("ctrl+s", "start", N_("Starta")),
        # not in the footer (it would push F2 off an 80-column screen): the box says it when
        # a placement is not due
        Binding("ctrl+n", "not_due", N_("Ska inte göras"), show=False),
        Binding("f4", "pick_unit", N_("Välj enhet")),
        Binding("f5", "demo_registry", N_("Demoregister")),
        Binding("escape", "app.pop_screen", N_("Tillbaka")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.unit_id: int | None = None
        self._registry_empty = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Ny uppföljning"), classes="title")
        yield Static(_("Datumen används bara för att se om uppföljningen ska göras. "
                       "De sparas inte."), classes="muted")
        with Vertical(id="setup-form"):
            yield from self._row(_("Kommunkod"), self._input(
                "municipality", _("fyra siffror"), 4, r"[0-9]*",
                self.ubu.settings.municipality))
            yield from self._row(_("Placeringen började"), self._input(
                "start", _("ÅÅÅÅ-MM-DD"), 10, r"[0-9-]*"))
            yield Label(_("Placeringen slutade"), id="end-label")
            yield self._input("end", _("ÅÅÅÅ-MM-DD"), 10, r"[0-9-]*")
            yield from self._row(_("Lagrum"), LazySelect(
                [(label, int(code)) for code, label in LEGAL_BASIS_LABELS.items()]
                + [(_("Annat (t.ex. enbart LSS)"), OUT_OF_SCOPE)], id="basis",
                allow_blank=True, prompt=_("Välj lagrum"), compact=True))
            yield from self._row(_("Ålder nu (hela år)"), self._input("age", _("år"), 2,
                                                                      r"[0-9]*"))
            yield from self._row(_("Ensamkommande"), LazySelect(
                [(_(label), int(code)) for code, label in UNACCOMPANIED_LABELS.items()],
                id="unaccompanied", value=int(Unaccompanied.NO), allow_blank=False,
                compact=True))
            yield Label(_("Enhet"))
            yield Button(_("Välj enhet (F4)"), id="unit", compact=True)
            yield from self._row(_("Intervjuform"), LazySelect(
                [(_(label), int(mode)) for mode, label in MODE_LABELS.items()], id="mode",
                value=int(Mode.IN_PERSON), allow_blank=False, compact=True))
        yield Verdict(id="eligibility")
        yield Button(_("Starta uppföljningen (Ctrl+S)"), id="go", variant="primary",
                     compact=True)
        yield UbuFooter()

    @staticmethod
    def _input(widget_id: str, placeholder: str, length: int, allowed: str,
               value: str = "") -> Input:
        return FixedInput(value, placeholder=placeholder, id=widget_id, max_length=length,
                     restrict=allowed, compact=True, select_on_focus=False)

    def _row(self, label: str, widget: Input | Select) -> ComposeResult:  # type: ignore[type-arg]
        yield Label(label)       # the form is a grid of two columns (app.tcss)
        yield widget

    def on_mount(self) -> None:
        # Shown at once, even while the store still opens (a caseworker who pressed `n` at
        # start-up types the dates meanwhile); what needs the store waits for it.
        if self.ubu.store_ready:
            self._check_registry()
        self.query_one("#municipality" if not self.ubu.settings.municipality else "#start",
                       Input).focus()
        self._refresh()

    def _check_registry(self) -> None:
        from ubu_tui.store.registry import count_units

        self._registry_empty = count_units(self.ubu.engine) == 0
        if self._registry_empty:
            self.notify(_("Enhetsregistret är tomt. Importera det med 'ubu registry import FIL', "
                          "eller tryck F5 för ett demoregister med påhittade enheter."),
                        severity="warning", timeout=30)
            self.refresh_bindings()

    _pending: str | None = None

    @property
    def takes_keys(self) -> bool:
        """Keys typed after one that waits for the store wait too (see typeahead)."""
        return self._pending is None

    def _later(self, action: str) -> bool:
        """Queue the action until the store is open; True when it had to wait."""
        if self.ubu.store_ready:
            return False
        self._pending = action
        return True

    async def on_ubu_app_store_ready(self) -> None:
        self._check_registry()
        if self._pending:
            action, self._pending = self._pending, None
            self.ubu.keys_may_flow()        # keys held behind this one need not wait longer
            await self.run_action(action)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "demo_registry":     # offered only while the registry is empty
            return self._registry_empty
        return True

    def on_input_changed(self) -> None:
        self._refresh()

    def on_select_changed(self) -> None:
        # For a placement that turns into LSS the date that counts is the day it turned.
        to_lss = self.query_one("#basis", Select).value == LegalBasis.SOL_LVU_TO_LSS
        # the label's width is fixed by the grid (app.tcss): no layout for a new text
        self.query_one("#end-label", Label).update(
            _("Övergick i LSS") if to_lss else _("Placeringen slutade"), layout=False)
        self._refresh()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "unit":
            self.action_pick_unit()
        elif event.button.id == "go":
            self.action_start()

    def action_pick_unit(self) -> None:
        if self._later("pick_unit"):
            return
        from ubu_tui.screens.dialogs import UnitPicker

        def chosen(unit_id: int | None) -> None:
            if unit_id:
                from ubu_tui.store.registry import get_unit

                self.unit_id = unit_id
                unit = get_unit(self.ubu.engine, unit_id)
                self.query_one("#unit", Button).label = unit.name if unit else str(unit_id)
                self._refresh()

        self.app.push_screen(UnitPicker(), chosen)

    def action_demo_registry(self) -> None:
        from ubu_tui.instrument.loader import data_dir
        from ubu_tui.store.registry import count_units, import_units

        if count_units(self.ubu.engine):
            self.notify(_("Registret har redan enheter; demoregistret läses inte in."))
            return
        report = import_units(self.ubu.engine, data_dir() / "registry" / "demo-units.csv")
        self.app.clear_notifications()       # "the registry is empty" is no longer true
        self._registry_empty = False
        self.refresh_bindings()
        self.notify(_("{n} påhittade enheter lästes in.").format(n=report.added))

    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def _evaluate(self) -> tuple[Eligibility | None, list[str]]:
        problems: list[str] = []
        municipality = self._value("municipality")
        try:                     # the same rule and wording as `ubu --municipality`
            check_municipality(municipality)
        except InputRejected as err:
            problems.append(str(err))
        start: date | None = None
        end: date | None = None
        try:
            start = date.fromisoformat(self._value("start"))
            end = date.fromisoformat(self._value("end"))
        except ValueError:
            problems.append(_("Skriv start- och slutdatum som ÅÅÅÅ-MM-DD."))
        basis = self.query_one("#basis", Select).value
        if not isinstance(basis, int):
            problems.append(_("Välj lagrum."))
        age_text = self._value("age")
        if not age_text:
            problems.append(_("Skriv ungdomens ålder i hela år."))
        elif not MIN_AGE <= int(age_text) <= MAX_AGE:
            problems.append(_("Åldern ska vara {lo}–{hi} år.").format(lo=MIN_AGE, hi=MAX_AGE))
            age_text = ""
        if self.unit_id is None:
            problems.append(_("Välj enhet ur registret (F4)."))
        if start is None or end is None or not isinstance(basis, int) or not age_text:
            return None, problems
        unaccompanied = self.query_one("#unaccompanied", Select).value
        return check(start, end, self.ubu.today(), basis, int(age_text),
                     int(unaccompanied)), problems  # type: ignore[arg-type]

    def _refresh(self) -> None:
        verdict, problems = self._evaluate()
        lines: list[str] = []
        if verdict is not None:
            if verdict.due:
                lines.append(_("✔ Uppföljningen ska göras."))
            else:
                lines.append(_("✘ Uppföljningen ska inte göras:"))
                lines += [f"  • {r}" for r in verdict.reasons]
                lines.append(_("  Ctrl+N: registrera som inte aktuell (räknas anonymt i "
                               "täckningen)."))
            lines += [f"  • {n}" for n in verdict.notes]
        lines += [f"  – {p}" for p in problems]
        self._show_verdict(lines)

    def _show_verdict(self, lines: list[str]) -> None:
        self.query_one("#eligibility", Verdict).show(lines)

    def action_start(self) -> None:
        if self._later("start"):
            return
        verdict, problems = self._evaluate()
        if problems or verdict is None or not verdict.due or self.unit_id is None:
            self.notify(_("Uppföljningen kan inte startas än; se rutan ovanför knappen."),
                        severity="warning")
            return
        # Only starting needs these (and the identifier checks behind them): not imported on the
        # way to the screen, which a key pressed at start-up waits for.
        from ubu_tui.interview.followup import FollowUp, Setup
        from ubu_tui.store.labels import new_label

        basis = self.query_one("#basis", Select).value
        mode = self.query_one("#mode", Select).value
        setup = Setup(municipality=self._value("municipality"), unit_id=self.unit_id,
                      mode=Mode(int(mode)),  # type: ignore[arg-type]
                      legal_basis=int(basis), age=int(self._value("age")),  # type: ignore[arg-type]
                      length_band=verdict.length_band, youth_form=verdict.youth_form,
                      unaccompanied=int(
                          self.query_one("#unaccompanied", Select).value))  # type: ignore[arg-type]
        followup = FollowUp.open(self.ubu.instrument, setup)
        label = new_label()
        if not self.ubu.save(followup, label):
            return
        self._count(["due", "started"])
        from ubu_tui.screens.followup import FollowUpScreen

        self.app.switch_screen(FollowUpScreen(followup, label))

    def action_not_due(self) -> None:
        """Count a placement judged not due (with its reasons) for coverage, and leave."""
        if self._later("not_due"):
            return
        verdict, problems = self._evaluate()
        if problems or verdict is None or verdict.due:
            self.notify(_("Bara en placering som inte ska följas upp kan registreras så; se "
                          "rutan ovanför knappen."), severity="warning")
            return
        from ubu_tui.store.coverage import outcomes_of

        if self._count(outcomes_of(False, verdict.codes)):
            self.notify(_("Registrerat som inte aktuell. Bara antalet och skälet räknas, utan "
                          "koppling till någon person."))
            self.app.pop_screen()

    def _count(self, outcomes: list[str]) -> bool:
        """Coverage counts the decision; a practice run counts nothing."""
        if self.ubu.practice_run is not None:
            return True
        from ubu_tui.errors import UbuError
        from ubu_tui.store.coverage import count_decision

        try:
            count_decision(self.ubu.engine, self._value("municipality"), outcomes,
                           self.ubu.today())
            return True
        except UbuError as err:
            self.notify(str(err), severity="error")
            return False
