"""Submission: show exactly what will be stored (codes only), then the record leaves view."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Header, Static

from ubu_tui.errors import UbuError
from ubu_tui.i18n import N_, _
from ubu_tui.interview.followup import FollowUp, FollowUpRecord
from ubu_tui.interview.session import DISPOSITION_LABELS, MODE_LABELS, Mode
from ubu_tui.screens.base import UbuScreen
from ubu_tui.screens.followup import RESPONDENT_LABELS
from ubu_tui.widgets.footer import UbuFooter


class SubmitScreen(UbuScreen):
    BINDINGS = [
        Binding("ctrl+s", "submit", N_("Skicka in")),
        Binding("escape", "app.pop_screen", N_("Tillbaka")),
        # only while the unit type disagrees with the registry (check_action)
        Binding("r", "correct", N_("Rätta typen")),
        Binding("k", "keep", N_("Behåll svaret")),
    ]

    def __init__(self, followup: FollowUp, label: str) -> None:
        super().__init__()
        self.followup, self.label = followup, label
        self.mismatch: tuple[int, int] | None = None   # (answered, registered) unit type
        self.kept = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("correct", "keep"):
            return self.mismatch is not None and not self.kept
        return True

    def _unit_check_text(self) -> Text:
        from ubu_tui.store.registry import UNIT_TYPE_ITEM

        if self.mismatch is None:
            return Text("")
        item = self.ubu.instrument.item(UNIT_TYPE_ITEM)

        def name(code: int) -> str:
            option = item.option(code)
            return option.label if option else str(code)

        answered, registered = self.mismatch
        if self.kept:
            return Text(_("Du behåller ditt svar om typ av enhet ({answered}). Meddela den "
                          "som sköter registret om registret är fel.").format(
                              answered=name(answered)),
                        style="bold")
        return Text(_("⚠ Typ av enhet stämmer inte med registret: du svarade «{answered}», "
                      "registret har enheten som «{registered}». r rättar svaret till "
                      "registrets typ; k behåller ditt svar.").format(
                          answered=name(answered), registered=name(registered)),
                    style="bold yellow")

    def compose(self) -> ComposeResult:
        from ubu_tui.store.registry import unit_type_mismatch

        record = self.followup.record()
        try:
            self.mismatch = unit_type_mismatch(self.ubu.engine, record)
        except UbuError:
            self.mismatch = None          # no registry to check against: nothing to show
        yield Header()
        yield Static(_("Detta sparas – bara koder, inga namn eller datum"), classes="title")
        yield Static(_("Efter inskickning kan ingen se den här uppföljningen igen, bara "
                       "sammanställda resultat. Ctrl+S skickar in, Esc går tillbaka."),
                     classes="instruction")
        yield Static(self._unit_check_text(), id="unit-check")
        with VerticalScroll():
            yield Static(self._preview(record), id="submit-preview")
        yield UbuFooter()

    def _preview(self, record: FollowUpRecord) -> Text:
        text = Text()
        text.append(_("kommun {municipality} · enhet {unit}").format(
            municipality=record.municipality, unit=record.unit_id)
                    + f" · {record.instrument_id} {record.instrument_version} · "
                    + _("period: månaden för inskickning") + "\n", style="bold")
        for sess in record.sessions:
            # the stored code beside its words: what is stored is the code
            text.append(f"\n{_(RESPONDENT_LABELS[sess.respondent])}: "
                        f"{_(DISPOSITION_LABELS[sess.disposition])} ({sess.disposition.value})"
                        " · " + _("intervjuform {code} {name}").format(
                            code=sess.mode, name=_(MODE_LABELS[Mode(sess.mode)]))
                        + " · " + _("språk {code}").format(code=sess.language)
                        + (" · " + _("avbrott, skäl {code}").format(code=sess.break_reason)
                           if sess.break_reason else "") + "\n", style="bold")
            text.append("  ".join(f"{o.item_id}={o.code}" + (
                "[" + ",".join(f"{m}:{a}" for m, a in o.methods) + "]" if o.methods else "")
                for o in sess.items) + "\n")
        return text

    def action_correct(self) -> None:
        """The registry is right: the caseworker's answer becomes the registry's type, saved
        in the draft at once (a confirmed answer survives a crash)."""
        from ubu_tui.interview.session import Response
        from ubu_tui.store.registry import UNIT_TYPE_ITEM

        if self.mismatch is None:
            return
        _answered, registered = self.mismatch
        self.followup.session("caseworker").prefill(UNIT_TYPE_ITEM, Response(registered))
        self.mismatch = None
        self.ubu.save(self.followup, self.label)
        self.query_one("#unit-check", Static).update(
            Text(_("Typ av enhet rättad till registrets."), style="green"))
        self.query_one("#submit-preview", Static).update(self._preview(self.followup.record()))
        self.refresh_bindings()

    def action_keep(self) -> None:
        if self.mismatch is None:
            return
        self.kept = True
        self.query_one("#unit-check", Static).update(self._unit_check_text())
        self.refresh_bindings()

    def action_submit(self) -> None:
        from ubu_tui.store.submissions import submit

        if self.mismatch is not None and not self.kept:
            self.notify(_("Typ av enhet stämmer inte med registret: tryck r för att rätta "
                          "eller k för att behålla ditt svar, sedan Ctrl+S."),
                        severity="warning", timeout=10)
            return

        try:
            period = submit(self.ubu.engine, self.followup)
        except UbuError as err:
            self.notify(_("Kunde inte skicka in: {error}").format(error=err), severity="error",
                        timeout=15)
            return
        self.ubu.return_home()
        self.app.notify(_("Uppföljningen är inskickad för period {period}. Den kan inte "
                          "längre visas.").format(period=period), timeout=10)
