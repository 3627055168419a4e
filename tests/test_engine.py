"""The interview engine: answer types, non-response, routing, consent, break-off, records."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import answer_all, complete_all, first_answer
from ubu_tui.instrument import default_instrument
from ubu_tui.instrument.loader import instrument_by_version
from ubu_tui.instrument.model import NONRESPONSE, NOT_REACHED_CODE, SKIPPED_CODE, AnswerType
from ubu_tui.interview import (
    AnswerRejected,
    BreakReason,
    Consent,
    Disposition,
    FollowUp,
    OutcomeKind,
    Response,
    Setup,
    check,
)
from ubu_tui.interview.eligibility import LegalBasis


def outcome_of(session, item_id):
    return next(o for o in session.outcomes() if o.item_id == item_id)


@pytest.mark.parametrize("version,sizes,indices", [
    ("2026.1", {"youth": 24, "guardian": 20, "caseworker": 47},
     {"goal", "safety", "school", "network", "competence", "planning", "living", "health",
      "goal_health", "goal_education", "goal_emotional", "goal_identity", "goal_family",
      "goal_social", "goal_selfcare"}),
    ("2026.2", {"youth": 25, "guardian": 21, "caseworker": 51},
     {"goal_attainment", "change", "safety_care", "school", "contacts", "cooperation",
      "competence", "unit_planning", "everyday_life", "health_access"}),
])
def test_shipped_instrument_has_the_forms_of_the_domain(version, sizes, indices):
    instrument = instrument_by_version("ubu-vb", version)
    assert {r: len(f.items) for r, f in instrument.forms.items()} == sizes
    types = {i.type for i in instrument.items.values()}
    assert types == set(AnswerType)
    assert [i.id for i in instrument.items.values() if i.sensitive] == ["y_violation"]
    assert {ix.id for ix in instrument.indices} == indices
    # 2026.2 dropped the single-item "indices": every index combines several questions
    if version == "2026.2":
        assert all(len(ix.items) > 2 for ix in instrument.indices)


def test_the_newest_version_is_the_default(instrument):
    assert instrument.key == "ubu-vb@2026.2" and instrument.national


def test_open_prefills_the_caseworker_items_from_setup(followup):
    cw = followup.session("caseworker")
    assert cw.responses["cw_unit"] == Response(1003)
    assert cw.responses["cw_age"] == Response(16)
    assert cw.responses["cw_legal_basis"] == Response(2)
    assert cw.responses["cw_length"] == Response(3)


@pytest.mark.parametrize("item_id,good,bad", [
    ("y_safe", [1, 3, 5], [0, 6]),                       # 1–5 scale
    ("cw_reason", [1, 8], [0, 9]),                       # single choice
    ("cw_age", [0, 16, 25], [26]),                       # age in whole years
])
def test_each_answer_type_accepts_its_codes_only(followup, item_id, good, bad):
    item = followup.instrument.item(item_id)
    session = followup.session(item.respondent)
    for code in good:
        session.check(item, Response(code))
    for code in bad:
        with pytest.raises(AnswerRejected):
            session.check(item, Response(code))


def test_multiple_choice_records_methods_with_applied_as_intended(followup):
    cw = followup.session("caseworker")
    item = followup.instrument.item("cw_methods")
    cw.check(item, Response(2, ((1, 1), (6, 2))))
    for bad in (Response(1, ((1, 9),)), Response(2, ((1, 1), (1, 2))), Response(3, ((1, 1),)),
                Response(1, ((42, 1),))):
        with pytest.raises(AnswerRejected):
            cw.check(item, bad)
    cw.check(item, Response(0))      # none of these
    answer_all(cw)
    cw.complete()
    out = outcome_of(cw, "cw_methods")
    assert out.kind is OutcomeKind.VALUE and out.methods == ((1, 1), (2, 2))


def test_unit_item_needs_a_registry_id(followup):
    cw = followup.session("caseworker")
    with pytest.raises(AnswerRejected):
        cw.check(followup.instrument.item("cw_unit"), Response(0))


@pytest.mark.parametrize("key", list(NONRESPONSE))
def test_every_nonresponse_code_is_kept_apart(followup, key):
    code = NONRESPONSE[key].code
    target = next(i for i in followup.instrument.items.values()
                  if key in i.nonresponse and i.respondent == "youth" and not i.show_if)
    youth = followup.session("youth")
    youth.set_consent(Consent.GIVEN)
    youth.jump(target.id)
    youth.answer(Response(code))
    answer_all(youth)
    youth.complete()
    out = outcome_of(youth, target.id)
    assert (out.kind, out.code) == (OutcomeKind.NONRESPONSE, code)


def test_nonresponse_not_offered_by_an_item_is_refused(followup):
    youth = followup.session("youth")
    youth.set_consent(Consent.GIVEN)
    assert youth.current.id == "y_understood_why"    # has no "not applicable"
    with pytest.raises(AnswerRejected):
        youth.answer(Response(NONRESPONSE["not_applicable"].code))


def test_routing_skips_school_items_when_not_in_school(followup):
    youth = followup.session("youth")
    youth.set_consent(Consent.GIVEN)
    youth.jump("y_school_attend")
    youth.answer(Response(2))
    assert youth.current.id == "y_contact_parents"
    answer_all(youth)
    youth.complete()
    for item_id in ("y_school_help", "y_school_progress"):
        assert outcome_of(youth, item_id).kind is OutcomeKind.SKIPPED
        assert outcome_of(youth, item_id).code == SKIPPED_CODE


def test_routing_shows_school_items_when_in_school(followup):
    youth = followup.session("youth")
    youth.set_consent(Consent.GIVEN)
    youth.jump("y_school_attend")
    youth.answer(Response(1))
    assert youth.current.id == "y_school_help"


def test_changing_the_routing_answer_later_skips_what_was_answered(followup):
    youth = followup.session("youth")
    answer_all(youth)                                   # attended school: items answered
    youth.jump("y_school_attend")
    youth.answer(Response(2))
    youth.complete()
    assert outcome_of(youth, "y_school_help").kind is OutcomeKind.SKIPPED


def test_back_goes_to_the_previous_shown_item(followup):
    youth = followup.session("youth")
    youth.set_consent(Consent.GIVEN)
    youth.jump("y_school_attend")
    youth.answer(Response(2))
    youth.back()
    assert youth.current.id == "y_school_attend"


def test_jump_to_a_skipped_item_is_refused(followup):
    youth = followup.session("youth")
    youth.set_consent(Consent.GIVEN)
    youth.jump("y_school_attend")
    youth.answer(Response(2))
    with pytest.raises(AnswerRejected):
        youth.jump("y_school_help")


@pytest.mark.usefixtures("english")
def test_complete_needs_every_shown_item(followup):
    youth = followup.session("youth")
    youth.set_consent(Consent.GIVEN)
    youth.answer(Response(4))
    with pytest.raises(AnswerRejected, match="Not yet answered"):
        youth.complete()


def test_break_off_records_the_rest_as_not_reached(followup):
    youth = followup.session("youth")
    youth.set_consent(Consent.GIVEN)
    for _ in range(5):
        youth.answer(first_answer(youth.current))
    youth.break_off(BreakReason.LINE_DROPPED)
    out = youth.outcome()
    assert out.disposition is Disposition.BROKE_OFF and out.break_reason == 2
    kinds = [o.kind for o in out.items]
    assert kinds[:5] == [OutcomeKind.VALUE] * 5
    assert set(kinds[5:]) == {OutcomeKind.NOT_REACHED}
    # routed items after the break: their condition was never asked, so not reached, not skipped
    assert outcome_of(youth, "y_school_help").code == NOT_REACHED_CODE
    with pytest.raises(AnswerRejected):
        youth.answer(Response(3))


@pytest.mark.parametrize("consent,disposition", [
    (Consent.DECLINED, Disposition.DECLINED),
    (Consent.NOT_REACHABLE, Disposition.NOT_REACHABLE),
])
def test_declining_records_dropout_and_asks_nothing(followup, consent, disposition):
    guardian = followup.session("guardian")
    reason = 2 if consent is Consent.DECLINED else None
    guardian.set_consent(consent, reason)
    assert guardian.current is None
    out = guardian.outcome()
    assert out.disposition is disposition
    assert out.decline_reason == reason
    assert {o.kind for o in out.items} == {OutcomeKind.NOT_REACHED}


@pytest.mark.parametrize("respondent", ["youth", "guardian"])
@pytest.mark.usefixtures("english")
def test_a_decline_is_recorded_with_its_coded_reason_and_nothing_else(followup, respondent):
    session = followup.session(respondent)
    codes = [r.code for r in session.form.decline_reasons]
    assert codes == [1, 2, 3, 4]
    for bad in (None, 0, 5):          # a decline in 2026.2 has one of the listed reasons
        with pytest.raises(AnswerRejected, match="reason"):
            session.set_consent(Consent.DECLINED, bad)
    with pytest.raises(AnswerRejected, match="Only a decline"):
        session.set_consent(Consent.NOT_REACHABLE, 3)
    session.set_consent(Consent.DECLINED, 3)
    assert session.outcome().decline_reason == 3
    # a mistaken decline reopened forgets its reason; the state survives a save
    state = session.to_state()
    assert state["decline_reason"] == 3
    session.reopen()
    assert session.decline_reason is None and session.consent is None
    session.load_state(state)
    assert session.decline_reason == 3 and session.disposition is Disposition.DECLINED


@pytest.mark.usefixtures("english")
def test_a_2026_1_decline_has_no_reason_to_give(setup):
    old = FollowUp.open(instrument_by_version("ubu-vb", "2026.1"), setup).session("youth")
    assert old.form.decline_reasons == ()
    with pytest.raises(AnswerRejected, match="Only a decline"):
        old.set_consent(Consent.DECLINED, 1)
    old.set_consent(Consent.DECLINED)
    assert old.outcome().decline_reason is None
    state = old.to_state()
    del state["decline_reason"]                   # a draft saved before 2026.2
    old.load_state(state)
    assert old.decline_reason is None


def test_youth_objection_stops_the_guardian_only_from_18(instrument, setup):
    minor = FollowUp.open(instrument, setup)
    with pytest.raises(AnswerRejected, match="under 18"):
        minor.session("guardian").set_consent(Consent.YOUTH_OBJECTS)
    adult = FollowUp.open(instrument, Setup(**{**setup.__dict__, "age": 18}))
    adult.session("guardian").set_consent(Consent.YOUTH_OBJECTS)
    assert adult.session("guardian").disposition is Disposition.YOUTH_OBJECTS
    with pytest.raises(AnswerRejected):
        adult.session("youth").set_consent(Consent.YOUTH_OBJECTS)


def test_caseworker_cannot_decline(followup):
    with pytest.raises(AnswerRejected):
        followup.session("caseworker").set_consent(Consent.DECLINED)


def test_youth_form_not_asked_outside_12_to_21(instrument, setup):
    followup = FollowUp.open(instrument, Setup(**{**setup.__dict__, "age": 22,
                                                  "youth_form": False}))
    assert followup.session("youth").disposition is Disposition.NOT_ELIGIBLE


def test_record_pins_instrument_version_and_item_ids(followup):
    record = complete_all(followup).record()
    assert (record.instrument_id, record.instrument_version) == ("ubu-vb", "2026.2")
    for sess in record.sessions:
        form = followup.instrument.forms[sess.respondent]
        assert [o.item_id for o in sess.items] == [i.id for i in form.items]


@pytest.mark.usefixtures("english")
def test_record_refused_while_a_session_is_open(followup):
    with pytest.raises(AnswerRejected, match="Still open"):
        followup.record()


def test_state_round_trip_keeps_everything(followup):
    youth = followup.session("youth")
    youth.set_consent(Consent.GIVEN)
    for _ in range(7):
        youth.answer(first_answer(youth.current))
    followup.session("guardian").set_consent(Consent.NOT_REACHABLE)
    again = FollowUp.from_state(followup.instrument, followup.to_state())
    assert again.to_state() == followup.to_state()
    assert again.session("youth").current.id == youth.current.id


# --- eligibility -----------------------------------------------------------------------
END = date(2026, 10, 1)


@pytest.mark.parametrize("days,due", [(6, False), (7, True)])
def test_eligibility_length_edge(days, due):
    verdict = check(END - timedelta(days=days), END, END + timedelta(days=10), LegalBasis.SOL, 15)
    assert verdict.due is due
    if not due:
        assert "minst 7 dagar" in verdict.reasons[0]


@pytest.mark.parametrize("since,due", [(90, True), (91, False)])
def test_eligibility_window_edge(since, due):
    verdict = check(END - timedelta(days=40), END, END + timedelta(days=since), LegalBasis.LVU, 15)
    assert verdict.due is due
    if not due:
        assert "90 dagar" in verdict.reasons[0]


@pytest.mark.parametrize("age,youth_form", [(11, False), (12, True), (21, True), (22, False)])
def test_eligibility_age_edges_decide_the_youth_form(age, youth_form):
    verdict = check(END - timedelta(days=40), END, END + timedelta(days=5), LegalBasis.LVU, age)
    assert verdict.due and verdict.youth_form is youth_form


def test_eligibility_out_of_scope_legal_basis():
    verdict = check(END - timedelta(days=40), END, END + timedelta(days=5), 0, 15)
    assert not verdict.due and "SoL, LVU eller LSU" in verdict.reasons[0]


def test_eligibility_not_ended_yet():
    verdict = check(END - timedelta(days=40), END, END - timedelta(days=1), LegalBasis.SOL, 15)
    assert not verdict.due


# --- property: any sequence of steps ends in exactly one outcome per item --------------
STEP = st.one_of(
    st.tuples(st.just("answer"), st.integers(-3, 9)),
    st.tuples(st.just("back"), st.just(0)),
    st.tuples(st.just("jump"), st.integers(0, 46)),
)


@settings(max_examples=150, deadline=None)
@given(respondent=st.sampled_from(["youth", "guardian", "caseworker"]),
       steps=st.lists(STEP, max_size=80), end=st.sampled_from(["complete", "break"]))
def test_any_sequence_of_steps_gives_one_outcome_per_item(respondent, steps, end):
    instrument = default_instrument()
    followup = FollowUp.open(instrument, Setup("0180", 1003, 1, 2, 16, 3, True))
    session = followup.session(respondent)
    session.set_consent(Consent.GIVEN)
    for kind, value in steps:
        try:
            if kind == "answer" and session.current is not None:
                item = session.current
                response = (first_answer(item) if item.type in (AnswerType.MULTI,
                                                                 AnswerType.UNIT)
                            else Response(value))
                session.answer(response)
            elif kind == "back":
                session.back()
            elif kind == "jump":
                session.jump(session.form.items[value % len(session.form.items)].id)
        except AnswerRejected:
            pass
    if end == "complete":
        answer_all(session)
        session.complete()
    else:
        session.break_off(BreakReason.OTHER)
    outcomes = session.outcome().items
    assert [o.item_id for o in outcomes] == [i.id for i in session.form.items]
    for out in outcomes:
        item = instrument.item(out.item_id)
        if out.kind is OutcomeKind.VALUE:
            assert out.code >= 0
        elif out.kind is OutcomeKind.NONRESPONSE:
            assert item.allows_code(out.code)
        elif out.kind is OutcomeKind.SKIPPED:
            assert out.code == SKIPPED_CODE and session.visibility(item) is False
        else:
            assert out.code == NOT_REACHED_CODE
            assert end == "break"
