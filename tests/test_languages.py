"""Languages: catalogues complete and current, interpreter mode side by side, fallbacks marked
and noted in the record, an English interface."""

from __future__ import annotations

from babel.messages.pofile import read_po
from sqlalchemy import text

from tests.conftest import ROOT
from tests.ui import answer_until_review, new_app, press, run_session, start_followup
from ubu_tui.i18n import LANGUAGES, SOURCE, locales_dir, status
from ubu_tui.instrument.babel_extract import entries

LANGS = [lang for lang in LANGUAGES if lang != SOURCE]


def current_instrument_strings() -> set[tuple[str, str]]:
    """What the instrument files say now, as (context, Swedish): extracted the way pybabel does.

    Two versions may hold the same context with different wording (2026.1 and 2026.2 both ask
    y_influence); each wording is its own catalogue entry, so both are wanted."""
    out: set[tuple[str, str]] = set()
    for path in sorted((ROOT / "data" / "instruments").glob("*/*/*.toml")):
        out.update((ctx, txt) for _line, ctx, txt in entries(path.read_text()) if txt)
    return out


def test_every_catalogue_has_every_instrument_string_current():
    """Fails when a wording changed without its translation being checked (fuzzy or stale),
    or a string is missing, except the entries a catalogue marks as left in Swedish."""
    wanted = current_instrument_strings()
    for lang in LANGS:
        st = status(lang)
        assert st.draft, f"{lang}: draft translations must say so until reviewed"
        with (locales_dir() / lang / "LC_MESSAGES" / "instrument.po").open("rb") as fp:
            catalog = read_po(fp, locale=lang)
        have = {(m.context, m.id): m for m in catalog if m.id}
        problems = []
        for ctx, swedish in sorted(wanted):
            if st.excluded(ctx):
                continue
            m = have.get((ctx, swedish))
            if m is None or not m.string:
                problems.append(f"{ctx}: missing")
            elif m.fuzzy:
                problems.append(f"{ctx}: stale (the Swedish changed)")
        assert not problems, f"{lang}: " + "; ".join(problems[:10])


async def test_interpreter_mode_swedish_and_somali_side_by_side(engine):
    app = new_app(engine)
    async with app.run_test(size=(100, 30)) as pilot:
        await start_followup(pilot)
        await press(pilot, "2")                         # the guardian
        for _ in range(3):                              # sv → en → fi → so
            await press(pilot, "l")
        assert "Soomaali" in str(app.screen.query_one("#consent-mode").render())
        assert "Waxaan la socotaa" in str(app.screen.query_one("#consent-translated").render())
        await press(pilot, "1", "enter")
        view = app.screen.query_one("#q-translated")
        assert view.display and "Soomaali" in view.border_title
        assert "Ma lagu ogeysiiyay" in str(view.render())
        assert "Fick du veta" in str(app.screen.query_one("#q-wording").render())
        options = str(app.screen.query_one("#q-options").render())
        assert "Mest ja" in options and "Badanaa haa" in options
        await answer_until_review(pilot, app)
        await press(pilot, "k")
        await run_session(pilot, app, "1")
        await run_session(pilot, app, "3")
        await press(pilot, "s", "ctrl+s")
        assert type(app.screen).__name__ == "HomeScreen"
    with engine.connect() as conn:
        rows = dict(conn.execute(text("SELECT respondent, language || '|' || adhoc "
                                      "FROM session_record")).all())
    assert rows == {"guardian": "so|", "youth": "sv|", "caseworker": "sv|"}


async def test_missing_translation_falls_back_visibly_and_is_noted(engine, monkeypatch):
    import ubu_tui.instrument.translation as translation

    real = translation.wording

    def without_one(language, context, swedish):
        return None if context == "guardian.g_informed_why.text" else real(language, context,
                                                                       swedish)

    monkeypatch.setattr(translation, "wording", without_one)
    app = new_app(engine)
    async with app.run_test(size=(100, 30)) as pilot:
        await start_followup(pilot)
        await press(pilot, "2", "l", "1", "enter")      # English
        session = app.screen.session
        view = str(app.screen.query_one("#q-translated").render())
        assert "Ingen aktuell översättning" in view      # Swedish shown, never a blank
        await press(pilot, "4", "enter")
        view = str(app.screen.query_one("#q-translated").render())
        assert "Were you allowed to take part in planning" in view   # the next item is translated
        assert session.adhoc == {"g_informed_why"}             # noted for the record


async def test_arabic_reads_right_to_left_in_the_terminal(engine):
    from ubu_tui.i18n import bidi

    app = new_app(engine)
    async with app.run_test(size=(100, 30)) as pilot:
        await start_followup(pilot)
        await press(pilot, "1", "l", "l", "l", "l")      # youth, Arabic
        await press(pilot, "1", "enter")
        shown = str(app.screen.query_one("#q-translated").render())
        logical = "هل فهمت لماذا كان عليك أن تعيش هناك؟"
        assert bidi(logical, "ar") in shown                # visual order, joined forms
        assert logical not in shown


def test_the_english_interface_catalogue_is_complete():
    with (locales_dir() / "en" / "LC_MESSAGES" / "ubu.po").open("rb") as fp:
        catalog = read_po(fp, locale="en")
    with (locales_dir() / "ubu.pot").open("rb") as fp:
        template = read_po(fp)
    wanted = {m.id for m in template if m.id}
    have = {m.id for m in catalog if m.id and m.string and not m.fuzzy and all(m.string)}
    assert not wanted - have, sorted(map(str, wanted - have))[:10]


async def test_a_follow_up_with_an_english_interface(engine):
    app = new_app(engine, language="en")
    async with app.run_test(size=(100, 30)) as pilot:
        menu = str(app.screen.query_one("#home-menu").get_option_at_index(0).prompt)
        assert menu == "n  New follow-up"
        await start_followup(pilot)
        assert "Each part is done on its own" in str(app.screen.query_one(".muted").render())
        await press(pilot, "1", "1", "enter")
        assert app.screen.query_one("#q-wording").border_title == "READ OUT"
        assert any(b.description == "Confirm" for _k, b in app.screen._bindings)
        await answer_until_review(pilot, app)
        await press(pilot, "k")
        await run_session(pilot, app, "2", consent="3")
        await run_session(pilot, app, "3")
        await press(pilot, "s")
        assert "codes only" in str(app.screen.query_one(".title").render())
        await press(pilot, "ctrl+s")
        assert type(app.screen).__name__ == "HomeScreen"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM submission")).scalar() == 1


def test_numbers_and_dates_follow_the_interface_locale():
    from datetime import date

    from ubu_tui.i18n import format_date, format_number, use_language

    assert format_number(3.6178) == "3,62"
    use_language("en")
    assert format_number(3.6178) == "3.62"
    assert format_date(date(2026, 11, 23)) == "Nov 23, 2026"


def test_paper_forms_in_every_language(tmp_path):
    from ubu_tui.__main__ import run

    for lang in LANGUAGES:
        for respondent in ("youth", "guardian"):
            out = tmp_path / f"{respondent}-{lang}.html"
            assert run(["paper-form", respondent, str(out), "--in", lang]) == 0
            page = out.read_text()
            assert page.count("class='box'") >= 60
            assert ("dir='rtl'" in page) == (lang == "ar")
            assert ("Utkast till översättning" in page) == (lang != "sv")
    somali = (tmp_path / "guardian-so.html").read_text()
    assert "Ma lagu ogeysiiyay sababta" in somali and "Fick du veta varför" not in somali


async def test_interface_language_switched_in_settings_and_back(engine):
    app = new_app(engine)
    async with app.run_test(size=(100, 30)) as pilot:
        await press(pilot, "i")
        assert type(app.screen).__name__ == "SettingsScreen"
        await press(pilot, "tab", "down", "enter")           # the language list: English
        assert app.settings.language == "en"
        assert any(b.description == "Back" for _k, b in app.screen._bindings)
        await press(pilot, "escape")
        menu = app.screen.query_one("#home-menu")
        assert str(menu.get_option_at_index(0).prompt) == "n  New follow-up"
        await press(pilot, "i", "tab", "enter")              # back to svenska
        await press(pilot, "escape")
        assert str(app.screen.query_one("#home-menu").get_option_at_index(0).prompt) == \
            "n  Ny uppföljning"
        assert any(b.description == "Ny uppföljning" for _k, b in app.screen._bindings)
