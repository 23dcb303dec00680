"""Phone contacts: staff record the call; a reminder fires if the written form has not followed
in time (24 hours by default, a setting), once, from the database clock."""

from __future__ import annotations

import asyncio

import pytest

from mash_common.auth import Role
from mash_common.testing.auth import staff_headers
from mash_common.testing.service import running, settings_for
from mash_intake.bootstrap import build_app
from mash_intake.config import IntakeSettings
from mash_schemas.events import WrittenFormOverdue
from mash_schemas.topics import CONTACTS

from .conftest import ManualClock, events, marf, wait_for

pytestmark = pytest.mark.integration

# Who takes the calls; the written forms are recorded by someone else on the team.
STAFF = staff_headers(Role.DECISION_MAKER, "staff:mash-0011")
TEAM = staff_headers(Role.MASH_MANAGER, "staff:mgr-0007")


async def test_a_reminder_fires_once_when_the_written_form_does_not_follow(
    kafka_bootstrap: str, database_url: str, clock: ManualClock
) -> None:
    settings = settings_for(IntakeSettings, bootstrap=kafka_bootstrap, db_url=database_url,
                            written_form_hours=48)
    async with running(build_app(settings, clock=clock), headers=TEAM) as client:
        silent = (await client.post("/v1/contacts", json=marf(channel="phone"),
                                    headers=STAFF)).json()
        followed = (await client.post("/v1/contacts", json=marf(channel="phone"),
                                      headers=STAFF)).json()
        written = await client.post("/v1/contacts", json=marf(
            follows_phone_contact=followed["reference"]))
        assert written.status_code == 202
        twice = await client.post("/v1/contacts", json=marf(
            follows_phone_contact=followed["reference"]))
        clock.advance(hours=47)
        await asyncio.sleep(1.0)  # several ticks (timer_interval_s is 0.2 in tests)
        early = await events(kafka_bootstrap, CONTACTS, key=silent["contact_id"],
                             event_type=WrittenFormOverdue.event_type)
        clock.advance(hours=2)
        [overdue] = await wait_for(kafka_bootstrap, CONTACTS, key=silent["contact_id"],
                                   event_type=WrittenFormOverdue.event_type)
        clock.advance(hours=24)
        await asyncio.sleep(1.0)
    assert early == []
    assert twice.status_code == 422
    assert twice.json()["detail"][0]["loc"] == ["body", "follows_phone_contact"]
    data = overdue.data
    assert isinstance(data, WrittenFormOverdue)
    assert (data.reference, data.recorded_by) == (silent["reference"], "staff:mash-0011")
    assert (data.due_at - data.received_at).total_seconds() == 48 * 3600
    assert await events(kafka_bootstrap, CONTACTS, key=followed["contact_id"],
                        event_type=WrittenFormOverdue.event_type) == []
    assert len(await events(kafka_bootstrap, CONTACTS, key=silent["contact_id"],
                            event_type=WrittenFormOverdue.event_type)) == 1
