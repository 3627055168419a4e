"""The real `ubu` command in a real terminal: tmux types a short follow-up and reads the screen."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import DEMO_UNITS
from ubu_tui.store import open_store

UBU = Path(sys.executable).with_name("ubu")
pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class Terminal:
    def __init__(self, name: str, command: str, env: dict[str, str]) -> None:
        self.name = name
        exports = " ".join(f"{k}={v}" for k, v in env.items())
        subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "80", "-y", "24",
                        f"env {exports} {command}; sleep 5"], check=True)

    def keys(self, *keys: str, wait: float = 0.35) -> None:
        for key in keys:
            subprocess.run(["tmux", "send-keys", "-t", self.name, key], check=True)
            time.sleep(wait)

    def screen(self) -> str:
        return subprocess.run(["tmux", "capture-pane", "-p", "-t", self.name],
                              capture_output=True, text=True, check=True).stdout

    def wait_for(self, needle: str, timeout: float = 15) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen()
            if needle in shown:
                return shown
            time.sleep(0.2)
        raise AssertionError(f"{needle!r} never appeared; the screen was:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


def test_ubu_in_tmux_runs_a_short_follow_up(tmp_path):
    url = f"sqlite:///{tmp_path / 'ubu.sqlite3'}"
    subprocess.run([str(UBU), "--database-url", url, "registry", "import", str(DEMO_UNITS)],
                   check=True, capture_output=True)
    term = Terminal(f"ubu-test-{tmp_path.name}", str(UBU),
                    {"UBU_DATABASE_URL": url, "UBU_MUNICIPALITY": "0180", "TERM": "xterm-256color"})
    try:
        term.wait_for("Ny uppföljning")
        term.keys("n")
        term.wait_for("Placeringen började")
        term.keys("2026-06-01", "Tab", "2026-11-10", "Tab", "Enter", "Down", "Down", "Enter",
                  "Tab", "19", "F4", "Granudd", "Enter")
        term.wait_for("Uppföljningen ska göras")
        term.keys("C-s")
        term.wait_for("inte påbörjad")
        term.keys("1", "2", "Enter")                 # youth declines
        term.keys("2", "3", "Enter")                 # guardian not reachable
        term.keys("3", "1", "Enter")                 # the caseworker's own items
        shown = term.wait_for("LÄS UPP")
        assert "Vad var det huvudsakliga skälet" in shown
        assert "Instruktion" in shown
        term.keys("f2")
        assert "skälet" not in term.screen()         # the privacy screen hides the wording
        term.keys("f2")
        term.wait_for("skälet")
        term.keys("a", "0")                          # keep as draft
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
