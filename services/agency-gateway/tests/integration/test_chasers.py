"""Chasers against the real broker and both databases: a reminder before each agency's
deadline, the escalation to the MASH manager at it, once each, after restarts too."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import pytest

from mash_common.testing.service import running, wait_until
from mash_gateway.bootstrap import build_app
from mash_gateway.config import AgencyConfig
from mash_schemas.envelope import utcnow
from mash_schemas.events import AgencyChased, AgencyEscalated

pytestmark = pytest.mark.integration


async def test_a_silent_agency_is_reminded_then_escalated_and_an_answer_stops_its_chasers(
    hub: Any,
) -> None:
    # Per-agency configuration: police are reminded late, everyone else half way.
    agencies = {**hub.settings.agencies,
                "police": AgencyConfig(reminder_fraction=0.9,
                                       need_to_know=hub.settings.agencies["police"].need_to_know)}
    settings = hub.settings.model_copy(update={"chaser_reminder_fraction": 0.5,
                                               "agencies": agencies})
    app = build_app(settings)
    async with running(app, headers=hub.STAFF) as client:
        contact_id = await hub.information_requested(["police", "education"],
                                                     respond_in=timedelta(seconds=15))
        sent = await hub.requests_sent(contact_id, ["police", "education"])
        police = hub.request_of(sent["police"][0])
        education = hub.request_of(sent["education"][0])
        # Police answer well before their reminder (13.5 s in, a slow group join included).
        await hub.answer("police", police)
        await hub.provided(contact_id)

        async def reminded() -> list[Any]:
            return await hub.chased(contact_id, "education")

        [chased] = await wait_until(reminded, what="education reminded")
        assert isinstance(chased.data, AgencyChased)
        assert chased.data.request_id == education.request_id
        assert chased.data.respond_by == education.respond_by
        assert chased.data.chased_at < education.respond_by

        [escalated] = await hub.escalated(contact_id)
        data = escalated.data
        assert isinstance(data, AgencyEscalated)
        assert (data.agency, data.request_id, data.escalated_to, data.reason) == (
            "education", education.request_id, "mash_manager", "no_answer_by_deadline")
        assert data.escalated_at >= education.respond_by

        status = (await client.get(f"/v1/contacts/{contact_id}/requests")).json()
        by_agency = {r["agency"]: r for r in status["requests"]}
        assert by_agency["education"]["no_answer_by_deadline"] is True
        assert by_agency["education"]["reminded_at"] is not None
        assert by_agency["education"]["overdue"] is True
        assert by_agency["police"]["status"] == "answered"
        assert by_agency["police"]["no_answer_by_deadline"] is False
        assert by_agency["police"]["reminded_at"] is None

        # A late answer is still taken, and marked late; nothing fires again.
        await hub.answer("education", education)
        provided = await hub.provided(contact_id, count=2)
        assert {e.data.agency: e.data.late for e in provided} == {  # type: ignore[union-attr]
            "police": False, "education": True}
        await asyncio.sleep(1.0)
    assert await hub.published_count(app, AgencyEscalated.event_type, contact_id) == 1
    assert await hub.published_count(app, AgencyChased.event_type, contact_id) == 1
    assert not await hub.chased(contact_id, "police")


async def test_chasers_live_in_the_database_and_fire_once_after_a_restart(hub: Any) -> None:
    # A group of its own: two copies leaving the shared one at once can hold up the next
    # test's join on the embedded broker.
    settings = hub.settings.model_copy(update={"chaser_reminder_fraction": 0.9,
                                               "consumer_group_id": f"gw-{uuid.uuid4()}"})
    first = build_app(settings)
    async with running(first):
        contact_id = await hub.information_requested(["housing"],
                                                     respond_in=timedelta(seconds=10))
        sent = await hub.requests_sent(contact_id, ["housing"])
        housing = hub.request_of(sent["housing"][0])
    assert not await hub.chased(contact_id, "housing")
    # The gateway is down when the reminder and the deadline come...
    await asyncio.sleep((housing.respond_by - utcnow()).total_seconds() + 0.5)
    # ...and two copies come back: the escalation fires once, the stale reminder not at all.
    again, twin = build_app(settings), build_app(settings)
    async with running(again), running(twin):
        [escalated] = await hub.escalated(contact_id)
        assert isinstance(escalated.data, AgencyEscalated)
        assert escalated.data.request_id == housing.request_id
        await asyncio.sleep(1.0)
        assert len(await hub.escalated(contact_id)) == 1
    assert await hub.published_count(again, AgencyEscalated.event_type, contact_id) == 1
    assert not await hub.chased(contact_id, "housing")


async def test_each_agency_answers_by_its_own_deadline_when_triage_gives_one(hub: Any) -> None:
    agencies = {**hub.settings.agencies,
                "education": AgencyConfig(deadline_fraction=0.5, need_to_know=["child.school"])}
    app = build_app(hub.settings.model_copy(update={"agencies": agencies}))
    async with running(app):
        contact_id = await hub.information_requested(
            ["police", "health", "education"], respond_in=timedelta(hours=4),
            agency_respond_in={"police": timedelta(hours=1)},
        )
        sent = await hub.requests_sent(contact_id, ["police", "health", "education"])
        requests = {a: hub.request_of(m[0]) for a, m in sent.items()}
    given = {a: r.respond_by - r.requested_at for a, r in requests.items()}
    assert given == {"police": timedelta(hours=1), "health": timedelta(hours=4),
                     "education": timedelta(hours=2)}
