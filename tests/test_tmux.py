"""The real `ubu` command in a real terminal: tmux types a short follow-up and reads the screen.

Nothing here waits for a fixed time. A key that moves the focus or opens a screen is followed by
a wait for its visible effect before the next key is sent: Textual hands a key to the widget
that has the focus when the key arrives, so a digit typed before a Tab has taken effect lands
in the old field. Each test has its own tmux server (-L), so nothing leaks between runs.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import DEMO_UNITS
from ubu_tui.store import open_store

UBU = Path(sys.executable).with_name("ubu")
DEADLINE = 60.0     # seconds for one visible change: generous, for a machine under load
pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class Terminal:
    def __init__(self, socket: str, command: str, env: dict[str, str]) -> None:
        self.socket = socket
        exports = " ".join(f"{k}={v}" for k, v in env.items())
        self.tmux("new-session", "-d", "-s", "ubu", "-x", "80", "-y", "24",
                  f"env {exports} {command}; sleep 600")

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True,
                              text=True, check=True).stdout

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.tmux("send-keys", "-t", "ubu", key)

    def type(self, literal: str) -> None:
        self.tmux("send-keys", "-t", "ubu", "-l", literal)

    def screen(self, styled: bool = False) -> str:
        return self.tmux("capture-pane", "-p", "-t", "ubu", *(["-e"] if styled else []))

    def line(self, label: str, styled: bool = False) -> str:
        """The screen line that holds `label` (with its colours when styled)."""
        for plain, shown in zip(self.screen().splitlines(), self.screen(styled).splitlines(),
                                strict=False):
            if label in plain:
                return shown
        return ""

    def cursor_row(self) -> int:
        return int(self.tmux("display", "-p", "-t", "ubu", "#{cursor_y}"))

    def until(self, what: str, done: Callable[[], bool]) -> None:
        deadline = time.monotonic() + DEADLINE
        while not done():
            if time.monotonic() > deadline:
                raise AssertionError(f"{what} never happened; the screen was:\n{self.screen()}")
            time.sleep(0.1)       # polling interval only: the wait is for the condition

    def wait_for(self, needle: str) -> str:
        self.until(f"{needle!r} shown", lambda: needle in self.screen())
        return self.screen()

    def wait_gone(self, needle: str) -> None:
        self.until(f"{needle!r} gone", lambda: needle not in self.screen())

    def focus_input(self, key: str, label: str) -> None:
        """Press `key` and wait until the text cursor is in the input field labelled `label`."""
        self.keys(key)
        self.until(f"the cursor in {label!r}",
                   lambda: label in self.screen().splitlines()[self.cursor_row()])

    def focus_other(self, key: str, label: str) -> None:
        """Press `key` and wait until the field labelled `label` is drawn as focused."""
        before = self.line(label, styled=True)
        self.keys(key)
        self.until(f"{label!r} focused", lambda: self.line(label, styled=True) != before)

    def press_until(self, key: str, needle: str, tries: int = 3) -> None:
        """Press `key` until `needle` shows. Only where the app is known to drop a key: the
        first key after the unit picker closes is sometimes lost, although the set-up screen
        is drawn again (an app issue, noted for the keystroke work), and nothing on the
        screen tells when it would be taken; pressed twice there, the key is harmless: the
        follow-up screen has no Ctrl+S."""
        for _ in range(tries - 1):
            self.keys(key)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if needle in self.screen():
                    return
                time.sleep(0.1)
        self.keys(key)
        self.wait_for(needle)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def test_ubu_in_tmux_runs_a_short_follow_up(tmp_path):
    url = f"sqlite:///{tmp_path / 'ubu.sqlite3'}"
    subprocess.run([str(UBU), "--database-url", url, "registry", "import", str(DEMO_UNITS)],
                   check=True, capture_output=True)
    term = Terminal(f"ubu-test-{tmp_path.name}", str(UBU),
                    {"UBU_DATABASE_URL": url, "UBU_MUNICIPALITY": "0180", "TERM": "xterm-256color"})
    try:
        term.wait_for("Utkast: 0")                   # the store is open
        term.keys("n")
        term.wait_for("Placeringen började")
        term.until("the cursor in the start date",
                   lambda: "Placeringen började" in term.screen().splitlines()[term.cursor_row()])
        term.type("2026-06-01")
        term.wait_for("2026-06-01")
        term.focus_input("Tab", "Placeringen slutade")
        term.type("2026-11-10")
        term.wait_for("2026-11-10")
        term.focus_other("Tab", "Lagrum")
        term.keys("Enter")
        term.wait_for("SoL/LVU som")                 # the list of legal bases is open
        term.keys("Down", "Down", "Enter")
        term.wait_gone("SoL/LVU som")
        assert "LVU" in term.line("Lagrum")
        term.focus_input("Tab", "Ålder nu")
        term.type("19")
        term.until("age 19", lambda: "19" in term.line("Ålder nu"))
        term.keys("F4")
        term.wait_for("Välj enhet ur registret")     # drawn after its search field has focus
        term.type("Granudd")
        term.wait_gone("Björkbacken")                # the list is filtered
        term.keys("Enter")
        term.wait_for("Uppföljningen ska göras")
        term.wait_for("^s Starta")                   # the picker has gone
        term.press_until("C-s", "inte påbörjad")
        for session, consent in (("1", "2"), ("2", "3")):   # youth declines, guardian unreachable
            term.keys(session)
            term.wait_for("och samtycke")
            term.keys(consent, "Enter")
            if consent == "2":                       # a decline asks for its coded reason
                term.wait_for("Varför avböjde personen")
                term.keys("2")
            term.wait_gone("och samtycke")
            term.wait_for("Kvar att avsluta")        # the overview has the keys again
        term.keys("3")                               # the caseworker's own items: no consent
        shown = term.wait_for("Vad var det huvudsakliga skälet")
        assert "DIN FRÅGA" in shown and "LÄS UPP" not in shown
        assert "Instruktion" in shown
        term.keys("f2")
        term.wait_gone("skälet")                     # the privacy screen hides the wording
        term.keys("f2")
        term.wait_for("skälet")
        term.keys("a")
        term.wait_for("Spara som utkast")
        term.keys("0")                               # keep as draft
        term.wait_for("Handläggarens egna frågor: pågår, 5 av 51")   # 5 prefilled
        term.keys("Escape")
        term.wait_for("Utkast: 1")
    finally:
        term.close()
    engine = open_store(url)
    with engine.connect() as conn:
        state = conn.execute(text("SELECT state FROM draft")).scalar()
    assert '"disposition":"declined"' in state and '"disposition":"not_reachable"' in state
    assert "2026-06-01" not in state and "2026-11-10" not in state


def test_paper_entry_typed_at_full_speed_in_tmux(tmp_path):
    """Set-up and a whole paper youth form sent with no pause between keys; every answer lands."""
    from tests.keys import plan
    from ubu_tui.instrument import default_instrument
    from ubu_tui.interview.session import Consent, Mode
    from ubu_tui.store.drafts import list_drafts, load_draft

    url = f"sqlite:///{tmp_path / 'ubu.sqlite3'}"
    subprocess.run([str(UBU), "--database-url", url, "registry", "import", str(DEMO_UNITS)],
                   check=True, capture_output=True)
    answers, expected = plan(default_instrument().forms["youth"], blank_every=5)
    term = Terminal(f"ubu-paper-{tmp_path.name}", str(UBU),
                    {"UBU_DATABASE_URL": url, "UBU_MUNICIPALITY": "0180", "TERM": "xterm-256color"})
    try:
        term.wait_for("Ny uppföljning")
        term.keys("n", "2026-06-01", "Tab", "2026-11-10", "Tab", "Enter", "Down", "Down", "Enter",
                  "Tab", "16", "Tab", "Tab", "Tab", "Enter", "Down", "Down", "Down", "Down",
                  "Enter",
                  "F4", "Granudd", "Enter", "C-s", "1", "1", "Enter",
                  *[{"enter": "Enter"}.get(k, k) for k in answers], "k", "Escape")
        term.wait_for("Utkast: 1")
        shown = term.screen()
    finally:
        term.close()
    engine = open_store(url)
    followup, _ = load_draft(engine, list_drafts(engine)[0].id)
    youth = followup.session("youth")
    assert (youth.mode, youth.consent) == (Mode.PAPER, Consent.SELF_COMPLETED), shown
    assert youth.responses == expected
    assert youth.disposition is not None
