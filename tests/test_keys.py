"""No key is lost: a whole set-up and a whole part typed as one burst land where aimed."""

from __future__ import annotations

from tests.keys import burst, plan
from tests.ui import new_app
from ubu_tui.instrument.paper import on_paper
from ubu_tui.interview.session import Consent, Disposition, Mode

SETUP = ["n", *"0180", "tab", *"2026-06-01", "tab", *"2026-11-10", "tab", "enter", "down",
         "down", "enter", "tab", *"16", "f4", *"älv", "enter", "ctrl+s"]
# the same with the mode "paper form" chosen: Tab past the unaccompanied list and the unit
# button to the mode list; paper is the fifth mode
PAPER_SETUP = [*SETUP[:-6], "tab", "tab", "tab", "enter", "down", "down", "down", "down",
               "enter", *SETUP[-6:]]


async def test_setup_and_a_whole_youth_part_typed_as_one_burst(engine):
    app = new_app(engine, municipality="")
    answers, expected = plan(app.instrument.forms["youth"])
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


async def test_enter_confirms_setting_types_digit_then_enter(engine):
    app = new_app(engine, enter_confirms=True)
    answers, expected = plan(app.instrument.forms["guardian"], enter_confirms=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await burst(pilot, app, ["n", *SETUP[6:], "2", "1", "enter", *answers, "k"])
        guardian = app.screen.followup.session("guardian")
        assert guardian.disposition is Disposition.COMPLETED
        assert guardian.responses == expected


async def test_paper_entry_in_at_most_30_keys_with_the_papers_own_numbers(engine):
    app = new_app(engine)
    form = app.instrument.forms["youth"]
    answers, expected = plan(form, blank_every=6)
    part = ["1", "1", "enter", *answers, "k"]      # open, "came back filled in", items, close
    assert len(part) <= 30 and len([i for i in form.items if on_paper(i)]) >= 23
    async with app.run_test(size=(80, 24)) as pilot:
        await burst(pilot, app, ["n", *PAPER_SETUP[6:], *part])
        youth = app.screen.followup.session("youth")
        assert youth.mode is Mode.PAPER and youth.consent is Consent.SELF_COMPLETED
        assert youth.disposition is Disposition.COMPLETED
        assert youth.responses == expected
        assert any(r.code == -1 for r in expected.values())     # blanks, one key each


async def test_paper_numbers_follow_the_paper_not_the_routing(engine):
    app = new_app(engine)
    form = app.instrument.forms["youth"]
    routed = next(i for i in form.items if i.show_if)
    gate = form.items[form.index_of(routed.show_if[0].item)]
    skip = next(o.code for o in gate.options if o.code not in routed.show_if[0].values)
    after = next(i for i in form.items[form.index_of(gate.id) + 1:]
                 if all(c.item != gate.id for c in i.show_if))
    before = form.items[:form.index_of(gate.id)]
    keys = ["4" if i.type.value == "scale" else "1" for i in before]
    async with app.run_test(size=(80, 24)) as pilot:
        await burst(pilot, app, ["n", *PAPER_SETUP[6:], "1", "1", "enter", *keys, str(skip)])
        assert app.screen.item is after
        header = str(app.screen.query_one("#q-header").render())
        paper = [i.id for i in form.items if on_paper(i)]
        number = paper.index(after.id) + 1
        assert f"fråga {number} av {len(paper)}" in header
        assert "LÄS UPP" not in app.screen.query_one("#q-wording").border_title
        assert "läs inte upp" not in str(app.screen.query_one("#q-options").render())


async def test_caseworker_part_is_the_caseworkers_own_questions_prefilled(engine):
    app = new_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await burst(pilot, app, ["n", *SETUP[6:], "3"])
        assert type(app.screen).__name__ == "QuestionScreen"      # no consent step
        screen = app.screen
        assert screen.session.consent is Consent.GIVEN
        prefilled = [i for i in screen.session.form.items if i.prefill]
        assert prefilled and all(i.id in screen.session.responses for i in prefilled)
        seen = []
        for _ in range(len(screen.session.form.items)):
            item = screen.item
            if item is None or item.prefill:
                break
            seen.append(str(screen.query_one("#q-options").render()))
            assert "LÄS UPP" not in screen.query_one("#q-wording").border_title
            await burst(pilot, app, ["1"])
        assert item is not None and item.prefill
        assert screen.pending == screen.session.responses[item.id]   # shown, Enter confirms
        assert not any("läs inte upp" in text.lower() for text in seen)


async def test_interview_language_can_change_at_any_item(engine):
    app = new_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await burst(pilot, app, ["n", *SETUP[6:], "1", "1", "enter", "4", "4", "l"])
        screen = app.screen
        assert screen.session.language == "en" and len(screen.session.responses) == 2
        assert screen.query_one("#q-translated").display
        await burst(pilot, app, ["4"])
        assert screen.followup.session("youth").language == "en"


async def test_enter_confirms_can_be_chosen_in_settings(engine):
    app = new_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await burst(pilot, app, ["i"])
        app.screen.query_one("#answer-keys").focus()
        await burst(pilot, app, ["down", "enter"])
        assert app.settings.enter_confirms
