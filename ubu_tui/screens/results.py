"""Results: pick period, filter, breakdown and measure; see suppressed figures as bars."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table as RichTable
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Header, Select, Static

from ubu_tui.errors import UbuError
from ubu_tui.i18n import N_, _, format_number, format_percent
from ubu_tui.screens.base import UbuScreen
from ubu_tui.widgets.footer import UbuFooter

if TYPE_CHECKING:
    from ubu_tui.results.periods import Period

LOW_N = 10          # figures on fewer follow-ups than this are marked as uncertain
BAR = 30            # characters for a full bar


def bar(value: float | None, low: float = 1.0, high: float = 5.0) -> str:
    """A bar over the scale's own range, so that 1 is empty and 5 is full."""
    if value is None:
        return ""
    cells = max(0.0, min(1.0, (value - low) / (high - low))) * BAR
    return "█" * int(cells) + ("▌" if cells - int(cells) >= 0.5 else "")


class ResultsScreen(UbuScreen):
    BINDINGS = [Binding("escape", "app.pop_screen", N_("Tillbaka"))]
    # a unit picked here shows its profile: every index beside the all-units average
    NO_PROFILE = 0

    def compose(self) -> ComposeResult:
        from ubu_tui.results.query import DIMENSIONS

        self.periods = self._periods()
        measures = [(_("Index: ") + ix.label, f"index:{ix.id}")
                    for ix in self.ubu.instrument.indices]
        measures += [(f"{i.id}: {i.text[:50]}", f"item:{i.id}")
                     for i in self.ubu.instrument.items.values() if i.type.value == "scale"]
        dims = [(d.label, d.id) for d in DIMENSIONS.values()]
        yield Header()
        yield Static(_("Resultat – bara sammanställda och spärrade uppgifter"), classes="title")
        with Horizontal(classes="row", id="results-pickers"):
            # one period of the grid (a month, quarter, half-year or year), newest year first
            yield Select([(p.label, p.value) for p in self.periods], value=self.periods[0].value,
                         allow_blank=False, id="period", compact=True)
            yield Select(measures, value=measures[0][1], allow_blank=False, id="measure",
                         compact=True)
        with Horizontal(classes="row", id="results-pickers-2"):
            yield Select(dims, value="unit", allow_blank=True, prompt=_("Ingen uppdelning"),
                         id="by", compact=True)
            yield Select([(_("Alla typer"), 0)] + [
                (o.label, o.code) for o in self.ubu.instrument.item("cw_unit_type").options],
                value=0, allow_blank=False, id="filter", compact=True)
            yield Select([(_("Ingen profil"), self.NO_PROFILE)] + [
                (name, uid) for uid, name in sorted(self._units().items(), key=lambda u: u[1])],
                value=self.NO_PROFILE, allow_blank=False, id="profile", compact=True)
        with VerticalScroll():
            yield Static(_("Räknar …"), id="results-table")
        yield UbuFooter()

    def _periods(self) -> list[Period]:
        """The grid periods holding follow-ups; for a login of the shared database, those it
        may read (results/periods.py)."""
        from ubu_tui.results.periods import choices, login_choices, month_of
        from ubu_tui.results.query import periods, restricted

        today = self.ubu.today()
        if restricted(self.ubu.engine):
            return login_choices(today)
        return choices(periods(self.ubu.engine) or [month_of(today)])

    def _units(self) -> dict[int, str]:
        from ubu_tui.store.registry import unit_names

        return unit_names(self.ubu.engine)

    def on_mount(self) -> None:
        self.refresh_results()

    def on_select_changed(self) -> None:
        self.refresh_results()

    def _value(self, widget_id: str) -> object:
        return self.query_one(f"#{widget_id}", Select).value

    def refresh_results(self) -> None:
        by = self._value("by")
        profile = int(self._value("profile") or 0)  # type: ignore[call-overload]
        from ubu_tui.results.periods import parse

        period_from, period_to = parse(str(self._value("period")))
        if profile:
            self.compute_profile(period_from, period_to, profile)
            return
        self.compute(period_from, period_to, str(self._value("measure")),
                     by if isinstance(by, str) else None, int(self._value("filter") or 0))  # type: ignore[call-overload]

    @work(thread=True, exclusive=True, group="results")
    def compute_profile(self, period_from: str, period_to: str, unit_id: int) -> None:
        from ubu_tui.results.aggregate import Context, unit_profile
        from ubu_tui.results.query import Selection

        try:
            ctx = Context.open(self.ubu.engine, self.ubu.instrument,
                               Selection(period_from, period_to),
                               self.ubu.settings.threshold_in_force())
            lines = unit_profile(ctx, unit_id)
            self.app.call_from_thread(self._show_profile, ctx.label("unit", unit_id), lines,
                                      ctx.threshold.value)
        except UbuError as err:
            self.app.call_from_thread(self.notify, str(err), severity="error")

    def _show_profile(self, name: str, lines, threshold: int) -> None:  # type: ignore[no-untyped-def]
        from rich.console import Group

        grid = RichTable(title=_("Enhetsprofil: {unit}").format(unit=name), expand=True,
                         show_edge=False)
        grid.add_column(_("Index"), ratio=3, no_wrap=True, overflow="ellipsis")
        grid.add_column(name, justify="right", no_wrap=True, overflow="ellipsis")
        grid.add_column(_("Alla enheter"), justify="right")
        grid.add_column("", ratio=3, no_wrap=True)
        for line in lines:
            unit, everyone = line.unit, line.everyone
            mine = (f"{format_number(unit.mean)} (n={unit.n})" if unit.shown and unit.mean
                    else _("spärrad") if not unit.shown else "–")
            all_ = (f"{format_number(everyone.mean)} (n={everyone.n})"
                    if everyone.shown and everyone.mean else "–")
            bars = Text(bar(unit.mean if unit.shown else None), style="bold")
            bars.append("\n" + bar(everyone.mean if everyone.shown else None), style="dim")
            grid.add_row(line.title, mine, all_, bars)
        footer = Text("\n" + _("Fet stapel: enheten. Svag stapel: alla enheter. Spärr: färre än "
                               "{t} uppföljningar visas inte.").format(t=threshold))
        self.query_one("#results-table", Static).update(Group(grid, footer))

    @work(thread=True, exclusive=True, group="results")
    def compute(self, period_from: str, period_to: str, measure: str, by: str | None,
                unit_type: int) -> None:
        from ubu_tui.results.aggregate import Context, index_tables, item_tables
        from ubu_tui.results.query import Selection

        try:
            filters = (("unit_type", (unit_type,)),) if unit_type else ()
            ctx = Context.open(self.ubu.engine, self.ubu.instrument,
                               Selection(period_from, period_to, filters),
                               self.ubu.settings.threshold_in_force())
            kind, ident = measure.split(":", 1)
            tables = index_tables(ctx, by) if kind == "index" else item_tables(ctx, by, [ident])
            table = next(t for t in tables if t.id == ident)
            self.app.call_from_thread(self._show, table)
        except UbuError as err:
            self.app.call_from_thread(self.notify, str(err), severity="error")

    def _show(self, table) -> None:  # type: ignore[no-untyped-def]
        from ubu_tui.results.funnel import HIGHER, verdict

        grid = RichTable(title=table.title, expand=True, show_edge=False)
        grid.add_column(_("Grupp"), ratio=3, no_wrap=True, overflow="ellipsis")
        grid.add_column("n", justify="right")
        grid.add_column(_("Medel"), justify="right")
        grid.add_column(_("Andel 4–5"), justify="right")
        grid.add_column("", ratio=3, no_wrap=True)
        for row in (*table.rows, table.total):
            if not row.shown:
                grid.add_row(row.label, "–", "–", "–", Text(_("spärrad"), style="italic"))
                continue
            mark = Text(bar(row.mean), style="bold" if row.key == "__total__" else "")
            if row.n is not None and row.n < LOW_N:
                mark.append(" " + _("⚠ lågt n"), style="yellow")
            flag = verdict(table, row) if row.key != "__total__" else ""
            if flag:        # the funnel plot's verdict: outside the 99.8 % limits only
                mark.append(" ▲" if flag == HIGHER else " ▼", style="bold")
            grid.add_row(row.label, format_number(row.n or 0, 0),
                         format_number(row.mean) if row.mean else "–",
                         format_percent(row.share_high) if row.share_high is not None else "–",
                         mark)
        notes = table.notes()
        footer = Text("\n" + _("Spärr: figurer som bygger på färre än {t} uppföljningar visas "
                               "inte; de räknas med i Samtliga.").format(t=table.threshold))
        footer.append("\n" + _("▲/▼: andelen 4–5 ligger över/under trattdiagrammets 99,8 %-gräns "
                               "för gruppens n, jämfört med Samtliga."))
        for note in notes:
            footer.append("\n• " + note, style="yellow")
        from rich.console import Group

        self.query_one("#results-table", Static).update(Group(grid, footer))
