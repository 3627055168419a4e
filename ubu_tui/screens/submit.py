"""Submission: show exactly what will be stored (codes only), then the record leaves view."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

from ubu_tui.errors import UbuError
from ubu_tui.i18n import N_, _
from ubu_tui.interview.followup import FollowUp
from ubu_tui.interview.session import DISPOSITION_LABELS, MODE_LABELS, Mode
from ubu_tui.screens.base import UbuScreen
from ubu_tui.screens.followup import RESPONDENT_LABELS


class SubmitScreen(UbuScreen):
    BINDINGS = [
        Binding("ctrl+s", "submit", N_("Skicka in")),
        Binding("escape", "app.pop_screen", N_("Tillbaka")),
    ]

    def __init__(self, followup: FollowUp, label: str) -> None:
        super().__init__()
        self.followup, self.label = followup, label

    def compose(self) -> ComposeResult:
        record = self.followup.record()
        yield Header()
        yield Static(_("Detta sparas – bara koder, inga namn eller datum"), classes="title")
        yield Static(_("Efter inskickning kan ingen se den här uppföljningen igen, bara "
                       "sammanställda resultat. Ctrl+S skickar in, Esc går tillbaka."),
                     classes="instruction")
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
        with VerticalScroll():
            yield Static(text, id="submit-preview")
        yield Footer()

    def action_submit(self) -> None:
        from ubu_tui.store.submissions import submit

        try:
            period = submit(self.ubu.engine, self.followup)
        except UbuError as err:
            self.notify(_("Kunde inte skicka in: {error}").format(error=err), severity="error",
                        timeout=15)
            return
        self.ubu.return_home()
        self.app.notify(_("Uppföljningen är inskickad för period {period}. Den kan inte "
                          "längre visas.").format(period=period), timeout=10)
