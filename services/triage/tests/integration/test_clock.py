"""The RAG clock lives in the database: the warning and the breach each fire exactly once, also
when the service is stopped and started between the rating and the deadline; a re-rating
replaces what is still ticking; the MASH's decision stops it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from mash_common.auth import Role
from mash_common.testing.auth import staff_headers
from mash_common.testing.service import running, wait_until
from mash_schemas.events import DeadlineBreached, DeadlineWarned
from mash_schemas.topics import TRIAGE
from mash_triage.bootstrap import build_app
from mash_triage.config import TriageSettings

pytestmark = pytest.mark.integration

DECISION_MAKER = staff_headers(Role.DECISION_MAKER, "staff:dm-0042")
MANAGER = staff_headers(Role.MASH_MANAGER, "staff:mgr-0007")

WARNED, BREACHED = DeadlineWarned.event_type, DeadlineBreached.event_type


async def rated(client: Any, contact_id: str, *ratings: str) -> None:
    r = await client.post(
        f"/v1/contacts/{contact_id}/threshold-decision",
        json={"outcome": "mash", "level_of_need": 3, "rationale": "multi-agency picture needed"},
    )
    assert r.status_code == 200, r.text
    for rating in ratings:
        r = await client.post(f"/v1/contacts/{contact_id}/rag-rating", headers=MANAGER,
                              json={"rating": rating, "rationale": f"now {rating}"})
        assert r.status_code == 200, r.text


async def test_warning_and_breach_fire_once_each_across_restarts(
    settings: TriageSettings, hub: Any, clock: Any
) -> None:
    received = clock.now
    clock.advance(minutes=30)
    async with running(build_app(settings, clock=clock), headers=DECISION_MAKER) as client:
        contact_id = await hub.send_contact(received_at=received)
        await hub.screened(client, contact_id)
        await rated(client, contact_id, "red")  # deadline: received + 4h, warning at 3h
    # Stopped between the rating and the warning.
    clock.now = received + timedelta(hours=3, minutes=1)
    async with running(build_app(settings, clock=clock)):
        [warned] = await hub.wait_for(TRIAGE, contact_id, WARNED)
        await asyncio.sleep(1.0)  # several more ticks: nothing else is due yet
    assert await hub.events(TRIAGE, contact_id, BREACHED) == []
    # Stopped between the warning and the breach.
    clock.now = received + timedelta(hours=4, minutes=1)
    async with running(build_app(settings, clock=clock)):
        [breached] = await hub.wait_for(TRIAGE, contact_id, BREACHED)
    # Long after, and restarted again: nothing fires a second time.
    clock.now = received + timedelta(days=10)
    async with running(build_app(settings, clock=clock), headers=DECISION_MAKER) as client:
        await asyncio.sleep(1.5)
        record = (await client.get(f"/v1/contacts/{contact_id}")).json()

    assert len(await hub.events(TRIAGE, contact_id, WARNED)) == 1
    assert len(await hub.events(TRIAGE, contact_id, BREACHED)) == 1
    deadline = received + timedelta(hours=4)
    assert (warned.data.rating, warned.data.deadline) == ("red", deadline)
    assert warned.data.warned_at == received + timedelta(hours=3, minutes=1)
    assert (breached.data.rating, breached.data.deadline) == ("red", deadline)
    assert breached.data.breached_at == received + timedelta(hours=4, minutes=1)
    assert {(d["kind"], d["fired_at"] is not None) for d in record["deadlines"]} == {
        ("warn", True), ("breach", True)}
    assert [s["action"] for s in record["history"]][-2:] == [
        "deadline warned", "deadline breached"]


async def test_a_re_rating_replaces_the_deadline_and_a_decision_stops_the_clock(
    settings: TriageSettings, hub: Any, clock: Any
) -> None:
    received = clock.now
    async with running(build_app(settings, clock=clock), headers=DECISION_MAKER) as client:
        re_rated = await hub.send_contact(received_at=received)
        decided = await hub.send_contact(received_at=received)
        control = await hub.send_contact(received_at=received)
        await hub.screened(client, re_rated, decided, control)
        clock.advance(hours=1)
        await rated(client, re_rated, "amber", "red")  # amber's 24h replaced by red's 4h
        await rated(client, decided, "green")
        await rated(client, control, "green")
        await hub.send_decision(decided, decided_at=clock.now)

        async def clock_stopped() -> bool:
            record = (await client.get(f"/v1/contacts/{decided}")).json()
            return record["status"] == "decided"

        await wait_until(clock_stopped, what="the decision to stop the clock")

        clock.now = received + timedelta(hours=5)
        [warned] = await hub.wait_for(TRIAGE, re_rated, WARNED)
        [breached] = await hub.wait_for(TRIAGE, re_rated, BREACHED)
        assert warned.data.deadline == breached.data.deadline == received + timedelta(hours=4)
        assert warned.data.rating == breached.data.rating == "red"
        assert warned.envelope.time <= breached.envelope.time  # the warning comes first

        # Past every deadline (green: nine working days): the control contact's breach shows
        # the timer has passed them all.
        clock.now = received + timedelta(days=11)
        await hub.wait_for(TRIAGE, control, BREACHED)
        record = (await client.get(f"/v1/contacts/{decided}")).json()

    fired = await hub.events(TRIAGE, re_rated)
    assert [e.type for e in fired if e.type in (WARNED, BREACHED)] == [WARNED, BREACHED]
    assert [e.type for e in await hub.events(TRIAGE, decided) if e.type in (WARNED, BREACHED)] \
        == []
    assert {d["cancel_reason"] for d in record["deadlines"]} == {"decided"}
    assert record["decision"]["outcome"] == "early_help"
    assert record["history"][-1]["action"] == "decision made"


async def test_working_hours_skip_easter_and_an_out_of_hours_red_runs_all_night(
    settings: TriageSettings, hub: Any, clock: Any
) -> None:
    london = ZoneInfo("Europe/London")
    # Maundy Thursday 16:00; Good Friday and Easter Monday 2026 are bank holidays.
    thursday = datetime(2026, 4, 2, 16, tzinfo=london)
    saturday_night = datetime(2026, 4, 4, 22, tzinfo=london)
    clock.now = datetime(2026, 4, 4, 22, 30, tzinfo=london).astimezone(UTC)
    async with running(build_app(settings, clock=clock), headers=DECISION_MAKER) as client:
        amber = await hub.send_contact(received_at=thursday.astimezone(UTC))
        red = await hub.send_contact(received_at=saturday_night.astimezone(UTC),
                                     immediate_risk=True)
        await hub.screened(client, amber, red)
        await rated(client, amber, "amber")
        await rated(client, red, "red")
    # Easter Monday noon: 92 hours on, but only one working hour (Thursday 16-17) has passed.
    # The red contact's four hours ran through Saturday night: warned and breached.
    clock.now = datetime(2026, 4, 6, 12, tzinfo=london).astimezone(UTC)
    async with running(build_app(settings, clock=clock)):
        await hub.wait_for(TRIAGE, red, BREACHED)
        await asyncio.sleep(1.0)
    assert await hub.events(TRIAGE, amber, WARNED) == []
    # Thursday after Easter, 10:01: 18 of the 24 working hours (Thu 1 + Tue 8 + Wed 8 + 1).
    clock.now = datetime(2026, 4, 9, 10, 1, tzinfo=london).astimezone(UTC)
    async with running(build_app(settings, clock=clock)):
        [warned] = await hub.wait_for(TRIAGE, amber, WARNED)
        await asyncio.sleep(1.0)
    assert await hub.events(TRIAGE, amber, BREACHED) == []
    # 16:01 the same day: the breach, after another restart; and never again after that.
    clock.now = datetime(2026, 4, 9, 16, 1, tzinfo=london).astimezone(UTC)
    async with running(build_app(settings, clock=clock)):
        [breached] = await hub.wait_for(TRIAGE, amber, BREACHED)
    clock.now = datetime(2026, 5, 1, 12, tzinfo=UTC)
    async with running(build_app(settings, clock=clock)):
        await asyncio.sleep(1.5)

    deadline = datetime(2026, 4, 9, 16, tzinfo=london)
    assert warned.data.deadline == breached.data.deadline == deadline
    assert breached.data.breached_at == datetime(2026, 4, 9, 16, 1, tzinfo=london)
    assert len(await hub.events(TRIAGE, amber, WARNED)) == 1
    assert len(await hub.events(TRIAGE, amber, BREACHED)) == 1
    [red_breach] = await hub.events(TRIAGE, red, BREACHED)
    assert red_breach.data.deadline == datetime(2026, 4, 5, 2, tzinfo=london)
    assert len(await hub.events(TRIAGE, red, WARNED)) == 1
