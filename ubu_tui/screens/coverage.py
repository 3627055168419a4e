"""Coverage: a municipality enters how many placements ended each month, and sees how many of
the ended placements were followed up and why the others were not due.

The screen only collects and shows: the count is stored by store/coverage.py (the same rules as
`ubu coverage --month … --ended …`), the figures come from results/coverage.py, perturbed and
hidden under the threshold exactly as in the reports.
"""

from __future__ import annotations

from datetime import date

from rich.console import Group
from rich.table import Table as RichTable
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Header, Input, Label, Static

from ubu_tui.errors import UbuError
from ubu_tui.i18n import N_, _, format_percent
from ubu_tui.screens.base import UbuScreen
from ubu_tui.widgets.fields import FixedInput
from ubu_tui.widgets.footer import UbuFooter


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _previous_month(day: date) -> str:
    """Ended placements are counted once a month is over: the last whole month."""
    return _month(date(day.year - 1, 12, 1) if day.month == 1 else date(day.year, day.month - 1, 1))


class CoverageScreen(UbuScreen):
    BINDINGS = [Binding("ctrl+s", "save", N_("Spara antalet")),
                Binding("escape", "app.pop_screen", N_("Tillbaka"))]

    shown: tuple[object, object] | None = None      # the tables on screen (for tests)

    def compose(self) -> ComposeResult:
        from ubu_tui.results.periods import default
        from ubu_tui.results.query import restricted

        municipality = self.ubu.settings.municipality
        self.today = self.ubu.today()
        yield Header()
        yield Static(_("Täckning – avslutade placeringar och påbörjade uppföljningar"),
                     classes="title")
        yield Static(_("Ange hur många placeringar som avslutades i kommunen under en månad "
                       "(ett nytt antal ersätter det förra). Inga uppgifter om personer."),
                     classes="muted")
        with Horizontal(classes="row", id="coverage-entry"):
            yield Label(_("Kommunkod"))
            yield FixedInput(municipality, placeholder="0180", max_length=4, id="cov-municipality",
                        disabled=bool(municipality), compact=True)
            yield Label(_("Månad"))
            yield FixedInput(_previous_month(self.today), placeholder="ÅÅÅÅ-MM", max_length=7,
                        id="cov-month", compact=True)
            yield Label(_("Avslutade"))
            yield FixedInput(placeholder="0", type="integer", max_length=6, id="cov-ended",
                        compact=True)
        yield Static(id="cov-message")
        with Horizontal(classes="row", id="coverage-period"):
            yield Label(_("Visa från"))
            # figures are made for calendar months, quarters, half-years and years only
            # (results/periods.py): this year, or for a login the latest quarter published
            shown = default(restricted(self.ubu.engine), self.today)
            yield FixedInput(shown.first, max_length=7, id="cov-from", compact=True)
            yield Label(_("till"))
            yield FixedInput(shown.last, max_length=7, id="cov-to", compact=True)
        with VerticalScroll():
            yield Static(_("Räknar …"), id="cov-table")
        yield UbuFooter()

    def on_mount(self) -> None:
        first = "#cov-ended" if self.ubu.settings.municipality else "#cov-municipality"
        self.query_one(first, Input).focus()
        self.refresh_coverage()

    def _text(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id in ("cov-from", "cov-to"):
            self.refresh_coverage()
        else:
            await self.run_action("save")

    def action_save(self) -> None:
        from ubu_tui.store.coverage import set_ended

        message = self.query_one("#cov-message", Static)
        ended = self._text("cov-ended")
        if not ended:
            message.update(Text(_("Skriv antalet avslutade placeringar i månaden."),
                                style="bold red"))
            self.query_one("#cov-ended", Input).focus()
            return
        municipality, month = self._text("cov-municipality"), self._text("cov-month")
        try:
            set_ended(self.ubu.engine, municipality, month, int(ended))
        except UbuError as err:
            message.update(Text(str(err), style="bold red"))
            return
        message.update(Text(_("{n} avslutade placeringar i {month} sparade för kommun {m}.")
                            .format(n=int(ended), month=month, m=municipality), style="green"))
        self.query_one("#cov-ended", Input).value = ""
        self.refresh_coverage()

    def refresh_coverage(self) -> None:
        self.compute(self._text("cov-from"), self._text("cov-to"))

    @work(thread=True, exclusive=True, group="coverage")
    def compute(self, period_from: str, period_to: str) -> None:
        from ubu_tui.results.aggregate import Context
        from ubu_tui.results.coverage import coverage_tables, open_month_note
        from ubu_tui.results.query import Selection

        try:
            ctx = Context.open(self.ubu.engine, self.ubu.instrument,
                               Selection(period_from, period_to),
                               self.ubu.settings.threshold_in_force())
            got = coverage_tables(ctx)
        except UbuError as err:
            self.app.call_from_thread(self._show_text, Text(str(err), style="bold red"))
            return
        self.app.call_from_thread(self._show, got, period_from, period_to,
                                  open_month_note(ctx))

    def _show_text(self, text: Text | str) -> None:
        self.query_one("#cov-table", Static).update(text)

    def _show(self, got: object, period_from: str, period_to: str,
              note: str | None = None) -> None:
        from ubu_tui.results.aggregate import Table
        from ubu_tui.results.coverage import OUTCOME_LABELS
        from ubu_tui.results.disclosure import SYMBOL, method_text

        if got is None:
            self._show_text(_("Inga täckningsuppgifter {start} – {end}.")
                            .format(start=period_from, end=period_to)
                            + (f" {note}" if note else ""))
            return
        assert isinstance(got, tuple) and len(got) == 2
        table: Table = got[0]
        reasons: Table = got[1]
        assert isinstance(table, Table) and isinstance(reasons, Table)
        self.shown = (table, reasons)

        def pct(value: float | None) -> str:
            return "–" if value is None else format_percent(value)

        grid = RichTable(title=_("Täckning {start} – {end}").format(start=period_from,
                                                                    end=period_to),
                         expand=True, show_edge=False)
        grid.add_column(_("Kommun"), ratio=2, no_wrap=True)
        grid.add_column(_("Avslutade"), justify="right")
        grid.add_column(_("Påbörjade"), justify="right")
        grid.add_column(_("Ska inte göras"), justify="right")
        grid.add_column(_("Täckning"), justify="right")
        for r in (*table.rows, table.total):
            label = _("Samtliga") if r is table.total else _("Kommun {code}").format(code=r.key)
            if not r.shown:
                grid.add_row(label, SYMBOL, "", "", "")
                continue
            counts = r.nonresponse or {}
            grid.add_row(label, str(r.n), str(counts.get("started", 0)),
                         str(counts.get("not_due", 0)), pct(r.share_high))
        why = RichTable(title=_("Skäl till att uppföljningen inte skulle göras"), expand=True,
                        show_edge=False)
        why.add_column(_("Skäl"), ratio=3, no_wrap=True, overflow="ellipsis")
        why.add_column(_("Antal"), justify="right")
        why.add_column(_("Andel"), justify="right")
        for r in reasons.rows:
            why.add_row(OUTCOME_LABELS[f"not_due:{r.key}"], str(r.n), pct(r.share_high))
        if not reasons.rows:
            why.add_row(_("Inga skäl att visa (för få eller inga)"), "", "")
        self._show_text(Group(grid, Text(""), why,  # type: ignore[arg-type]
                              Text(_("Täckning = påbörjade uppföljningar / avslutade "
                                     "placeringar. Röjandeskydd: {method}.")
                                   .format(method=method_text(table.threshold))
                                   + (f" {note}" if note else ""), style="dim")))
