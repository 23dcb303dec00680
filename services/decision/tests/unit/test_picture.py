"""The picture fold and the readiness rule, with no broker and no database."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from mash_decision.domain.picture import (
    AgencyAnswered,
    AgencyEscalation,
    ContactArrived,
    DeadlineMissed,
    Decided,
    EarlierContactsFound,
    Fact,
    FeedbackGiven,
    InformationSought,
    LinkDecided,
    Noted,
    PictureComplete,
    RagRatingSet,
    ThresholdScreened,
    fold,
    readiness,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def contact(minutes: int = 0) -> ContactArrived:
    return ContactArrived(event_id="e-contact", at=at(minutes), reference="MASH-2026-000001",
                          received_at=at(minutes), immediate_risk=False)


def rated(rating: str, minutes: int, deadline_hours: int = 24) -> RagRatingSet:
    return RagRatingSet(event_id=f"e-rag-{minutes}", at=at(minutes), rating=rating,
                        deadline=T0 + timedelta(hours=deadline_hours))


def requested(*agencies: str, minutes: int = 10, respond_in: int = 60) -> InformationSought:
    return InformationSought(event_id=f"e-req-{minutes}", at=at(minutes),
                             reference="MASH-2026-000001", rating="amber",
                             agencies=agencies, respond_by=at(minutes + respond_in))


def answered(agency: str, minutes: int, late: bool = False) -> AgencyAnswered:
    return AgencyAnswered(event_id=f"e-ans-{agency}-{minutes}", at=at(minutes), agency=agency,
                          request_id=f"r-{agency}", known_to_agency=True, late=late)


def decided(decision_id: str, minutes: int, supersedes: str | None = None) -> Decided:
    return Decided(event_id=f"e-{decision_id}", at=at(minutes), decision_id=decision_id,
                   outcome="early_help", level_of_need=2, receiving_team="Early Help East",
                   decided_by="mgr", supersedes=supersedes)


def test_a_picture_is_ready_when_every_requested_agency_has_answered() -> None:
    picture = fold("c1", [contact(), requested("police", "health"), answered("police", 20),
                          answered("health", 30)])
    assert picture.status == "gathering"
    completion = readiness(picture, at(31))
    assert completion is not None
    assert completion.reason == "all_answered"
    assert completion.answered == ("health", "police") and completion.silent == ()


def test_a_picture_waiting_for_an_agency_is_not_ready_before_the_deadline() -> None:
    picture = fold("c1", [contact(), requested("police", "health"), answered("police", 20)])
    assert readiness(picture, at(69)) is None
    assert picture.silent == ("health",)


def test_when_the_deadline_passes_the_picture_is_ready_with_whoever_answered() -> None:
    picture = fold("c1", [contact(), requested("police", "health"), answered("police", 20)])
    completion = readiness(picture, at(70))
    assert completion is not None
    assert completion.reason == "deadline_passed"
    assert completion.answered == ("police",) and completion.silent == ("health",)


def test_the_order_of_arrival_does_not_change_the_picture() -> None:
    facts: list[Fact] = [contact(), rated("green", 5), requested("police", "health"),
                         answered("police", 20), answered("health", 30), rated("red", 40)]
    pictures = {repr(fold("c1", order)) for order in itertools.permutations(facts)}
    assert len(pictures) == 1
    picture = fold("c1", reversed(facts))
    assert picture.rating == "red"  # the latest rating by its own time, not by arrival
    assert picture.answered == ("health", "police")


def test_an_answer_that_arrives_before_its_request_still_counts() -> None:
    early = fold("c1", [contact(), answered("police", 20)])
    assert early.status == "open" and readiness(early, at(21)) is None
    later = fold("c1", [contact(), answered("police", 20), requested("police")])
    assert readiness(later, at(21)) is not None


def test_a_picture_without_its_contact_is_not_ready_yet() -> None:
    picture = fold("c1", [requested("police"), answered("police", 20)])
    assert readiness(picture, at(200)) is None


def test_a_completed_picture_never_completes_again() -> None:
    done = PictureComplete(event_id="e-done", at=at(70), reason="deadline_passed",
                           answered=("police",), silent=("health",))
    picture = fold("c1", [contact(), requested("police", "health"), answered("police", 20),
                          done, answered("health", 90, late=True)])
    assert picture.status == "ready"
    assert readiness(picture, at(91)) is None
    assert picture.completion is not None and picture.completion.silent == ("health",)
    assert picture.answers["health"].late


def test_a_new_decision_that_supersedes_the_old_one_becomes_current() -> None:
    done = PictureComplete(event_id="e-done", at=at(30), reason="all_answered",
                           answered=("police",), silent=())
    base: list[Fact] = [contact(), requested("police"), answered("police", 20), done]
    first = fold("c1", [*base, decided("d1", 40)])
    assert first.status == "decided" and first.current_decision.decision_id == "d1"  # type: ignore[union-attr]
    second = fold("c1", [*base, decided("d2", 50, supersedes="d1"), decided("d1", 40)])
    assert second.current_decision.decision_id == "d2"  # type: ignore[union-attr]
    assert [d.decision_id for d in second.decisions] == ["d1", "d2"]
    same_minute = fold("c1", [*base, decided("d2", 40, supersedes="d1"), decided("d1", 40)])
    assert [d.decision_id for d in same_minute.decisions] == ["d1", "d2"]


def test_breaches_are_counted_and_the_deadline_orders_the_queue() -> None:
    picture = fold("c1", [contact(), rated("red", 1, deadline_hours=4), requested("police"),
                          DeadlineMissed(event_id="e-b", at=at(300), deadline=at(240))])
    assert len(picture.breaches) == 1
    assert picture.rating_rank == 0
    assert picture.due_at == T0 + timedelta(hours=4)
    assert picture.time_left(at(60)) == timedelta(hours=3)
    unrated = fold("c2", [contact(), requested("police", respond_in=30)])
    assert unrated.rating == "amber"  # from the information request, until a RAG rating
    assert unrated.due_at == at(40)


def test_each_stage_of_a_contact_has_its_time_for_timeliness() -> None:
    done = PictureComplete(event_id="e-done", at=at(31), reason="all_answered",
                           answered=("health", "police"), silent=())
    told = FeedbackGiven(event_id="e-fb", at=at(90), decision_id="d1", audience="referrer",
                         channel="email", status="sent")
    queued = FeedbackGiven(event_id="e-fq", at=at(61), decision_id="d1", audience="referrer",
                           channel="email", status="recorded")
    screened = ThresholdScreened(event_id="e-t", at=at(3), outcome="mash", level_of_need=3)
    picture = fold("c1", [told, queued, decided("d2", 120, supersedes="d1"), decided("d1", 60),
                          done, answered("health", 30), answered("police", 20), rated("red", 8, 4),
                          rated("amber", 5), requested("police", "health"), screened,
                          contact()])
    assert picture.threshold_at == at(3)
    assert [(when, rating) for when, rating, _ in picture.rag_history] == [
        (at(5), "amber"), (at(8), "red")]
    assert picture.rated_at == at(5)
    assert picture.all_answered_at == at(30)
    assert picture.decided_at == at(60)  # the first decision; a later one changes it
    assert picture.feedback_sent_at == at(90)


def test_silence_leaves_all_answers_in_unset() -> None:
    picture = fold("c1", [contact(), requested("police", "health"), answered("police", 20)])
    assert picture.all_answered_at is None and picture.feedback_sent_at is None


def test_an_event_the_picture_has_no_rule_for_is_kept_in_order() -> None:
    chased = Noted(event_id="e-chase", at=at(50), event_type="uk.mash.agency.chased.v1")
    linked = Noted(event_id="e-link", at=at(1), event_type="uk.mash.contact.linked.v1")
    picture = fold("c1", [chased, contact(), linked])
    assert [n.event_type for n in picture.notes] == [
        "uk.mash.contact.linked.v1", "uk.mash.agency.chased.v1"]
    assert picture.status == "open"


def test_repeat_contacts_and_escalated_silence_are_part_of_the_picture() -> None:
    found = EarlierContactsFound(
        event_id="e-link", at=at(1), contacts_in_12_months=3,
        candidates=(("l1", "c0", "MASH-2025-000009", "likely"),
                    ("l2", "c9", "MASH-2025-000100", "possible")))
    rejected = LinkDecided(event_id="e-ld", at=at(15), link_id="l2", linked_contact_id="c9",
                           decision="rejected", contacts_in_12_months=2)
    escalated = AgencyEscalation(event_id="e-esc", at=at(71), agency="health",
                                 respond_by=at(70))
    picture = fold("c1", [escalated, rejected, contact(), found,
                          requested("police", "health"), answered("police", 20)])
    assert picture.contacts_in_12_months == 2
    assert {e.link_id: e.status for e in picture.earlier_contacts.values()} == {
        "l1": "suggested", "l2": "rejected"}
    assert picture.earlier_contacts["l2"].reference == "MASH-2025-000100"
    assert [(e.agency, e.at) for e in picture.escalations] == [("health", at(71))]
    assert picture.silent == ("health",) and picture.notes == []
