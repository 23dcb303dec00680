"""Each agency's own deadline in the picture (shown on the board), with no broker or database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mash_decision.domain.picture import (
    AgencyDeadlinesMoved,
    AgencyEscalation,
    ContactArrived,
    InformationSought,
    fold,
    readiness,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def requested(*agencies: str, minutes: int = 10, respond_in: int = 180,
              own: dict[str, int] | None = None) -> InformationSought:
    return InformationSought(
        event_id=f"e-req-{minutes}", at=at(minutes), reference="MASH-2026-000001",
        rating="red", agencies=agencies, respond_by=at(minutes + respond_in),
        agency_respond_by=tuple((a, at(minutes + m)) for a, m in (own or {}).items()),
    )


def test_an_agency_named_by_triage_has_its_own_deadline_the_others_the_requests() -> None:
    picture = fold("c1", [requested("police", "health", own={"health": 60})])
    assert picture.agency_deadlines == {"police": at(190), "health": at(70)}
    assert picture.respond_by == at(190)  # readiness still waits for every agency's time
    assert readiness(picture, at(71)) is None


def test_an_escalation_states_the_gateways_deadline_and_a_later_request_replaces_it() -> None:
    escalated = AgencyEscalation(event_id="e-esc", at=at(41), agency="police",
                                 respond_by=at(40))
    picture = fold("c1", [escalated, requested("police", "health")])
    assert picture.agency_deadlines["police"] == at(40)
    again = fold("c1", [escalated, requested("police", "health"),
                        requested("police", minutes=60, respond_in=120)])
    assert again.agency_deadlines == {"police": at(180), "health": at(190)}


def moved(minutes: int, respond_in: int, own: dict[str, int], rating: str = "red",
          ) -> AgencyDeadlinesMoved:
    return AgencyDeadlinesMoved(
        event_id=f"e-moved-{minutes}", at=at(minutes), rating=rating,
        respond_by=at(respond_in), agency_respond_by=tuple((a, at(m)) for a, m in own.items()),
    )


def test_a_re_rating_moves_every_agencys_deadline_and_when_the_picture_is_ready() -> None:
    asked = requested("police", "health", respond_in=1440, own={"police": 600, "health": 600})
    before = fold("c1", [asked])
    assert before.agency_deadlines == {"police": at(610), "health": at(610)}  # + request
    # Amber to red: earlier, each agency its own; readiness waits for the new respond_by.
    arrived = ContactArrived(event_id="e-contact", at=T0, reference="MASH-2026-000001",
                             received_at=T0, immediate_risk=False)
    after = fold("c1", [arrived, asked, moved(30, 240, {"police": 60, "health": 180})])
    assert after.agency_deadlines == {"police": at(60), "health": at(180)}
    assert after.requested == {"police": at(240), "health": at(240)}
    assert after.respond_by == at(240)
    assert readiness(after, at(239)) is None
    ready = readiness(after, at(240))
    assert ready is not None and ready.reason == "deadline_passed"
    # A less urgent re-rating later on gives them more time again; the latest move wins,
    # whatever order the facts arrived in.
    again = fold("c1", [moved(90, 4000, {"police": 3000, "health": 3000}, rating="green"),
                        moved(30, 240, {"police": 60, "health": 180}), asked])
    assert again.agency_deadlines == {"police": at(3000), "health": at(3000)}
    assert again.respond_by == at(4000)


def test_an_escalation_before_the_move_is_replaced_one_after_it_states_the_new_deadline() -> None:
    asked = requested("police", respond_in=1440, own={"police": 600})
    escalated = AgencyEscalation(event_id="e-esc", at=at(601), agency="police",
                                 respond_by=at(600))
    picture = fold("c1", [asked, escalated, moved(700, 2000, {"police": 1500}, "green")])
    assert picture.agency_deadlines["police"] == at(1500)
    assert [e.agency for e in picture.escalations] == ["police"]  # it still happened
    sooner = AgencyEscalation(event_id="e-esc-2", at=at(61), agency="police",
                              respond_by=at(60))
    picture = fold("c1", [asked, moved(30, 240, {"police": 60}), sooner])
    assert picture.agency_deadlines["police"] == at(60)
