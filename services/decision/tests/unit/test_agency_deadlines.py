"""Each agency's own deadline in the picture (shown on the board), with no broker or database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mash_decision.domain.picture import AgencyEscalation, InformationSought, fold, readiness

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
