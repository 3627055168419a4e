# ruff: noqa: E402   (bytecode is switched on before ubu_tui is imported)
from __future__ import annotations

import os
import sys

# Where the environment says not to write bytecode (these machines set
# PYTHONDONTWRITEBYTECODE=1), every xdist worker and every `ubu` a test starts compiled ubu_tui
# and pytest rewrote the test modules again, each time. Written once into __pycache__ (ignored
# by git), they are read by the rest of the run and by the next one.
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from ubu_tui.instrument import default_instrument
from ubu_tui.interview import FollowUp, Mode, Setup
from ubu_tui.store import make_engine, open_store
from ubu_tui.store.registry import import_units

ROOT = Path(__file__).resolve().parents[1]
DEMO_UNITS = ROOT / "data" / "registry" / "demo-units.csv"
TODAY = date(2026, 11, 22)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slow", action="store_true", help="run the long suites too")


_OWN_CACHE: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    """The start-up cache (ubu_tui/cache.py) of a test run, its subprocesses' too, in a
    temporary folder rather than the user's; before collection, which loads instruments."""
    if not os.environ.get("UBU_CACHE_DIR"):
        import tempfile

        _OWN_CACHE.append(tempfile.mkdtemp(prefix="ubu-test-cache-"))
        os.environ["UBU_CACHE_DIR"] = _OWN_CACHE[0]


def pytest_collection_finish(session: pytest.Session) -> None:
    """Before the first test of this process starts an app."""
    _share_parsed_css()


def _share_parsed_css() -> None:
    """Every app a test starts parses the same stylesheets again: ubu's app.tcss and every
    widget's DEFAULT_CSS, 15 parses (12 kB of CSS, 12 ms of CPU) to show the home screen and
    28 (35 ms) by the follow-up overview, a tenth of the CPU of a test that only starts the
    app and 2 % of one that types a respondent's part. Textual keeps parsed rules per
    Stylesheet only, and builds a new Stylesheet for every app and every reparse. Parsed
    rules are pure data, which Textual's own per-stylesheet cache already hands out again:
    one cache for the process, keyed by everything the parse reads (the CSS text, where it is
    from, its flags and the CSS variables, which differ between themes), gives every app the
    rules it would have parsed. A stylesheet with errors still fails: its parse raises, or
    its rules carry the errors that Stylesheet.parse reports, as before."""
    from textual.css.model import RuleSet
    from textual.css.stylesheet import Stylesheet

    parse_rules = Stylesheet._parse_rules
    shared: dict[tuple[object, ...], list[RuleSet]] = {}

    def _parse_rules(self: Stylesheet, css: str, read_from: object,
                     is_default_rules: bool = False, tie_breaker: int = 0,
                     scope: str = "") -> list[RuleSet]:
        key = (css, read_from, is_default_rules, tie_breaker, scope,
               tuple(self._variables.items()))
        rules = shared.get(key)
        if rules is None:
            rules = shared[key] = parse_rules(self, css, read_from,  # type: ignore[arg-type]
                                              is_default_rules, tie_breaker, scope)
        return rules

    Stylesheet._parse_rules = _parse_rules  # type: ignore[method-assign,assignment]


def pytest_unconfigure(config: pytest.Config) -> None:
    import shutil

    for folder in _OWN_CACHE:
        shutil.rmtree(folder, ignore_errors=True)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """Workers for `-n auto` (the default, see addopts): twice the cores.

    Most tests drive the app with the Pilot, which waits for the app to go idle after every
    key, so a worker is idle most of the time and two per core keep the cores busy.
    PYTEST_XDIST_AUTO_NUM_WORKERS overrides this; `-n 0` runs everything in one process."""
    env = os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS")
    return int(env) if env else 2 * (os.cpu_count() or 1)


@pytest.hookimpl(tryfirst=True)      # before xdist reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        # PostgreSQL roles belong to the whole server: tests that create and grant them must
        # not run at the same time in two workers (`--dist loadgroup` keeps a group together)
        if item.path.name == "test_postgres.py":
            item.add_marker(pytest.mark.xdist_group("postgres-roles"))
    if config.getoption("--slow") or os.environ.get("UBU_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="long suite: run with --slow (CI does)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def instrument():
    return default_instrument()


@pytest.fixture
def setup() -> Setup:
    return Setup(municipality="0180", unit_id=1003, mode=Mode.IN_PERSON, legal_basis=2, age=16,
                 length_band=3, youth_form=True)


@pytest.fixture
def followup(instrument, setup) -> FollowUp:
    return FollowUp.open(instrument, setup)


@pytest.fixture(scope="session")
def demo_store_template() -> Engine:
    """The in-memory demo store, migrated and filled once per process; tests get copies.

    Running every migration and importing the registry took about 0.1 s of CPU per test that
    asks for `engine` — more than many of those tests themselves."""
    eng = open_store("sqlite://")
    import_units(eng, DEMO_UNITS)
    return eng


def _copy(template: Engine) -> Engine:
    """A page-by-page copy (SQLite's backup) of an in-memory template, on an engine from the
    one factory: the same database open_store and import_units would have made."""
    eng = make_engine("sqlite://")
    with template.connect() as source, eng.connect() as target:
        source.connection.driver_connection.backup(target.connection.driver_connection)
    return eng


@pytest.fixture
def engine(demo_store_template: Engine) -> Engine:
    """An in-memory real store with the demo registry."""
    return _copy(demo_store_template)


@pytest.fixture(scope="session")
def practice_store_template() -> Engine:
    eng = open_store("sqlite://", practice=True)
    import_units(eng, DEMO_UNITS)
    return eng


@pytest.fixture
def practice_engine(practice_store_template: Engine) -> Engine:
    """An in-memory practice store with the demo registry."""
    return _copy(practice_store_template)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ubu.sqlite3'}"


def pg_url() -> str | None:
    """A reachable PostgreSQL, or None. CI sets UBU_TEST_PG_URL; the dev machines have one."""
    url = os.environ.get("UBU_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    try:
        import psycopg

        with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), connect_timeout=2):
            return url
    except Exception:
        return None


@pytest.fixture(autouse=True)
def swedish_interface():
    """The interface language is process-wide: every test starts and ends in Swedish."""
    from ubu_tui.i18n import use_language

    use_language("sv")
    yield
    use_language("sv")


@pytest.fixture(autouse=True)
def cycle_collector_on():
    """The app pauses the cycle collector while a key is served and lets it go when the key has
    settled (ubu_tui/typeahead.py); an app a test ends mid-key leaves it paused for the rest of
    the worker, where a real `ubu` process would have ended. Every test starts with it on, as
    a command does (test_bulk checks the import turns it on again after a failure)."""
    import gc

    if not gc.isenabled():
        gc.enable()
    yield


@pytest.fixture
def english(monkeypatch):
    """The layers' messages in English (their catalogue translation), for tests that match
    the wording; Swedish, the default, is checked by test_layer_messages and test_cli_language."""
    from ubu_tui.i18n import use_language

    monkeypatch.setenv("UBU_LANGUAGE", "en")       # for the command line run as a subprocess
    use_language("en")
    yield
    use_language("sv")
