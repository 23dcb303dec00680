"""A contact and its decision applied at the same instant (two copies of the service, or two
topics) against the real databases: the feedback is written once, not never and not twice."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from mash_common.codec import decode, encode
from mash_common.crypto import Sealer
from mash_common.db import outbox_table
from mash_common.testing.service import settings_for
from mash_feedback.bootstrap import MIGRATIONS, build_runtime
from mash_feedback.config import FeedbackSettings
from mash_feedback.service_layer import handlers
from mash_schemas.envelope import utcnow
from mash_schemas.events import ContactReceived, EventData, FeedbackSent, HandoverSummary

pytestmark = pytest.mark.integration

CONTACTS = 12


async def test_a_contact_and_its_decision_applied_at_once_give_feedback_once(
    kafka_bootstrap: str, database_url: str, hub_for: Any
) -> None:
    settings = settings_for(FeedbackSettings, bootstrap=kafka_bootstrap, db_url=database_url)
    runtime = build_runtime(settings)  # not started: no broker needed to call handlers
    await runtime.db.migrate(MIGRATIONS)
    sealer = Sealer(settings.data_key.get_secret_value())
    hubs = [hub_for(kafka_bootstrap, settings, "professional") for _ in range(CONTACTS)]

    async def apply(hub: Any, data: EventData) -> None:
        _, value = encode(data, source="/mash/test", subject=hub.contact_id)
        handler = (handlers.contact_received if isinstance(data, ContactReceived)
                   else handlers.decision_made)
        async with runtime.unit_of_work() as uow:
            await handler(uow, sealer, decode(value), now=utcnow())

    try:
        await asyncio.gather(*(
            apply(hub, event) for hub in hubs for event in (hub.contact(), hub.decision())
        ))
        async with runtime.db.sessions() as session:
            published = (
                await session.execute(select(outbox_table.c.key, outbox_table.c.event_type))
            ).all()
    finally:
        await runtime.db.dispose()
    # Per decision: FeedbackSent for the referrer and the team, and the team's handover.
    assert sorted(published) == sorted(
        (hub.contact_id, event_type) for hub in hubs
        for event_type in (FeedbackSent.event_type,) * 2 + (HandoverSummary.event_type,))
