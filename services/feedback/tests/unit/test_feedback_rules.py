"""What each referrer is told and what the receiving team gets, with no broker and no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import get_args

import pytest

from mash_feedback.domain.feedback import (
    NEXT_STEPS,
    OUTCOME_WORDS,
    Child,
    Decision,
    Referral,
    Referrer,
    RetryPolicy,
    feedback_for,
    outcome_for_agency_system,
)
from mash_schemas.codes import DecisionOutcome

RECEIVED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DECIDED = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)

CHILD = Child(first_name="Ava", last_name="Brook", date_of_birth="2017-05-01",
              nhs_number="9434765919", address="4 Mill Lane", postcode="MK1 1AA")


def referral(referrer: Referrer) -> Referral:
    return Referral(
        contact_id="c1", reference="MASH-2026-000042", received_at=RECEIVED, referrer=referrer,
        contact_source="Schools", immediate_risk=False, concern_factors=("Neglect",),
        concern_summary="Ava came to school hungry; her uncle Dean Brook shouts at her",
        child=CHILD,
    )


def decision(outcome: str = "early_help", team: str | None = "Early Help East",
             supersedes: str | None = None) -> Decision:
    return Decision(decision_id="d1", outcome=outcome, level_of_need=2, receiving_team=team,
                    decided_at=DECIDED, decided_by="mgr-7", supersedes=supersedes,
                    rationale="Needs help with routines; no significant harm")


PROFESSIONAL = Referrer("professional", name="Jo Class", role="Teacher", agency="Oak Primary",
                        email="jo@oak.example")
PUBLIC = Referrer("public", name="Margaret Brook", email="margaret@example.org")
ANONYMOUS = Referrer("anonymous")


def test_a_professional_is_told_the_outcome_and_the_next_steps() -> None:
    to_referrer, _ = feedback_for(referral(PROFESSIONAL), decision())
    assert (to_referrer.channel, to_referrer.status) == ("record", "recorded")
    message = to_referrer.message
    assert message is not None and message.to == "jo@oak.example"
    assert "Dear Jo Class" in message.body
    assert "an early help assessment" in message.body and "level of need 2" in message.body
    assert "Early Help East will contact the family" in message.body
    assert "MASH-2026-000042" in message.subject


def test_a_member_of_the_public_gets_a_general_acknowledgement_naming_nobody() -> None:
    to_referrer, _ = feedback_for(referral(PUBLIC), decision("social_care_s47", "Assessment 2"))
    message = to_referrer.message
    assert message is not None and to_referrer.status == "recorded"
    text = message.subject + "\n" + message.body
    for personal in ("Ava", "Brook", "Margaret", "Dean", "Mill Lane", "MK1", "9434765919",
                     "2017"):
        assert personal not in text
    for disclosure in ("section 47", "Assessment 2", "social care", "enquir", "level of need"):
        assert disclosure not in text
    assert "MASH-2026-000042" in text and "we cannot tell you what was decided" in text


def test_an_anonymous_referrer_is_told_nothing() -> None:
    to_referrer, to_team = feedback_for(referral(ANONYMOUS), decision())
    assert (to_referrer.channel, to_referrer.status, to_referrer.message) == (
        "none", "not_required", None)
    assert to_referrer.referrer_kind == "anonymous"
    # the receiving team still gets its summary, on the handover topic
    assert (to_team.channel, to_team.status) == ("kafka", "sent")


def test_the_receiving_team_gets_what_it_needs_to_find_the_child_and_why() -> None:
    _, to_team = feedback_for(referral(PUBLIC), decision("social_care_s17", "Assessment 2"))
    message = to_team.message
    assert message is not None and message.to == "Assessment 2"
    assert "Ava Brook, born 2017-05-01, NHS number 9434765919" in message.body
    assert "Needs help with routines" in message.body
    assert "from a member of the public" in message.body
    assert "Margaret" not in message.body  # the team needs the concern, not the referrer's name


def test_no_receiving_team_means_no_summary_is_needed() -> None:
    _, to_team = feedback_for(referral(PROFESSIONAL), decision("nfa", None))
    assert (to_team.audience, to_team.channel, to_team.status) == (
        "receiving_team", "none", "not_required")


def test_a_superseding_decision_says_it_replaces_the_earlier_outcome() -> None:
    to_referrer, to_team = feedback_for(referral(PROFESSIONAL),
                                        decision("social_care_s17", "Assessment 2", "d0"))
    assert to_referrer.message and "replaces the outcome" in to_referrer.message.body
    assert to_team.message and "replaces decision d0" in to_team.message.body


@pytest.mark.parametrize("outcome", get_args(DecisionOutcome))
def test_every_outcome_has_words_and_next_steps(outcome: str) -> None:
    assert outcome in OUTCOME_WORDS and outcome in NEXT_STEPS
    to_referrer, _ = feedback_for(referral(PROFESSIONAL), decision(outcome, "Team X"))
    assert to_referrer.message and OUTCOME_WORDS[outcome] in to_referrer.message.body


def test_with_a_mail_server_a_referrer_with_an_address_is_emailed() -> None:
    to_referrer, _ = feedback_for(referral(PROFESSIONAL), decision(), email=True)
    assert (to_referrer.channel, to_referrer.status) == ("email", "recorded")
    public, _ = feedback_for(referral(PUBLIC), decision(), email=True)
    assert public.channel == "email"
    no_address, _ = feedback_for(referral(Referrer("professional", name="Jo")), decision(),
                                 email=True)
    assert no_address.channel == "record"  # kept to be read: there is nowhere to send it
    anonymous, _ = feedback_for(referral(ANONYMOUS), decision(), email=True)
    assert anonymous.channel == "none"


def test_a_signpost_names_the_service_and_a_section_47_summary_names_the_discussion() -> None:
    signposted = replace(decision("signpost", None), signpost_service="Citizens Advice")
    to_referrer, _ = feedback_for(referral(PROFESSIONAL), signposted)
    assert to_referrer.message and "pointed to Citizens Advice" in to_referrer.message.body
    s47 = replace(decision("social_care_s47", "CP team"),
                  strategy_discussion_agencies=("childrens-social-care", "health", "police"))
    _, to_team = feedback_for(referral(PROFESSIONAL), s47)
    assert to_team.message and (
        "Strategy discussion with: childrens-social-care, health, police." in to_team.message.body)


def test_only_an_agency_system_that_referred_gets_an_outcome_event() -> None:
    assert outcome_for_agency_system(referral(PROFESSIONAL), decision()) is None
    system = replace(referral(replace(PROFESSIONAL, agency="police")), channel="agency")
    outcome = outcome_for_agency_system(system, decision())
    assert outcome is not None and outcome.referrer_agency == "police"
    assert (outcome.outcome, outcome.receiving_team) == ("early_help", "Early Help East")
    assert "Early Help East will contact the family" in outcome.next_steps
    assert "Ava" not in repr(outcome)  # codes and next steps: no personal data


def test_email_retries_back_off_and_then_give_up() -> None:
    policy = RetryPolicy(first=timedelta(seconds=30), longest=timedelta(minutes=5),
                         max_attempts=6)
    waits = [policy.after_failure(n, DECIDED) for n in range(1, 7)]
    assert [w - DECIDED for w in waits[:5] if w] == [
        timedelta(seconds=s) for s in (30, 60, 120, 240, 300)]
    assert waits[5] is None  # the sixth failure: failed, visible to operators
