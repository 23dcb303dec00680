"""The board's queues (awaiting agencies, breached) against the real broker and both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mash_common.auth import Role
from mash_common.testing.auth import staff_headers
from mash_common.testing.service import running, settings_for, wait_until
from mash_decision.bootstrap import build_app
from mash_decision.config import DecisionSettings
from mash_schemas.events import AgencyEscalated, InformationDeadlinesChanged, PictureCompleted
from mash_schemas.topics import DECISIONS

pytestmark = pytest.mark.integration

MANAGER = staff_headers(Role.MASH_MANAGER, "mgr-7")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # the hub's; the clock starts at T0 + 45 min


def _ours(body: dict[str, Any], hubs: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    names = {hub.contact_id: name for name, hub in hubs.items()}
    return [(names[i["contact_id"]], i) for i in body["items"] if i["contact_id"] in names]


async def test_awaiting_agencies_lists_rated_contacts_still_gathering_red_first_with_each_agencys_time(  # noqa: E501
    kafka_bootstrap: str, database_url: str, clock: Any, hub_for: Any
) -> None:
    settings = settings_for(DecisionSettings, bootstrap=kafka_bootstrap, db_url=database_url)
    hubs = {name: hub_for(kafka_bootstrap, settings)
            for name in ("green", "amber", "red", "ready")}
    red = hubs["red"]
    async with running(build_app(settings, clock), headers=MANAGER) as client:
        for name, hours in (("green", 72), ("amber", 24), ("red", 4), ("ready", 4)):
            hub = hubs[name]
            rating = "red" if name == "ready" else name
            await hub.send(hub.contact())
            await hub.send(hub.rated(rating, hours=hours))
            request = hub.requested("police", "health", rating=rating,
                                    respond_in=timedelta(hours=3))
            if name == "red":  # triage gave health a shorter deadline of its own
                request = request.model_copy(update={
                    "agency_respond_by": {"health": request.requested_at + timedelta(hours=1)}})
            await hub.send(request)
        await red.send(red.answered("police"))
        ready = hubs["ready"]
        await ready.send(ready.answered("police"))
        await ready.send(ready.answered("health"))
        # The amber contact's police deadline, as the gateway stated it when it escalated.
        amber = hubs["amber"]
        await amber.send(AgencyEscalated(
            contact_id=amber.contact_id, request_id="req-police", agency="police",
            rating="amber", respond_by=T0 + timedelta(minutes=40),
            escalated_at=T0 + timedelta(minutes=41)))

        async def board() -> list[tuple[str, dict[str, Any]]] | None:
            r = await client.get("/v1/board/awaiting-agencies")
            assert r.status_code == 200, r.text
            found = _ours(r.json(), hubs)
            by_name = dict(found)
            settled = (set(by_name) == {"red", "amber", "green"}  # "ready" has left
                       and by_name["red"]["agencies"][1]["answered"]
                       and by_name["amber"]["agencies"][1]["escalated_at"])
            return found if settled else None

        found = await wait_until(board, what="three contacts awaiting agencies")
        body = (await client.get("/v1/board/awaiting-agencies")).json()
        as_dm = await client.get("/v1/board/awaiting-agencies",
                                 headers=staff_headers(Role.DECISION_MAKER))
        as_agency = await client.get("/v1/board/awaiting-agencies",
                                     headers=staff_headers(Role.AGENCY_PRACTITIONER,
                                                           agency="police"))
        as_auditor = await client.get("/v1/board/breached", headers=staff_headers(Role.AUDITOR))

    assert [name for name, _ in found] == ["red", "amber", "green"]  # "ready" is not here
    assert body["waiting"] == len(body["items"]) >= 3
    item = dict(found)["red"]
    assert item["reference"] == red.reference and item["rating"] == "red"
    assert item["status"] == "gathering"
    assert item["deadline"].startswith("2026-03-02T13:00:00")  # T0 + 4h, the RAG deadline
    assert item["time_left_seconds"] == 4 * 3600 - 45 * 60  # the clock is at T0 + 45 min
    assert item["overdue_seconds"] is None and item["breaches"] == 0
    health, police = item["agencies"]
    assert health["agency"] == "health" and health["answered"] is False
    assert health["respond_by"].startswith("2026-03-02T10:10:00")  # its own: requested + 1h
    assert health["time_left_seconds"] == 25 * 60
    assert police["answered"] is True and police["time_left_seconds"] is None
    assert police["respond_by"].startswith("2026-03-02T12:10:00")  # the request's: + 3h
    amber_police = dict(found)["amber"]["agencies"][1]
    assert amber_police["respond_by"].startswith("2026-03-02T09:40:00")  # the escalation's
    assert amber_police["time_left_seconds"] == -5 * 60 and amber_police["escalated_at"]

    assert as_dm.status_code == 200
    assert as_agency.status_code == 403 and as_auditor.status_code == 403


async def test_breached_lists_undecided_contacts_past_their_rag_deadline_most_overdue_first(
    kafka_bootstrap: str, database_url: str, clock: Any, hub_for: Any
) -> None:
    settings = settings_for(DecisionSettings, bootstrap=kafka_bootstrap, db_url=database_url)
    hubs = {name: hub_for(kafka_bootstrap, settings)
            for name in ("amber", "red", "decided", "in-time")}
    async with running(build_app(settings, clock), headers=MANAGER) as client:
        for name, rating, hours in (("amber", "amber", 8), ("red", "red", 4),
                                    ("decided", "red", 2), ("in-time", "green", 72)):
            hub = hubs[name]
            await hub.send(hub.contact())
            await hub.send(hub.rated(rating, hours=hours))
            await hub.send(hub.requested("police", rating=rating))
        amber = hubs["amber"]
        await amber.send(amber.breached(minutes=8 * 60 + 1))  # triage's breach, recorded
        decided = hubs["decided"]
        await decided.send(decided.answered("police"))

        async def ready() -> bool:
            queue = (await client.get("/v1/queue")).json()
            return any(i["contact_id"] == decided.contact_id for i in queue)

        await wait_until(ready, what="the picture to decide")
        made = await client.post(f"/v1/contacts/{decided.contact_id}/decision", json={
            "outcome": "nfa", "level_of_need": 1, "rationale": "No concerns found on checks"})
        assert made.status_code == 201, made.text

        before = _ours((await client.get("/v1/board/breached")).json(), hubs)
        clock.advance(timedelta(hours=9))  # now T0 + 9h45: past the red, amber, decided ones

        async def board() -> list[tuple[str, dict[str, Any]]] | None:
            r = await client.get("/v1/board/breached")
            assert r.status_code == 200, r.text
            found = _ours(r.json(), hubs)
            by_name = dict(found)
            settled = (set(by_name) == {"red", "amber"} and by_name["amber"]["breaches"]
                       and all(i["status"] == "ready" for i in by_name.values()))  # ticked
            return found if settled else None

        found = await wait_until(board, what="two breached contacts")

    assert before == []
    assert [name for name, _ in found] == ["red", "amber"]  # the most overdue first
    red, amber_item = dict(found)["red"], dict(found)["amber"]
    assert red["overdue_seconds"] == (9 * 60 + 45 - 4 * 60) * 60
    assert red["time_left_seconds"] == -red["overdue_seconds"]
    assert red["breached_at"] is None  # the service's clock found it before triage said so
    assert amber_item["breaches"] == 1 and amber_item["breached_at"].startswith(
        "2026-03-02T17:01:00")
    assert amber_item["agencies"][0]["agency"] == "police"
    assert amber_item["agencies"][0]["answered"] is False
    assert amber_item["status"] == "ready"  # the agencies' time ran out: ready, still undecided


async def test_a_re_rating_moves_each_agencys_deadline_on_the_board_and_when_the_picture_is_ready(
    kafka_bootstrap: str, database_url: str, clock: Any, hub_for: Any
) -> None:
    settings = settings_for(DecisionSettings, bootstrap=kafka_bootstrap, db_url=database_url)
    hub = hub_for(kafka_bootstrap, settings)
    async with running(build_app(settings, clock), headers=MANAGER) as client:
        await hub.send(hub.contact())
        await hub.send(hub.rated("amber", hours=56))  # Wednesday 17:00
        asked = hub.requested("police", "health", respond_in=timedelta(hours=55, minutes=50))
        await hub.send(asked.model_copy(update={"agency_respond_by": {
            a: T0 + timedelta(hours=50, minutes=15) for a in ("police", "health")}}))
        await hub.send(hub.answered("health"))
        # Re-rated red at 09:30: triage's new deadlines, far earlier.
        await hub.send(hub.rated("red", minutes=30, hours=4))
        await hub.send(InformationDeadlinesChanged(
            contact_id=hub.contact_id, reference=hub.reference, rating="red",
            previous_rating="amber", respond_by=T0 + timedelta(hours=4),
            agency_respond_by={"police": T0 + timedelta(hours=3, minutes=15),
                               "health": T0 + timedelta(hours=3, minutes=15)},
            changed_by="mgr-2", changed_at=T0 + timedelta(minutes=30)))

        async def moved() -> dict[str, Any] | None:
            r = await client.get("/v1/board/awaiting-agencies")
            assert r.status_code == 200, r.text
            [item] = [i for _, i in _ours(r.json(), {"c": hub})] or [None]
            return item if item and item["rating"] == "red" and item["agencies"][0][
                "answered"] and item["agencies"][1]["respond_by"].startswith(
                "2026-03-02T12:15:00") else None

        item = await wait_until(moved, what="the board showing the red deadlines")
        picture = (await client.get(f"/v1/pictures/{hub.contact_id}")).json()
        # At the new RAG deadline (not amber's Wednesday) the picture is ready with what it has.
        clock.advance(timedelta(hours=3, minutes=15))  # T0 + 4h

        async def completed() -> list[Any]:
            return await hub.published(DECISIONS, PictureCompleted.event_type)

        [done] = await wait_until(completed, what="the picture completed at the red deadline")

    assert item["deadline"].startswith("2026-03-02T13:00:00")
    assert item["respond_by"].startswith("2026-03-02T13:00:00")  # the agencies' time, moved
    assert item["time_left_seconds"] == (4 * 60 - 45) * 60
    health, police = item["agencies"]
    assert health["answered"] is True and health["time_left_seconds"] is None
    assert police["agency"] == "police" and police["answered"] is False
    assert police["time_left_seconds"] == (3 * 60 + 15 - 45) * 60  # not two days
    by_agency = {a["agency"]: a for a in picture["agencies"]}
    assert by_agency["police"]["agency_respond_by"].startswith("2026-03-02T12:15:00")
    assert by_agency["police"]["respond_by"].startswith("2026-03-02T13:00:00")
    assert any(e["type"] == InformationDeadlinesChanged.event_type for e in picture["timeline"])
    assert picture["other_events"] == []  # folded, not merely noted
    assert (done.data.reason, done.data.silent) == ("deadline_passed", ["police"])
    assert done.data.completed_at == T0 + timedelta(hours=4)
