"""The MASH manager's RAG rating: the first asks the agencies, a re-rating moves the deadline,
and every change is kept with its rationale and who made it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from mash_common.auth import Role
from mash_common.testing.auth import staff_headers
from mash_common.testing.service import running
from mash_schemas.events import InformationDeadlinesChanged, InformationRequested, RagRated
from mash_schemas.topics import TRIAGE
from mash_triage.bootstrap import build_app
from mash_triage.config import TriageSettings

pytestmark = pytest.mark.integration

DECISION_MAKER = staff_headers(Role.DECISION_MAKER, "staff:dm-0042")
MANAGER = staff_headers(Role.MASH_MANAGER, "staff:mgr-0007")

DEPUTY = staff_headers(Role.MASH_MANAGER, "staff:mgr-0011")


async def into_the_mash(client: Any, contact_id: str, level: int = 3) -> None:
    r = await client.post(
        f"/v1/contacts/{contact_id}/threshold-decision",
        json={"outcome": "mash", "level_of_need": level, "rationale": "needs the full picture"},
        headers=DECISION_MAKER,
    )
    assert r.status_code == 200, r.text


async def test_the_first_rating_starts_the_clock_and_asks_the_agencies_for_the_level(
    settings: TriageSettings, hub: Any, clock: Any
) -> None:
    received = clock.now
    clock.advance(hours=1)  # rated an hour after it arrived: the clock still runs from receipt
    async with running(build_app(settings, clock=clock), headers=DECISION_MAKER) as client:
        contact_id = await hub.send_contact(received_at=received)
        await hub.screened(client, contact_id)
        await into_the_mash(client, contact_id, level=3)
        r = await client.post(
            f"/v1/contacts/{contact_id}/rag-rating", headers=MANAGER,
            json={"rating": "amber", "rationale": "Brook children hungry; no injuries seen"},
        )
        assert r.status_code == 200, r.text
        answer = r.json()
        rating_queue = (await client.get("/v1/rating-queue", params={"limit": 1000})).json()
        [rated] = await hub.wait_for(TRIAGE, contact_id, RagRated.event_type)
        [asked] = await hub.wait_for(TRIAGE, contact_id, InformationRequested.event_type)
        raw = await hub.raw(TRIAGE, contact_id)

    # Received Monday 09:00 (GMT): 24 working hours are three working days, to Wednesday 17:00.
    deadline = received + timedelta(days=2, hours=8)
    assert answer["deadline"] == deadline.isoformat().replace("+00:00", "Z")
    # Each agency answers by 3/4 of the working time left after the request (Monday 10:00):
    # 17.25 of the 23 working hours, Wednesday 11:15; the hub keeps the rest.
    agency_deadline = received + timedelta(days=2, hours=2, minutes=15)
    assert set(answer["agency_respond_by"]) == {"police", "health", "education",
                                                "childrens-social-care"}
    assert answer["information_requested"] is True and answer["status"] == "rated"
    assert contact_id not in [i["contact_id"] for i in rating_queue["items"]]

    r = rated.data
    assert (r.rating, r.previous_rating, r.rated_by) == ("amber", None, "staff:mgr-0007")
    assert r.deadline == deadline and r.rated_at == clock.now
    assert hub.sealer.open(r.rationale) == {"rationale": "Brook children hungry; no injuries seen"}

    a = asked.data
    assert a.agencies == ["police", "health", "education", "childrens-social-care"]
    assert a.respond_by == deadline and a.rating == "amber" and a.requested_by == "staff:mgr-0007"
    assert a.agency_respond_by == dict.fromkeys(a.agencies, agency_deadline)
    assert a.reference.startswith("MASH-")
    shared = hub.sealer.open(a.need_to_know)
    assert set(shared) == {"child", "concern", "household", "significant_adults"}
    assert "referrer" not in shared  # never the referrer; the gateway picks per agency
    assert shared["child"]["last_name"] == "Brook" and "hungry" in shared["concern"]["summary"]
    assert a.need_to_know.kid == f"contact:{contact_id}"
    assert not any(b"Brook" in value for value in raw)  # nothing personal in plaintext


async def test_a_re_rating_moves_the_deadline_and_the_history_keeps_every_change(
    settings: TriageSettings, hub: Any, clock: Any
) -> None:
    received = clock.now
    async with running(build_app(settings, clock=clock), headers=DECISION_MAKER) as client:
        contact_id = await hub.send_contact(received_at=received)
        low = await hub.send_contact(received_at=received)
        await hub.screened(client, contact_id, low)
        await into_the_mash(client, contact_id)
        await into_the_mash(client, low, level=1)
        url = f"/v1/contacts/{contact_id}/rag-rating"
        first = await client.post(url, headers=MANAGER, json={
            "rating": "green", "rationale": "stable at grandparents", "agencies": ["health",
                                                                                  "camhs"]})
        assert first.status_code == 200, first.text
        clock.advance(hours=1)
        up = await client.post(url, headers=DEPUTY, json={
            "rating": "red", "rationale": "police report a new incident overnight"})
        assert up.status_code == 200, up.text
        r = await client.post(f"/v1/contacts/{low}/rag-rating", headers=MANAGER,
                              json={"rating": "green", "rationale": "universal services"})
        assert r.status_code == 200

        rated = await hub.wait_for(TRIAGE, contact_id, RagRated.event_type, count=2)
        asked = await hub.wait_for(TRIAGE, contact_id, InformationRequested.event_type)
        [asked_low] = await hub.wait_for(TRIAGE, low, InformationRequested.event_type)
        record = (await client.get(f"/v1/contacts/{contact_id}", headers=MANAGER)).json()

    assert up.json()["previous_rating"] == "green" and up.json()["information_requested"] is False
    assert up.json()["agencies"] == ["health", "camhs"]
    by_time = sorted(rated, key=lambda e: e.data.rated_at)
    assert [(e.data.rating, e.data.previous_rating) for e in by_time] == [
        ("green", None), ("red", "green")]
    # Green: 72 working hours, nine working days from Monday 09:00 to Thursday week, 17:00.
    assert by_time[0].data.deadline == received + timedelta(days=10, hours=8)
    # Red runs around the clock, from receipt, not from the rating.
    assert by_time[1].data.deadline == received + timedelta(hours=4)
    assert len(asked) == 1 and asked[0].data.agencies == ["health", "camhs"]  # the manager's
    assert asked_low.data.agencies == ["health", "education"]  # the default for level 1

    assert record["rating"] == "red" and record["status"] == "rated"
    assert [(r["rating"], r["rated_by"], r["rationale"]) for r in record["ratings"]] == [
        ("green", "staff:mgr-0007", "stable at grandparents"),
        ("red", "staff:mgr-0011", "police report a new incident overnight"),
    ]
    assert record["information_request"]["agencies"] == ["health", "camhs"]
    assert [s["action"] for s in record["history"]] == [
        "contact received", "threshold decided", "rated", "information requested", "re-rated",
    ]
    assert record["threshold_decision"]["rationale"] == "needs the full picture"
    ticking = [d for d in record["deadlines"] if d["cancelled_at"] is None]
    assert {(d["kind"], d["rating"]) for d in ticking} == {("warn", "red"), ("breach", "red")}
    replaced = [d for d in record["deadlines"] if d["cancel_reason"] == "re-rated"]
    assert {(d["kind"], d["rating"]) for d in replaced} == {("warn", "green"), ("breach", "green")}


async def test_a_re_rating_moves_every_agencys_deadline_with_the_contacts(
    settings: TriageSettings, hub: Any, clock: Any
) -> None:
    received = clock.now  # Monday 09:00 (GMT)
    clock.advance(hours=1)  # rated amber, and the agencies asked, at 10:00
    async with running(build_app(settings, clock=clock), headers=DECISION_MAKER) as client:
        contact_id = await hub.send_contact(received_at=received)
        await hub.screened(client, contact_id)
        await into_the_mash(client, contact_id, level=3)
        url = f"/v1/contacts/{contact_id}/rag-rating"
        amber = await client.post(url, headers=MANAGER, json={
            "rating": "amber", "rationale": "hungry, no injuries seen"})
        assert amber.status_code == 200, amber.text
        clock.advance(minutes=30)
        red = await client.post(url, headers=DEPUTY, json={
            "rating": "red", "rationale": "police report a new incident overnight"})
        assert red.status_code == 200, red.text
        clock.advance(minutes=30)
        green = await client.post(url, headers=MANAGER, json={
            "rating": "green", "rationale": "incident was about another family"})
        assert green.status_code == 200, green.text
        [asked] = await hub.wait_for(TRIAGE, contact_id, InformationRequested.event_type)
        changes = await hub.wait_for(TRIAGE, contact_id, InformationDeadlinesChanged.event_type,
                                     count=2)
        record = (await client.get(f"/v1/contacts/{contact_id}", headers=MANAGER)).json()
        raw = await hub.raw(TRIAGE, contact_id)

    agencies = ["police", "health", "education", "childrens-social-care"]
    before = asked.data.agency_respond_by
    # Amber: 3/4 of the working time from the request (Monday 10:00) to Wednesday 17:00.
    assert before == dict.fromkeys(agencies, received + timedelta(days=2, hours=2, minutes=15))
    up, down = sorted(changes, key=lambda e: e.data.changed_at)

    # Amber to red: 4 hours around the clock from receipt, 13:00; each agency 3/4 of the time
    # from its request, 12:15: a day and more earlier, and never after the new deadline.
    u = up.data
    assert isinstance(u, InformationDeadlinesChanged)
    assert (u.rating, u.previous_rating, u.changed_by) == ("red", "amber", "staff:mgr-0011")
    assert u.contact_id == contact_id and u.reference == asked.data.reference
    assert u.respond_by == received + timedelta(hours=4)
    assert u.changed_at == received + timedelta(hours=1, minutes=30)
    assert u.agency_respond_by == dict.fromkeys(agencies, received + timedelta(hours=3,
                                                                               minutes=15))
    assert all(u.agency_respond_by[a] < before[a] for a in agencies)
    assert all(t <= u.respond_by for t in u.agency_respond_by.values())
    assert up.subject == contact_id
    answer = red.json()
    assert answer["agency_deadlines_moved"] is True and answer["information_requested"] is False
    assert answer["agency_respond_by"] == {
        a: t.isoformat().replace("+00:00", "Z") for a, t in u.agency_respond_by.items()}

    # Red to green: more time again, by the same rule (green's 72 working hours), and still
    # inside the new deadline.
    d = down.data
    assert isinstance(d, InformationDeadlinesChanged)
    assert (d.rating, d.previous_rating) == ("green", "red")
    assert d.respond_by == received + timedelta(days=10, hours=8)  # Thursday week, 17:00
    assert all(before[a] < d.agency_respond_by[a] <= d.respond_by for a in agencies)
    assert green.json()["agency_deadlines_moved"] is True
    assert amber.json()["agency_deadlines_moved"] is False

    # The record holds the latest; nothing personal went out in plaintext.
    request = record["information_request"]
    assert request["agencies"] == agencies
    assert request["respond_by"] == d.respond_by.isoformat().replace("+00:00", "Z")
    assert request["agency_respond_by"] == {
        a: t.isoformat() for a, t in d.agency_respond_by.items()}
    assert not any(b"Brook" in value for value in raw)
