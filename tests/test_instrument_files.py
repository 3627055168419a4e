"""Every malformed instrument file is rejected with its own clear message; the CLI exits 2."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ubu_tui.errors import InstrumentError
from ubu_tui.instrument import load_instrument

pytestmark = pytest.mark.usefixtures("english")   # matches the English wording

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "data" / "instruments" / "ubu-vb" / "2026.1"
BAD = sorted((ROOT / "tests" / "instruments" / "bad").glob("*.toml"))


def header(path: Path, key: str) -> str | None:
    m = re.search(rf"^# {key}: (.+)$", path.read_text(encoding="utf-8"), re.M)
    return m.group(1).strip() if m else None


def broken_copy(bad: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "ubu-vb" / "9.9"
    shutil.copytree(SHIPPED, folder)
    shutil.copy(bad, folder / header(bad, "replaces"))  # type: ignore[operator]
    return folder


def test_there_are_at_least_15_malformed_files():
    assert len(BAD) >= 15
    messages = [header(b, "expect") for b in BAD]
    assert len(set(messages)) == len(messages), "each file must test its own rule"


@pytest.mark.parametrize("bad", BAD, ids=[b.stem for b in BAD])
def test_malformed_instrument_is_rejected_clearly(bad: Path, tmp_path: Path):
    folder = broken_copy(bad, tmp_path)
    with pytest.raises(InstrumentError) as caught:
        load_instrument(folder)
    err = caught.value
    assert header(bad, "expect") in str(err)
    assert header(bad, "replaces") in str(err)          # names the file
    item = header(bad, "item")
    if item:
        assert err.item == item and f"item {item}" in str(err)
        assert err.line is not None and f":{err.line}:" in str(err)
        lines = (folder / header(bad, "replaces")).read_text(encoding="utf-8").splitlines()
        assert item in "\n".join(lines[err.line - 8:err.line + 8])   # the line is near it


def test_shipped_instrument_is_valid():
    instrument = load_instrument(SHIPPED)
    assert instrument.key == "ubu-vb@2026.1"


@pytest.mark.parametrize("bad", BAD[:3], ids=[b.stem for b in BAD[:3]])
def test_check_instrument_command_exits_2_without_traceback(bad: Path, tmp_path: Path):
    folder = broken_copy(bad, tmp_path)
    run = subprocess.run([sys.executable, "-m", "ubu_tui", "check-instrument", str(folder)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert header(bad, "expect") in run.stderr


def test_codebook_command_prints_items_codes_routing_and_indices():
    run = subprocess.run([sys.executable, "-m", "ubu_tui", "codebook"], capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0
    out = run.stdout
    assert "y_violation  [single]  (känslig)" in out
    assert "y_conflicts  [scale]  (högt värde är dåligt)" in out
    assert "visas bara om y_school_attend är [1]" in out
    assert " -8  skipped" in out and " -9  not_reached" in out
    assert "safety_care: Trygghet och omhändertagande" in out
    assert "(läs inte upp)" in out


@pytest.mark.parametrize("items", ["0", '"goal"', "{ a = 1 }"])
def test_an_index_whose_items_are_not_a_list_is_rejected_clearly(items: str, tmp_path: Path):
    """Found by the fuzz test: `items = 0` in an [[index]] ended in a TypeError traceback."""
    folder = tmp_path / "ubu-vb" / "9.9"
    shutil.copytree(SHIPPED, folder)
    meta = folder / "instrument.toml"
    text = meta.read_text(encoding="utf-8")
    start = text.index('id = "goal_health"')
    end = text.index("\n", text.index("items =", start))
    meta.write_text(text[:start] + 'id = "goal_health"\nlabel = "x"\nitems = ' + items
                    + text[end:], encoding="utf-8")
    with pytest.raises(InstrumentError, match="index 'goal_health' names no items"):
        load_instrument(folder)
