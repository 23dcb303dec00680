"""The agency simulator's plans: reproducible with a seed, silent or late when told to be."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from mash_common.codec import decode
from mash_gateway.simulator import SimOptions, encode_answer, plan_answer
from mash_schemas.events import AgencyRequest, AgencyResponse, Sealed

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
DETAILS = {"child": {"first_name": "Ava", "last_name": "Brook"}}


def request(agency: str = "education", request_id: str = "r-1",
            respond_by: datetime = NOW + timedelta(hours=4)) -> AgencyRequest:
    return AgencyRequest(
        request_id=request_id, contact_id="c-1", reference="MASH-2026-000001", agency=agency,
        rating="amber", respond_by=respond_by, requested_at=NOW,
        subject_details=Sealed(kid=f"agency:{agency}", iv="x", ct="y"),
    )


def test_the_same_seed_gives_the_same_answer_to_the_same_request() -> None:
    options = SimOptions(delay_seconds=10, seed=7, known_fraction=0.5)
    first = plan_answer(request(), DETAILS, options, NOW)
    again = plan_answer(request(), DETAILS, options, NOW)
    assert first == again and first is not None
    plans = [plan_answer(request(request_id=f"r-{i}"), DETAILS, options, NOW) for i in range(20)]
    others = {p.answer_at for p in plans if p is not None}
    assert len(others) > 1


def test_answers_come_after_a_realistic_delay_and_in_time() -> None:
    for i in range(50):
        plan = plan_answer(request(request_id=f"r-{i}"), DETAILS, SimOptions(delay_seconds=10),
                           NOW)
        assert plan is not None and not plan.late
        assert timedelta(seconds=5) <= plan.answer_at - NOW <= timedelta(seconds=15)


def test_a_short_deadline_still_gets_an_answer_in_time() -> None:
    plan = plan_answer(request(respond_by=NOW + timedelta(seconds=2)), DETAILS,
                       SimOptions(delay_seconds=60), NOW)
    assert plan is not None and plan.answer_at < NOW + timedelta(seconds=2)


def test_silent_agencies_never_answer() -> None:
    options = SimOptions(silent_agencies=frozenset({"education"}))
    assert plan_answer(request("education"), DETAILS, options, NOW) is None
    assert plan_answer(request("police"), DETAILS, options, NOW) is not None


def test_late_answers_are_sent_after_the_deadline() -> None:
    deadline = NOW + timedelta(minutes=5)
    plan = plan_answer(request(respond_by=deadline), DETAILS,
                       SimOptions(delay_seconds=2, late_fraction=1.0), NOW)
    assert plan is not None and plan.late and plan.answer_at > deadline


def test_the_answer_is_the_documented_contract() -> None:
    options = SimOptions(seed=1, known_fraction=1.0)
    plan = plan_answer(request("health"), DETAILS, options, NOW)
    assert plan is not None
    key, value = encode_answer(plan)
    assert key == b"c-1"
    raw = json.loads(value)
    assert raw["type"] == "uk.mash.agency.response.v1" and raw["subject"] == "c-1"
    assert raw["source"] == "/agency/health" and raw["specversion"] == "1.0"
    event = decode(value)
    assert isinstance(event.data, AgencyResponse)
    assert event.data.request_id == "r-1" and event.data.known_to_agency is True
    assert event.data.responder and event.data.responder.startswith("health:")
    assert "{" not in event.data.summary  # every template placeholder filled
