"""SIGKILL in the middle of an interview, many times: no confirmed answer is ever lost."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import DEMO_UNITS
from ubu_tui.store import open_store
from ubu_tui.store.drafts import list_drafts, load_draft
from ubu_tui.store.registry import import_units
from ubu_tui.store.submissions import count_submissions

ROOT = Path(__file__).resolve().parents[1]


def kill_rounds(url: str, rounds: int, seed: int) -> tuple[int, int, int]:
    """Kill the scripted interviewer `rounds` times at random; return (kills, lost, confirmed)."""
    rng = random.Random(seed)
    confirmed: dict[str, dict[str, int]] = {}
    submitted: set[str] = set()
    kills = lost = 0
    for n in range(rounds):
        child = subprocess.Popen([sys.executable, "-m", "tests.kill_child", url, str(n)],
                                 cwd=ROOT, stdout=subprocess.PIPE, text=True,
                                 env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert child.stdout is not None
        first = child.stdout.readline()          # wait until it is answering
        deadline = time.monotonic() + rng.uniform(0.0, 0.4)
        lines = [first]
        os.set_blocking(child.stdout.fileno(), False)
        while time.monotonic() < deadline:
            time.sleep(0.005)
        child.send_signal(signal.SIGKILL)
        child.wait()
        kills += 1
        rest = child.stdout.read() or ""
        lines += rest.splitlines()
        for line in lines:
            parts = line.split()
            if len(parts) == 4 and parts[0] == "ok":
                confirmed.setdefault(parts[1], {})[parts[2]] = int(parts[3])
            elif len(parts) == 2 and parts[0] == "submitted":
                submitted.add(parts[1])
        engine = open_store(url)
        drafts = {d.id for d in list_drafts(engine)}
        for fid, answers in confirmed.items():
            if fid in drafts:
                followup, _ = load_draft(engine, fid)
                stored = {item: resp.code for s in followup.sessions.values()
                          for item, resp in s.responses.items()}
            else:
                # submitted, perhaps killed before it could say so: the answers are in the
                # submission (read here with SQL; the app has no way to read one record)
                with engine.connect() as conn:
                    stored = dict(conn.execute(text(
                        "SELECT item_id, code FROM answer_record WHERE submission_id = :f"),
                        {"f": fid}).all())
                submitted.add(fid)
            lost += sum(1 for item, code in answers.items() if stored.get(item) != code)
        assert count_submissions(engine) == len(submitted)
        engine.dispose()
    return kills, lost, sum(len(a) for a in confirmed.values())


def prepare(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'kill.sqlite3'}"
    import_units(open_store(url), DEMO_UNITS)
    return url


def test_sigkill_mid_interview_loses_no_confirmed_answer(tmp_path):
    # six kills in the default run (each is a process start of about a CPU second); 100 with
    # --slow, as CI runs it
    kills, lost, confirmed = kill_rounds(prepare(tmp_path), rounds=6, seed=1)
    assert (kills, lost) == (6, 0)
    assert confirmed > 20          # the kills really landed mid-interview


@pytest.mark.slow
def test_sigkill_100_times(tmp_path):
    kills, lost, _confirmed = kill_rounds(prepare(tmp_path), rounds=100, seed=2)
    assert (kills, lost) == (100, 0)
