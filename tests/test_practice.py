"""Practice: every shipped scenario played through the UI, by the key and with mistakes; practice
data never reaches the real store; scenario files are validated like instruments."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import DEMO_UNITS
from tests.ui import new_app, press, type_keys
from ubu_tui.__main__ import run
from ubu_tui.errors import InstrumentError, StoreError
from ubu_tui.instrument.model import NONRESPONSE_BY_CODE, AnswerType, Item
from ubu_tui.interview.session import BreakReason, Consent, Response
from ubu_tui.practice.scenario import Scenario, load_all, parse_text
from ubu_tui.practice.trainer import trainer_view
from ubu_tui.store import open_store
from ubu_tui.store.registry import import_units
from ubu_tui.widgets.question import NONRESPONSE_KEYS

SCENARIOS = load_all()
CONSENT_KEYS = {Consent.GIVEN: "1", Consent.DECLINED: "2", Consent.NOT_REACHABLE: "3",
                Consent.YOUTH_OBJECTS: "4"}
RESPONDENT_KEYS = {"youth": "1", "guardian": "2", "caseworker": "3"}




def keys_for(item: Item, response: Response, prefilled: Response | None) -> list[str]:
    """The keys a trainee presses to record `response` on `item`: one, except for lists of
    methods and numbers, which have their own entry."""
    if prefilled == response:
        return ["enter"]
    if response.code < 0:
        return [NONRESPONSE_KEYS[NONRESPONSE_BY_CODE[response.code].key]]
    if item.type is AnswerType.MULTI:
        return [str(m) for m, applied in response.methods for _ in range(applied)] + ["enter"]
    if item.type is AnswerType.AGE:
        return [*str(response.code), "enter"]
    return [str(response.code)]


Mutate = Callable[[str, Item, Response], Response]


def by_key(_respondent: str, _item: Item, key: Response) -> Response:
    return key


async def play(pilot, app, scenario: Scenario, *, judge_due: bool | None = None,
               mutate: Mutate = by_key, consent: dict[str, Consent] | None = None,
               break_reason: dict[str, BreakReason] | None = None) -> None:
    """From home: open practice, pick the scenario, run every scripted session, ask for
    feedback. The defaults play exactly by the key. Keys are typed as fast as the type-ahead
    takes them (tests/ui.py); what is asserted is the feedback, not the pace."""
    await type_keys(pilot, "o")
    assert type(app.screen).__name__ == "PracticeScreen"
    await type_keys(pilot, *["down"] * SCENARIOS.index(scenario), "enter")
    assert type(app.screen).__name__ == "BriefScreen"
    due = scenario.eligibility_due if judge_due is None else judge_due
    await type_keys(pilot, "s" if due else "i")
    if not due or not scenario.eligibility_due:
        return
    for respondent, script in scenario.scripts.items():
        assert type(app.screen).__name__ == "FollowUpScreen"
        await type_keys(pilot, RESPONDENT_KEYS[respondent])
        chosen = (consent or {}).get(respondent, script.consent)
        if respondent != "caseworker":          # the caseworker's part has no consent step
            await type_keys(pilot, CONSENT_KEYS[chosen], "enter")
            if type(app.screen).__name__ == "ChoiceDialog":     # why they declined
                await type_keys(pilot, str(script.decline_reason or 1))
        if chosen is not Consent.GIVEN:
            continue
        session = app.screen.session
        for _ in range(80):
            item = getattr(app.screen, "item", None)
            if type(app.screen).__name__ != "QuestionScreen" or item is None:
                break
            if item.id == script.break_at:
                reason = (break_reason or {}).get(respondent, script.break_reason)
                await type_keys(pilot, "a", str(int(reason)))
                break
            line = script.lines.get(item.id)
            key = line.key if line else session.responses[item.id]
            await type_keys(pilot, *keys_for(item, mutate(respondent, item, key),
                                         session.responses.get(item.id)))
            if type(app.screen).__name__ == "NoticeDialog":     # the sensitive item's notice
                await type_keys(pilot, "enter")
        if type(app.screen).__name__ == "ReviewScreen":
            await type_keys(pilot, "k")
    assert type(app.screen).__name__ == "FollowUpScreen"
    await type_keys(pilot, "s")


def stored(engine, sql: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
async def test_playing_by_the_key_scores_full(scenario, engine, practice_engine):
    app = new_app(engine, practice_engine=practice_engine)
    async with app.run_test(size=(100, 40)) as pilot:
        await play(pilot, app, scenario)
        assert type(app.screen).__name__ == "FeedbackScreen"
        feedback = app.screen.feedback
        assert feedback.mistakes == ()
        assert feedback.score == 100
        shown = str(app.screen.query_one("#feedback").render())
        assert "100 av 100" in shown and "Inga fel" in shown
        await press(pilot, "enter")
        assert type(app.screen).__name__ == "PracticeScreen"
    rows = stored(practice_engine, "SELECT scenario, score FROM practice_result")
    assert rows == [(scenario.id, 100)]
    assert stored(practice_engine, "SELECT count(*) FROM draft") == [(0,)]   # the run is done


def first_valued_item(scenario: Scenario, respondent: str) -> str:
    return next(i for i, line in scenario.scripts[respondent].lines.items()
                if line.key.code > 0 and not line.key.methods)


def other_code(item: Item, code: int) -> int:
    return next(o.code for o in item.options if o.code != code)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
async def test_every_mistake_is_reported(scenario, engine, practice_engine):
    """Each scenario played with deliberate mistakes: every one appears in the feedback."""
    expected: set[tuple[str, str | None]] = set()
    kwargs: dict = {}
    if not scenario.eligibility_due:
        kwargs["judge_due"] = True
        expected.add(("eligibility", None))
    else:
        respondent, script = next(iter(scenario.scripts.items()))
        if script.consent is not Consent.GIVEN:
            wrong = Consent.DECLINED if script.consent is not Consent.DECLINED else \
                Consent.NOT_REACHABLE
            kwargs["consent"] = {respondent: wrong}
            expected.add(("consent", None))
        else:
            changed = first_valued_item(scenario, respondent)
            refused = next((i for i, line in script.lines.items() if line.key.code < 0
                            and i != changed), None)
            valued_nr = next(i for i, line in script.lines.items() if line.key.code > 0
                             and i != changed and not line.key.methods
                             and "dont_know" in scenario.instrument.item(i).nonresponse)

            def mutate(who: str, item: Item, key: Response) -> Response:
                if item.id == changed:
                    return Response(other_code(item, key.code))
                if item.id == valued_nr:
                    return Response(NONRESPONSE_KEY_CODE)
                if item.id == refused:
                    return Response(item.options[0].code)
                return key

            kwargs["mutate"] = mutate
            expected |= {("different_code", changed), ("nonresponse_for_value", valued_nr)}
            if refused:
                expected.add(("value_for_nonresponse", refused))
            if script.break_at:
                kwargs["break_reason"] = {respondent: BreakReason.OTHER}
                expected.add(("break", script.break_at))
    app = new_app(engine, practice_engine=practice_engine)
    async with app.run_test(size=(100, 40)) as pilot:
        await play(pilot, app, scenario, **kwargs)
        assert type(app.screen).__name__ == "FeedbackScreen"
        feedback = app.screen.feedback
        assert {(m.kind, m.item_id) for m in feedback.mistakes} == expected
        assert feedback.score < 100
        shown = str(app.screen.query_one("#feedback").render())
        assert shown.count("✘") == len(expected)
    assert stored(practice_engine, "SELECT mistakes FROM practice_result") == [(len(expected),)]


NONRESPONSE_KEY_CODE = -2   # "don't know"


async def test_sensitive_item_coded_wrong_is_called_out(engine, practice_engine):
    scenario = next(s for s in SCENARIOS if s.id == "ungdom-krankning")

    def wrong(_who: str, item: Item, key: Response) -> Response:
        return Response(2) if item.sensitive else key

    app = new_app(engine, practice_engine=practice_engine)
    async with app.run_test(size=(100, 40)) as pilot:
        await play(pilot, app, scenario, mutate=wrong)
        assert app.screen.feedback.sensitive_ok is False
        assert "Den känsliga frågan: fel registrerad" in str(
            app.screen.query_one("#feedback").render())


async def test_solo_practice_shows_the_line_guidance_and_watermark(engine, practice_engine):
    scenario = SCENARIOS[0]
    app = new_app(engine, practice_engine=practice_engine)
    async with app.run_test(size=(100, 40)) as pilot:
        await press(pilot, "o", "enter", "s", "1")
        assert type(app.screen).__name__ == "ConsentScreen"
        assert scenario.scripts["youth"].consent_says in _texts(app.screen)
        await press(pilot, "1", "enter")
        screen = app.screen
        first = scenario.scripts["youth"].lines[screen.item.id]
        assert first.says in str(screen.query_one("#q-says").render())
        assert "Övningsstöd" in str(screen.query_one("#q-guidance").render())
        assert "ÖVNING" in str(screen.query_one(".watermark").render())


async def test_with_a_trainer_the_lines_stay_off_the_trainees_screen(engine, practice_engine):
    scenario = SCENARIOS[0]
    app = new_app(engine, practice_engine=practice_engine)
    async with app.run_test(size=(100, 40)) as pilot:
        await press(pilot, "o", "t", "enter", "s", "1", "1", "enter")
        screen = app.screen
        line = scenario.scripts["youth"].lines[screen.item.id]
        assert not screen.query_one("#q-says").display
        view = trainer_view(practice_engine, SCENARIOS)      # what the second terminal shows
        assert line.says in view and screen.item.id in view
        from ubu_tui.interview.keys import keys_for

        assert f"tryck {keys_for(line.key)}" in view        # the key itself, not a code name
        await press(pilot, "5")
        assert screen.item.id in trainer_view(practice_engine, SCENARIOS)   # it follows along


def _texts(screen) -> str:
    return "\n".join(str(w.render()) for w in screen.query("Static"))


async def test_practice_never_reaches_the_real_store(tmp_path: Path):
    """Real and practice stores are separate files; a whole practice leaves the real one as
    it was, and the practice store refuses submission and export."""
    real_url = f"sqlite:///{tmp_path / 'ubu.sqlite3'}"
    practice_url = f"sqlite:///{tmp_path / 'practice.sqlite3'}"
    real = open_store(real_url)
    import_units(real, DEMO_UNITS)
    before = {t: stored(real, f"SELECT count(*) FROM {t}") for t in
              ("draft", "submission", "answer_record", "practice_result")}
    practice = open_store(practice_url, practice=True)
    import_units(practice, DEMO_UNITS)
    app = new_app(real, practice_engine=practice)
    async with app.run_test(size=(100, 40)) as pilot:
        await play(pilot, app, SCENARIOS[2])
        assert type(app.screen).__name__ == "FeedbackScreen"
        await press(pilot, "enter", "escape")
        assert type(app.screen).__name__ == "HomeScreen"
        assert app.engine is real and not app.settings.practice
    after = {t: stored(real, f"SELECT count(*) FROM {t}") for t in before}
    assert after == before
    assert stored(practice, "SELECT count(*) FROM practice_result") == [(1,)]
    assert not (tmp_path / "ubu.sqlite3").read_bytes().count(SCENARIOS[2].id.encode())
    out = tmp_path / "export.jsonl"
    assert run(["--database-url", real_url, "export", str(out)]) == 0
    assert out.read_text() == ""
    with pytest.raises(StoreError, match="practice"):
        run(["--database-url", practice_url, "export", str(out)])
    with pytest.raises(StoreError, match="practice"):
        open_store(practice_url)        # a practice store is never opened as a real one


async def test_free_practice_cannot_be_submitted(practice_engine):
    """Started with --practice and no scenario: the follow-up runs, but `s` never submits."""
    from tests.ui import run_session, start_followup

    app = new_app(practice_engine, practice=True)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "PracticeScreen"     # --practice opens practice
        await press(pilot, "escape")
        await start_followup(pilot)
        for key in ("1", "2", "3"):
            await run_session(pilot, app, key)
        await press(pilot, "s")
        assert type(app.screen).__name__ == "FollowUpScreen"
    assert stored(practice_engine, "SELECT count(*) FROM submission") == [(0,)]


# --- scenario files are validated like instruments ------------------------------------------

GOOD = (Path(__file__).parents[1] / "data" / "scenarios" / "04-ungdom-vet-inte.toml").read_text()

BAD = {
    "unknown item": (GOOD.replace("y_safe =", "y_saftey ="), "y_saftey"),
    "unknown option": (GOOD.replace('y_safe = { says = "Ja.", key = 5 }',
                                    'y_safe = { says = "Ja.", key = 7 }'), "y_safe"),
    "unknown non-response": (GOOD.replace('key = "dont_know" }', 'key = "maybe" }', 1),
                             "maybe"),
    "missing line": (GOOD.replace('y_safe = { says = "Ja.", key = 5 }\n', ""), "y_safe"),
    "guardian item in youth": (GOOD.replace("y_safe =", "g_informed ="), "g_informed"),
    "bad consent": (GOOD.replace('consent = "given"', 'consent = "yes"'), "consent"),
    "unknown instrument": (GOOD.replace("ubu-vb@2026.2", "ubu-vb@1999.9"), "1999.9"),
    "unknown key": (GOOD.replace("[placement]", "colour = 3\n[placement]"), "colour"),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
@pytest.mark.usefixtures("english")
def test_bad_scenario_is_rejected_with_where_and_what(case):
    raw, needle = BAD[case]
    with pytest.raises(InstrumentError) as err:
        parse_text(raw)
    message = str(err.value)
    assert needle in message and "scenario.toml" in message


def test_check_scenario_command(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD["unknown item"][0])
    with pytest.raises(InstrumentError):
        run(["check-scenario", str(bad)])
    from ubu_tui.practice.scenario import scenarios_dir

    assert run(["check-scenario", *map(str, sorted(scenarios_dir().glob("*.toml")))]) == 0
    assert capsys.readouterr().out.count(": giltigt (") == len(SCENARIOS)


@pytest.mark.usefixtures("english")
def test_scores_are_listed_for_the_trainer(tmp_path, capsys, monkeypatch):
    from datetime import date

    from ubu_tui.store.practice import Score, save_result

    url = f"sqlite:///{tmp_path / 'p.sqlite3'}"
    monkeypatch.setenv("UBU_PRACTICE_DATABASE_URL", url)
    practice = open_store(url, practice=True)
    save_result(practice, Score("ungdom-avbryter", 83, 12, 2, 301), participant=4,
                day=date(2026, 11, 23))
    assert run(["practice-scores"]) == 0
    out = capsys.readouterr().out
    assert "ungdom-avbryter" in out and " 83 " in out and "5:01" in out
    with pytest.raises(StoreError, match="practice store only"):
        save_result(open_store(f"sqlite:///{tmp_path / 'r.sqlite3'}"), Score("x", 1, 1, 0, 0),
                    participant=None, day=date(2026, 11, 23))


async def test_a_digit_picks_a_scenario(engine, practice_engine):
    app = new_app(engine, practice_engine=practice_engine)
    async with app.run_test(size=(100, 40)) as pilot:
        await press(pilot, "o", "2")
        assert type(app.screen).__name__ == "BriefScreen"
        assert app.screen.run.scenario.id == SCENARIOS[1].id


@pytest.mark.usefixtures("english")
def test_an_answer_key_that_contradicts_itself_is_refused():
    """The same words on the same scale must be the same code, or the trainee learns noise."""
    bad = GOOD.replace('y_privacy = { says = "Ja.", key = 5 }',
                       'y_privacy = { says = "Ja.", key = 4 }')
    assert bad != GOOD
    with pytest.raises(InstrumentError, match="y_privacy.*«Ja.» is 4 here but 5"):
        parse_text(bad)
