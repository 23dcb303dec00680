"""A re-rating moves the agencies' deadlines (uk.mash.information.deadlines.changed.v1), against
the real broker and both databases: open requests take the new deadline and rating, their
chasers are planned again (an escalation already due fires on the next tick), each agency is
told on its requests topic, and an answered request is left alone."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from mash_common.testing.service import produce, running, wait_until
from mash_gateway.adapters.tables import agency_chasers
from mash_gateway.bootstrap import build_app
from mash_schemas.envelope import utcnow
from mash_schemas.events import AgencyChased, AgencyEscalated, AgencyRequestUpdated
from mash_schemas.topics import TRIAGE, agency_requests

pytestmark = pytest.mark.integration

AGENCIES = ["police", "health", "education", "housing"]


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else (
        value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC))


async def chasers_of(hub: Any, app: Any, contact_id: str) -> dict[tuple[str, str], Any]:
    """The contact's chaser rows, by (agency, kind)."""
    async with hub.runtime_of(app).db.sessions() as session:
        rows = (await session.execute(
            select(agency_chasers).where(agency_chasers.c.contact_id == contact_id))).all()
    return {(r.agency, r.kind): r for r in rows}


async def test_a_re_rating_moves_open_requests_and_their_chasers_and_tells_each_agency(
    hub: Any,
) -> None:
    app = build_app(hub.settings)  # the real clock, as the other chaser tests
    async with running(app, headers=hub.STAFF) as client:
        # Amber: a day to answer, reminders at three quarters of it.
        contact_id = await hub.information_requested(AGENCIES, respond_in=timedelta(hours=24))
        sent = await hub.requests_sent(contact_id, AGENCIES)
        requests = {a: hub.request_of(m[0]) for a, m in sent.items()}
        await hub.answer("health", requests["health"])
        await hub.provided(contact_id)
        amber = await chasers_of(hub, app, contact_id)
        assert _utc(amber[("housing", "escalate")].due_at) == requests["housing"].respond_by

        # Re-rated red: police's new deadline has already passed, education's comes in a few
        # seconds, housing's in an hour; health answered and is not troubled.
        now = utcnow()
        new = {"police": now - timedelta(seconds=1), "health": now + timedelta(minutes=30),
               "education": now + timedelta(seconds=8), "housing": now + timedelta(hours=1)}
        event_id, value = await hub.deadlines_changed(
            contact_id, respond_by=now + timedelta(hours=2), agency_respond_by=new)

        async def told() -> dict[str, Any]:
            found = {a: await hub.updated(contact_id, a) for a in AGENCIES}
            return found if all(found[a] for a in ("police", "education", "housing")) else {}

        updates = await wait_until(told, what="the agencies told of their new deadlines")
        # Police escalate on the next tick, education at their new deadline: not in a day.
        escalations = await hub.escalated(contact_id, count=2)
        status = (await client.get(f"/v1/contacts/{contact_id}/requests")).json()
        moved = await chasers_of(hub, app, contact_id)

        # Delivered again (at least once): the inbox applies it once.
        await produce(hub.bootstrap, TRIAGE, value, key=contact_id.encode())
        await wait_until(lambda: hub.inbox_outcome(app, event_id), what="the change applied")
        await asyncio.sleep(1.5)
        assert await hub.published_count(app, AgencyRequestUpdated.event_type, contact_id) == 3

    # Each open request's agency is told, on its own requests topic, keyed by the contact.
    for agency in ("police", "education", "housing"):
        [message] = updates[agency]
        data = message.data
        assert isinstance(data, AgencyRequestUpdated)
        request = requests[agency]
        assert (data.request_id, data.contact_id, data.agency, data.reference) == (
            request.request_id, contact_id, agency, request.reference)
        assert data.rating == "red"
        assert data.respond_by == new[agency]
        assert data.previous_respond_by == request.respond_by  # amber's day
        assert message.subject == contact_id
    assert updates["health"] == []  # answered: left as it was
    raw = [m for m, e in await hub.read_events(agency_requests("police"))
           if e.subject == contact_id and isinstance(e.data, AgencyRequestUpdated)]
    assert [m.key for m in raw] == [contact_id.encode()]
    assert b"Brook" not in raw[0].value  # ids and times only

    by_agency = {e.data.agency: e.data for e in escalations}  # type: ignore[union-attr]
    assert set(by_agency) == {"police", "education"}
    for agency in ("police", "education"):
        escalated = by_agency[agency]
        assert isinstance(escalated, AgencyEscalated)
        assert escalated.respond_by == new[agency] and escalated.rating == "red"
        assert new[agency] <= escalated.escalated_at < requests[agency].respond_by
    # A reminder is never sent for the old deadline; police's new one left no time for one.
    assert not await hub.chased(contact_id, "police")
    assert all(isinstance(e.data, AgencyChased) and e.data.respond_by == new["education"]
               for e in await hub.chased(contact_id, "education"))

    requests_now = {r["agency"]: r for r in status["requests"]}
    assert requests_now["health"]["status"] == "answered"
    assert requests_now["health"]["rating"] == "amber"
    health_by = datetime.fromisoformat(requests_now["health"]["respond_by"])
    assert health_by == requests["health"].respond_by
    for agency in ("police", "education", "housing"):
        assert requests_now[agency]["rating"] == "red"
        assert datetime.fromisoformat(requests_now[agency]["respond_by"]) == new[agency]
    assert requests_now["police"]["no_answer_by_deadline"] is True
    assert 3000 < requests_now["housing"]["seconds_left"] <= 3600

    # The chasers were planned again, in place: housing's reminder at three quarters of its
    # new time, its escalation at the new deadline, both waiting; health's stay cancelled.
    housing = requests["housing"]
    remind, escalate = moved[("housing", "remind")], moved[("housing", "escalate")]
    assert _utc(remind.due_at) == (housing.requested_at
                                   + (new["housing"] - housing.requested_at) * 0.75)
    assert _utc(escalate.due_at) == new["housing"]
    assert all(r.fired_at is None and r.cancelled_at is None for r in (remind, escalate))
    assert moved[("police", "remind")].cancel_reason == "re-rated"
    assert _utc(moved[("police", "escalate")].due_at) == new["police"]
    assert {moved[("health", k)].cancel_reason for k in ("remind", "escalate")} == {"answered"}
    assert _utc(moved[("health", "escalate")].due_at) == requests["health"].respond_by
