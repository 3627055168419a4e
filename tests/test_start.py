"""Start-up: what is remembered between starts (ubu_tui/cache.py) never lets through what
would be refused without it, and a cache that cannot be used changes nothing but the time."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ubu_tui.errors import InstrumentError
from ubu_tui.instrument import load_instrument

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "data" / "instruments" / "ubu-vb" / "2026.1"


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    from ubu_tui.cache import cache_dir

    folder = tmp_path / "cache"
    monkeypatch.setenv("UBU_CACHE_DIR", str(folder))
    cache_dir.cache_clear()
    yield folder
    cache_dir.cache_clear()


def _with_identifier(folder: Path) -> None:
    meta = folder / "instrument.toml"
    meta.write_text(meta.read_text(encoding="utf-8").replace(
        'title = "', 'title = "Anna 19900101-1234 ', 1), encoding="utf-8")


def test_an_instrument_edited_after_it_passed_is_screened_again(tmp_path, own_cache):
    folder = tmp_path / "ubu-vb" / "9.9"
    shutil.copytree(SHIPPED, folder)
    assert load_instrument(folder).key == "ubu-vb@2026.1"
    assert any((own_cache / "screened").iterdir())        # the verdict was remembered
    assert load_instrument(folder).key == "ubu-vb@2026.1"   # and a second start uses it
    _with_identifier(folder)
    with pytest.raises(InstrumentError, match="instrument.toml"):
        load_instrument(folder)


def test_a_cache_that_cannot_be_written_changes_nothing(tmp_path, monkeypatch):
    from ubu_tui.cache import cache_dir

    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("UBU_CACHE_DIR", str(blocked))
    cache_dir.cache_clear()
    try:
        folder = tmp_path / "ubu-vb" / "9.9"
        shutil.copytree(SHIPPED, folder)
        assert load_instrument(folder).key == "ubu-vb@2026.1"
        _with_identifier(folder)
        with pytest.raises(InstrumentError, match="instrument.toml"):
            load_instrument(folder)
    finally:
        cache_dir.cache_clear()


def _help(cache: Path) -> str:
    env = {**os.environ, "UBU_CACHE_DIR": str(cache), "UBU_LANGUAGE": "sv"}
    done = subprocess.run([sys.executable, "-m", "ubu_tui", "--help"], env=env,
                          capture_output=True, text=True, timeout=120, check=True)
    return done.stdout


def test_help_is_in_swedish_from_a_cold_warm_or_damaged_cache(tmp_path):
    cache = tmp_path / "cache"
    assert _help(cache).startswith("användning: ubu")          # compiled, and remembered
    entries = list((cache / "catalogues").iterdir())
    assert entries
    assert _help(cache).startswith("användning: ubu")          # from the cache
    for entry in entries:
        entry.write_bytes(b"damaged")
    assert _help(cache).startswith("användning: ubu")


async def test_home_counts_every_draft(engine, instrument, setup):
    from tests.ui import new_app
    from ubu_tui.interview import FollowUp
    from ubu_tui.store.drafts import save_draft

    for label in ("Blå ek 1", "Blå ek 2"):
        save_draft(engine, FollowUp.open(instrument, setup), label)
    app = new_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Utkast: 2 ·" in str(app.screen.query_one("#home-status").render())


@pytest.mark.parametrize("argv", [
    ["--municipality", "0180", "--language=en", "--practice"],
    ["--municipality=0180", "--language", "en", "--practice", "--enter-confirms"],
])
def test_the_app_starts_with_its_options_however_they_are_written(monkeypatch, argv):
    import ubu_tui.cli

    started = []
    monkeypatch.setattr(ubu_tui.cli, "run_app", lambda ctx: started.append(ctx.settings) or 0)
    assert ubu_tui.cli.run(argv) == 0
    (settings,) = started
    assert (settings.municipality, settings.language, settings.practice) == ("0180", "en", True)
    assert settings.enter_confirms == ("--enter-confirms" in argv)


def test_a_command_after_the_app_options_is_still_a_command(monkeypatch, capsys):
    import ubu_tui.cli

    monkeypatch.setattr(ubu_tui.cli, "run_app", lambda ctx: pytest.fail("the app started"))
    assert ubu_tui.cli.run(["--municipality", "0180", "help", "report"]) == 0
    assert "--from" in capsys.readouterr().out


@pytest.fixture
def shipped_copy(tmp_path, monkeypatch, own_cache):
    """The shipped instruments as a copy the test may edit, read as if shipped."""
    import ubu_tui.instrument.loader as loader

    copy = tmp_path / "instruments"
    shutil.copytree(SHIPPED.parents[1], copy)
    monkeypatch.setattr(loader, "instruments_dir", lambda: copy)
    return copy / "ubu-vb"


def test_a_remembered_shipped_instrument_is_the_one_loaded_from_its_files(shipped_copy, own_cache):
    from ubu_tui.instrument.loader import _load_shipped

    for version in ("2026.1", "2026.2"):
        folder = shipped_copy / version
        first = _load_shipped(folder)
        assert list((own_cache / "instrument").iterdir())        # remembered
        again = _load_shipped(folder)                             # from the cache
        assert again is not first
        assert again == first == load_instrument(folder)
        assert list(again.items) == list(load_instrument(folder).items)
        assert again.mapping == load_instrument(folder).mapping


def test_an_edited_shipped_instrument_is_loaded_and_screened_afresh(shipped_copy, own_cache):
    from ubu_tui.instrument.loader import _load_shipped

    older, newer = shipped_copy / "2026.1", shipped_copy / "2026.2"
    title = _load_shipped(older).title
    assert _load_shipped(newer).key == "ubu-vb@2026.2"
    meta = older / "instrument.toml"
    meta.write_text(meta.read_text(encoding="utf-8").replace(
        'title = "', 'title = "Ny ', 1), encoding="utf-8")
    assert _load_shipped(older).title == "Ny " + title
    _with_identifier(older)
    with pytest.raises(InstrumentError, match="instrument.toml"):
        _load_shipped(older)
    # the newer version maps from the older one: an edit there is read afresh for it too
    with pytest.raises(InstrumentError, match="2026.1"):
        _load_shipped(newer)


def test_a_damaged_remembered_instrument_is_loaded_afresh(shipped_copy, own_cache):
    from ubu_tui.instrument.loader import _load_shipped

    folder = shipped_copy / "2026.1"
    loaded = _load_shipped(folder)
    for entry in (own_cache / "instrument").iterdir():
        entry.write_bytes(b"damaged")
    assert _load_shipped(folder) == loaded
