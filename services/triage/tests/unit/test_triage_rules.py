"""The rules of triage, as a decision maker and a MASH manager would state them."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from mash_triage.domain import triage
from mash_triage.domain.triage import IllegalTransition, InvalidDecision, Status, TriageContact

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def new_contact(**overrides: object) -> TriageContact:
    values: dict[str, object] = {
        "contact_id": "c-1", "reference": "MASH-2026-000001", "received_at": T0,
        "immediate_risk": False,
    }
    values.update(overrides)
    return TriageContact(**values)  # type: ignore[arg-type]


def decided(outcome: str = "mash", level: int = 3) -> TriageContact:
    return triage.decide_threshold(
        new_contact(), outcome=outcome, level_of_need=level, levels_of_need=4, rationale="why"
    )


def test_a_new_contact_awaits_its_threshold_decision() -> None:
    assert new_contact().status is Status.AWAITING_THRESHOLD


def test_into_the_mash_means_awaiting_a_rag_rating() -> None:
    contact = decided("mash", 3)
    assert contact.status is Status.AWAITING_RATING
    assert (contact.outcome, contact.level_of_need) == ("mash", 3)


@pytest.mark.parametrize("outcome", ["social_care", "early_help", "signpost", "advice", "nfa"])
def test_every_other_outcome_closes_the_contact_in_triage(outcome: str) -> None:
    assert decided(outcome).status is Status.CLOSED


def test_the_threshold_decision_is_made_once() -> None:
    with pytest.raises(IllegalTransition, match="already has a threshold decision.*made once"):
        triage.decide_threshold(
            decided("early_help"), outcome="mash", level_of_need=2, levels_of_need=4,
            rationale="second thoughts",
        )


def test_a_contact_that_left_the_mash_cannot_be_screened() -> None:
    gone = triage.record_decision(new_contact())
    with pytest.raises(IllegalTransition, match="left the MASH"):
        triage.decide_threshold(gone, outcome="mash", level_of_need=2, levels_of_need=4,
                                rationale="late")


@pytest.mark.parametrize("level", [0, 5])
def test_the_level_of_need_must_be_one_of_the_local_levels(level: int) -> None:
    with pytest.raises(InvalidDecision, match="between 1 and 4") as refused:
        triage.decide_threshold(new_contact(), outcome="mash", level_of_need=level,
                                levels_of_need=4, rationale="why")
    assert refused.value.field == "level_of_need"


def test_a_five_level_area_may_use_level_five() -> None:
    contact = triage.decide_threshold(new_contact(), outcome="mash", level_of_need=5,
                                      levels_of_need=5, rationale="acute")
    assert contact.level_of_need == 5


def test_decisions_and_ratings_need_a_rationale() -> None:
    with pytest.raises(InvalidDecision, match="rationale"):
        triage.decide_threshold(new_contact(), outcome="nfa", level_of_need=1,
                                levels_of_need=4, rationale="  ")
    with pytest.raises(InvalidDecision, match="rationale"):
        triage.rate(decided(), rating="red", rationale="")


def test_rating_before_the_threshold_decision_is_refused() -> None:
    with pytest.raises(IllegalTransition, match="no threshold decision yet"):
        triage.rate(new_contact(), rating="red", rationale="urgent")


def test_a_contact_screened_out_of_the_mash_is_not_rated() -> None:
    with pytest.raises(IllegalTransition, match="did not enter the MASH.*'signpost'"):
        triage.rate(decided("signpost"), rating="green", rationale="low")


def test_a_contact_that_left_the_mash_is_not_rated() -> None:
    rated = triage.rate(decided(), rating="amber", rationale="soon")
    gone = triage.record_decision(rated)
    assert gone.status is Status.DECIDED
    with pytest.raises(IllegalTransition, match="left the MASH"):
        triage.rate(gone, rating="red", rationale="too late")


def test_ratings_go_up_and_down_but_a_re_rating_must_change_it() -> None:
    first = triage.rate(decided(), rating="amber", rationale="soon")
    assert triage.is_first_rating(decided()) and not triage.is_first_rating(first)
    up = triage.rate(first, rating="red", rationale="new police information")
    down = triage.rate(up, rating="green", rationale="child safe with grandparent")
    assert (first.rating, up.rating, down.rating) == ("amber", "red", "green")
    assert down.status is Status.RATED
    with pytest.raises(IllegalTransition, match="already rated green"):
        triage.rate(down, rating="green", rationale="again")


def test_a_revised_decision_changes_nothing_more() -> None:
    once = triage.record_decision(decided())
    assert triage.record_decision(once) == once


def test_queues_put_immediate_risk_first_then_the_oldest() -> None:
    old = new_contact(contact_id="old", received_at=T0)
    newer = new_contact(contact_id="newer", received_at=T0 + timedelta(hours=2))
    risky_new = new_contact(contact_id="risky-new", received_at=T0 + timedelta(hours=5),
                            immediate_risk=True)
    risky_old = new_contact(contact_id="risky-old", received_at=T0 + timedelta(hours=1),
                            immediate_risk=True)
    ordered = triage.in_queue_order([newer, risky_new, old, risky_old])
    assert [c.contact_id for c in ordered] == ["risky-old", "risky-new", "old", "newer"]


def test_contacts_received_in_the_same_instant_keep_a_stable_order() -> None:
    a, b = new_contact(contact_id="a"), new_contact(contact_id="b")
    assert triage.in_queue_order([b, a]) == triage.in_queue_order([a, b]) == [a, b]


DEFAULTS = {1: ["health"], 3: ["police", "health", "education"]}


def test_default_agencies_come_from_the_highest_configured_level_not_above() -> None:
    assert triage.agencies_for(1, DEFAULTS) == ["health"]
    assert triage.agencies_for(2, DEFAULTS) == ["health"]
    assert triage.agencies_for(4, DEFAULTS) == ["police", "health", "education"]


def test_the_managers_choice_of_agencies_wins_without_repeats() -> None:
    chosen = triage.choose_agencies(["camhs", "police", "camhs"], 4, DEFAULTS)
    assert chosen == ["camhs", "police"]
    assert triage.choose_agencies(None, 3, DEFAULTS) == DEFAULTS[3]


def test_agencies_may_be_sent_the_child_concern_and_household_never_the_referrer() -> None:
    personal = {
        "child": {"first_name": "Ava"}, "concern": {"summary": "hungry"},
        "household": [{"name": "Dee", "relationship": "mother"}],
        "referrer": {"name": "Jo"}, "parents_aware": False, "parents_not_aware_reason": "risk",
    }
    assert triage.need_to_know(personal) == {
        "child": {"first_name": "Ava"}, "concern": {"summary": "hungry"},
        "household": [{"name": "Dee", "relationship": "mother"}], "significant_adults": [],
    }


def test_a_screening_list_shows_enough_to_recognise_the_child() -> None:
    personal = {"child": {"first_name": "Ava", "last_name": "Brook", "date_of_birth":
                          "2017-05-01", "nhs_number": "9434765919", "address": "1 Oak Road"}}
    summary = triage.child_summary(personal)
    assert summary["first_name"] == "Ava" and summary["date_of_birth"] == "2017-05-01"
    assert "address" not in summary and "nhs_number" not in summary


def test_the_contact_is_a_value() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        new_contact().status = Status.CLOSED  # type: ignore[misc]


BY_CONCERN = {"3A": ["police"], "4A": ["camhs"], "15A": ["camhs", "health"]}


def test_concern_types_add_their_agencies_to_the_levels() -> None:
    assert triage.agencies_for(1, DEFAULTS, ["3A", "15A", "16A"], BY_CONCERN) == [
        "health", "police", "camhs"]  # 16A (neglect) adds nobody; no repeats
    assert triage.choose_agencies(None, 3, DEFAULTS, ["4A"], BY_CONCERN) == [
        "police", "health", "education", "camhs"]
    assert triage.choose_agencies(["housing"], 3, DEFAULTS, ["4A"], BY_CONCERN) == ["housing"]


@pytest.mark.parametrize("basis", ["public_task", "legal_obligation", "vital_interests"])
def test_sharing_without_consent_needs_the_reason_for_overriding_it(basis: str) -> None:
    with pytest.raises(InvalidDecision, match="reason for overriding consent") as refused:
        triage.decide_threshold(new_contact(), outcome="mash", level_of_need=3,
                                levels_of_need=4, rationale="why",
                                consent=triage.ConsentDecision(basis))
    assert refused.value.field == "consent"
    given = triage.check_consent(triage.ConsentDecision(basis, "  telling them risks harm "))
    assert given.overridden and given.override_reason == "telling them risks harm"


def test_sharing_on_consent_has_nothing_to_override() -> None:
    assert not triage.check_consent(triage.ConsentDecision("consent")).overridden
    with pytest.raises(InvalidDecision, match="rests on consent"):
        triage.check_consent(triage.ConsentDecision("consent", "because"))
    with pytest.raises(InvalidDecision, match="lawful basis must be one of"):
        triage.check_consent(triage.ConsentDecision("legitimate_interests", "because"))


@pytest.mark.parametrize("response", ["strategy_discussion", "section_47", "section_17"])
def test_straight_to_social_care_says_what_it_starts(response: str) -> None:
    contact = triage.decide_threshold(
        new_contact(immediate_risk=True), outcome="social_care", level_of_need=4,
        levels_of_need=4, rationale="injury seen", social_care_response=response,
        consent=triage.ConsentDecision("vital_interests", "the child is at risk of harm"),
    )
    assert contact.status is Status.CLOSED and contact.outcome == "social_care"


def test_a_social_care_response_goes_only_with_the_social_care_outcome() -> None:
    with pytest.raises(InvalidDecision, match="goes with the outcome social_care") as refused:
        triage.decide_threshold(new_contact(), outcome="early_help", level_of_need=2,
                                levels_of_need=4, rationale="why",
                                social_care_response="section_47")
    assert refused.value.field == "social_care_response"
