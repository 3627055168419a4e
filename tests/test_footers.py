"""Every label on the footer from the catalogues, and every footer whole at 80 columns."""

from __future__ import annotations

import gettext

import pytest
from textual.widgets import Footer

from tests.keys import burst
from tests.test_keys import SETUP
from tests.ui import new_app
from ubu_tui.i18n import set_translations


class Pseudo(gettext.NullTranslations):
    """A fake language that marks every string that went through the catalogues."""

    def gettext(self, message: str) -> str:
        return f"⟪{message}⟫"

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return f"⟪{singular if n == 1 else plural}⟫"


# Keys to reach each screen from the home screen, one burst each; the screens a caseworker
# sees, dialogs and Textual's own select list included.
JOURNEY = {
    "HomeScreen": [],
    "SetupScreen": ["n"],
    "SelectOverlay": ["tab", "tab", "enter"],            # the Lagrum list open
    "FollowUpScreen": ["escape", "escape", "n", *SETUP[6:]],
    "ConsentScreen": ["1"],
    "QuestionScreen": ["1", "enter"],
    "ChoiceDialog": ["a"],
    "ReviewScreen": ["escape", "j"],
}


def shown_labels(app) -> list[tuple[str, str]]:
    return [(key, active.binding.description) for key, active in
            app.screen.active_bindings.items() if active.binding.show]


async def test_pseudo_locale_every_footer_label_goes_through_the_catalogues(engine):
    app = new_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        set_translations(Pseudo())
        await app.switch_language("sv")          # no-op language, but redraws; then pseudo
        set_translations(Pseudo())
        await burst(pilot, app, ["i", "escape"])  # bindings translated again under pseudo
        from ubu_tui.i18n import translate_bindings

        translate_bindings(app)
        seen = 0
        for where, keys in JOURNEY.items():
            await burst(pilot, app, keys)
            for screen in app.screen_stack:
                translate_bindings(screen)
            labels = shown_labels(app)
            seen += len(labels)
            bare = [(k, d) for k, d in labels if not (d.startswith("⟪") and d.endswith("⟫"))]
            assert not bare, f"{where}: labels that bypass the catalogues: {bare}"
        assert seen > 20


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_footers_fit_at_80_columns(engine, language):
    app = new_app(engine, language=language)
    async with app.run_test(size=(80, 24)) as pilot:
        for where, keys in JOURNEY.items():
            await burst(pilot, app, keys)
            assert type(app.screen).__name__ == where or where == "SelectOverlay"
            for footer in app.screen.query(Footer):
                for _ in range(50):               # the footer fills in after a refresh
                    if footer.children:
                        break
                    await pilot.pause()
                assert footer.children, f"{where}: empty footer"
                right = max(key.region.right for key in footer.children)
                assert right <= footer.region.right, f"{where} ({language}): footer cut"
