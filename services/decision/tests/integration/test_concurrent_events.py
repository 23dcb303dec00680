"""Events about one contact applied at the same instant (two copies of the service, or two
topics) against the real databases: each sees the other, and the picture completes once."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from mash_common.codec import decode, encode
from mash_common.db import outbox_table
from mash_common.testing.service import settings_for
from mash_decision.bootstrap import MIGRATIONS, build_runtime
from mash_decision.config import DecisionSettings
from mash_decision.service_layer import handlers
from mash_schemas.events import EventData, PictureCompleted

pytestmark = pytest.mark.integration

CONTACTS = 12


async def test_the_last_two_events_applied_at_once_still_complete_the_picture_once(
    kafka_bootstrap: str, database_url: str, clock: Any, hub_for: Any
) -> None:
    settings = settings_for(DecisionSettings, bootstrap=kafka_bootstrap, db_url=database_url)
    runtime = build_runtime(settings, clock)  # not started: no broker needed to call handlers
    await runtime.db.migrate(MIGRATIONS)
    hubs = [hub_for(kafka_bootstrap, settings) for _ in range(CONTACTS)]

    async def apply(hub: Any, data: EventData) -> None:
        _, value = encode(data, source="/mash/test", subject=hub.contact_id)
        async with runtime.unit_of_work() as uow:
            await handlers.record_event(uow, decode(value), now=clock())

    try:
        for hub in hubs:
            await apply(hub, hub.requested("police", "health"))
            await apply(hub, hub.answered("police"))
        # Neither of these completes a picture alone; together they do. All at once.
        await asyncio.gather(*(
            apply(hub, event) for hub in hubs
            for event in (hub.contact(), hub.answered("health", minutes=25))
        ))
        async with runtime.db.sessions() as session:
            published = (
                await session.execute(select(outbox_table.c.key, outbox_table.c.event_type))
            ).all()
    finally:
        await runtime.db.dispose()
    assert sorted(published) == sorted(
        (hub.contact_id, PictureCompleted.event_type) for hub in hubs)
