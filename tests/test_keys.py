"""No key is lost: a whole set-up and a whole part typed as one burst land where aimed."""

from __future__ import annotations

from tests.keys import burst, plan
from tests.ui import new_app
from ubu_tui.interview.session import Disposition

SETUP = ["n", *"0180", "tab", *"2026-06-01", "tab", *"2026-11-10", "tab", "enter", "down",
         "down", "enter", "tab", *"16", "f4", *"älv", "enter", "ctrl+s"]


async def test_setup_and_a_whole_youth_part_typed_as_one_burst(engine):
    app = new_app(engine, municipality="")
    answers, expected = plan(app.instrument.forms["youth"], enter_confirms=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await burst(pilot, app, [*SETUP, "1", "1", "enter", *answers, "k"])
        assert type(app.screen).__name__ == "FollowUpScreen"
        followup = app.screen.followup
        setup = followup.setup
        assert (setup.municipality, setup.legal_basis, setup.age, setup.unit_id) == (
            "0180", 2, 16, 1003)
        youth = followup.session("youth")
        assert youth.disposition is Disposition.COMPLETED
        assert youth.responses == expected
