"""The rules a manager's decision must pass."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from mash_decision.domain.decisions import (
    AlreadyDecided,
    InvalidDecision,
    NotReadyForDecision,
    check_can_decide,
    check_level_of_need,
    needs_receiving_team,
)
from mash_decision.domain.picture import Completion, Decided, Picture
from mash_decision.service_layer.commands import MakeDecision

T = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def ready_picture(*decisions: Decided) -> Picture:
    picture = Picture("c1", has_contact=True, requested={"police": T})
    picture.completion = Completion("all_answered", ("police",), (), T)
    picture.decisions.extend(decisions)
    return picture


def decision(decision_id: str, supersedes: str | None = None) -> Decided:
    return Decided(event_id=f"e-{decision_id}", at=T, decision_id=decision_id, outcome="nfa",
                   level_of_need=1, receiving_team=None, decided_by="mgr", supersedes=supersedes)


def test_a_picture_still_gathering_cannot_be_decided() -> None:
    picture = Picture("c1", has_contact=True, requested={"police": T, "health": T})
    with pytest.raises(NotReadyForDecision, match="police"):
        check_can_decide(picture, supersedes=None)


def test_a_ready_picture_can_be_decided_once() -> None:
    check_can_decide(ready_picture(), supersedes=None)
    with pytest.raises(AlreadyDecided) as refused:
        check_can_decide(ready_picture(decision("d1")), supersedes=None)
    assert refused.value.current_decision_id == "d1"


def test_a_new_decision_must_name_the_current_one() -> None:
    decided = ready_picture(decision("d1"), decision("d2", supersedes="d1"))
    check_can_decide(decided, supersedes="d2")
    with pytest.raises(AlreadyDecided):
        check_can_decide(decided, supersedes="d1")  # no longer current
    with pytest.raises(AlreadyDecided):
        check_can_decide(ready_picture(), supersedes="d9")  # nothing to supersede


def test_the_level_of_need_is_on_the_local_scale() -> None:
    check_level_of_need(4, 4)
    with pytest.raises(InvalidDecision):
        check_level_of_need(5, 4)


def test_social_care_and_early_help_need_a_receiving_team() -> None:
    assert needs_receiving_team("social_care_s47") and needs_receiving_team("early_help")
    assert not needs_receiving_team("nfa")
    with pytest.raises(ValidationError) as err:
        MakeDecision(outcome="social_care_s17", level_of_need=3, rationale="x" * 20)
    assert err.value.errors()[0]["loc"] == ("receiving_team",)
    ok = MakeDecision(outcome="signpost", level_of_need=1, rationale="Signposted to a group",
                      signpost_service="Parenting group, Bletchley")
    assert ok.receiving_team is None


def test_a_signpost_names_the_service_and_only_a_signpost_does() -> None:
    with pytest.raises(ValidationError) as err:
        MakeDecision(outcome="signpost", level_of_need=1, rationale="Signposted to a group")
    assert err.value.errors()[0]["loc"] == ("signpost_service",)
    with pytest.raises(ValidationError) as err:
        MakeDecision(outcome="nfa", level_of_need=1, rationale="Nothing more to do here",
                     signpost_service="Food bank")
    assert "only with a signpost outcome" in err.value.errors()[0]["msg"]


S47 = {"outcome": "social_care_s47", "level_of_need": 4, "receiving_team": "Assessment 2",
       "rationale": "Significant harm is likely; strategy discussion held"}


def test_section_47_records_the_agencies_of_the_strategy_discussion() -> None:
    with pytest.raises(ValidationError) as err:
        MakeDecision(**S47)
    assert err.value.errors()[0]["loc"] == ("strategy_discussion_agencies",)
    with pytest.raises(ValidationError) as err:
        MakeDecision(**S47, strategy_discussion_agencies=["police", "childrens-social-care"])
    assert "health" in err.value.errors()[0]["msg"]
    with pytest.raises(ValidationError) as err:
        MakeDecision(**S47, strategy_discussion_agencies=["police", "the-vicar"])
    ok = MakeDecision(**S47, strategy_discussion_agencies=[
        "police", "health", "education", "childrens-social-care", "police"])
    assert ok.strategy_discussion_agencies == [
        "childrens-social-care", "education", "health", "police"]


def test_a_strategy_discussion_is_recorded_only_with_section_47() -> None:
    with pytest.raises(ValidationError) as err:
        MakeDecision(outcome="social_care_s17", level_of_need=3, receiving_team="Assessment 2",
                     rationale="Child in need assessment", strategy_discussion_agencies=["police"])
    assert err.value.errors()[0]["loc"] == ("strategy_discussion_agencies",)
