"""The wheel carries everything ubu needs at run time, and works installed outside the checkout.

Both run with --slow (CI), not in the default run: building the wheel with pip takes about 7 CPU
seconds. The first checks what the wheel holds; the second installs it into a fresh virtual
environment in a temporary folder, and the real `ubu` checks the instrument, prints the
codebook, imports the demo registry and runs a headless follow-up from there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

# what a build must not pick up from a working checkout
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__",
                                    ".*_cache", ".hypothesis", "*.sqlite3*", "tests")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built from a copy of the checkout (so no stale build/ folder leaks in)."""
    tmp = tmp_path_factory.mktemp("wheel")
    shutil.copytree(ROOT, tmp / "src", ignore=NOT_SOURCE)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w",
                    str(tmp / "dist"), str(tmp / "src")], check=True, capture_output=True)
    [built] = (tmp / "dist").glob("ubu_tui-*.whl")
    return built


@pytest.mark.slow
def test_wheel_holds_instruments_scenarios_registry_and_compiled_catalogues(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {p.relative_to(ROOT).as_posix() for p in (ROOT / "data").rglob("*")
               if p.suffix in {".toml", ".csv"}}
    assert shipped and {f"ubu_tui/{p}" for p in shipped} <= names
    catalogues = {p.relative_to(ROOT).with_suffix(".mo").as_posix()
                  for p in (ROOT / "locales").glob("*/LC_MESSAGES/*.po")}
    assert {"locales/en/LC_MESSAGES/ubu.mo", "locales/ar/LC_MESSAGES/instrument.mo"} <= catalogues
    assert {f"ubu_tui/{p}" for p in catalogues} <= names
    assert {"ubu_tui/app.tcss", "ubu_tui/store/migrations/env.py"} <= names
    assert not {n for n in names if n.startswith(("data/", "locales/", "tests/"))}


def run(*args: str, cwd: Path) -> str:
    """A command of the installed ubu, with nothing of the checkout in reach."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("UBU_", "PYTHON", "VIRTUAL_ENV"))}
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{args} exited {done.returncode}:\n{done.stdout}{done.stderr}"
    return done.stdout


@pytest.mark.slow
def test_installed_wheel_runs_outside_the_checkout(wheel, tmp_path):
    venv.create(tmp_path / "venv", with_pip=True)
    bin_ = tmp_path / "venv" / "bin"
    run(str(bin_ / "pip"), "install", "--quiet", str(wheel), cwd=tmp_path)
    work = tmp_path / "elsewhere"
    work.mkdir()
    ubu = str(bin_ / "ubu")

    data = Path(run(str(bin_ / "python"), "-c",
                    "from ubu_tui.resources import data_dir; print(data_dir())", cwd=work).strip())
    assert data.is_relative_to(tmp_path / "venv") and not data.is_relative_to(ROOT)
    # Every shipped version of the instrument must be in the wheel and check clean there.
    versions = sorted((data / "instruments" / "ubu-vb").glob("2*"))
    assert [v.name for v in versions] == sorted(
        v.name for v in (ROOT / "data" / "instruments" / "ubu-vb").glob("2*"))
    for version in versions:
        assert "ubu-vb" in run(ubu, "check-instrument", str(version), cwd=work)
    codebook = run(ubu, "codebook", cwd=work)
    assert "y_violation" in codebook and "cw_unit" in codebook

    url = f"sqlite:///{tmp_path / 'ubu.sqlite3'}"
    assert "12 units added" in run(ubu, "--language", "en", "--database-url", url, "registry",
                                   "import", str(data / "registry" / "demo-units.csv"), cwd=work)
    script = shutil.copy(ROOT / "tests" / "installed" / "headless_followup.py", work)
    shown = run(str(bin_ / "python"), str(script), url, "en", cwd=work)
    assert "submitted" in shown
    assert "languages: sv en" in shown and "en: New follow-up" in shown
    run(ubu, "--database-url", url, "export", str(tmp_path / "out.jsonl"), cwd=work)
    assert len((tmp_path / "out.jsonl").read_text().splitlines()) == 1
