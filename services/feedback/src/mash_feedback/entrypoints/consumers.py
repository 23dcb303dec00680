"""Feedback's subscriptions, all in one place: the contact (who referred) and its decisions."""

from __future__ import annotations

from mash_common.codec import Decoded
from mash_common.consumer import Handler
from mash_common.crypto import Sealer
from mash_common.outbox import UnitOfWork
from mash_common.runtime import Clock
from mash_schemas.events import ContactReceived, DecisionMade
from mash_schemas.topics import CONTACTS, DECISIONS

from ..service_layer import handlers

TOPICS = [CONTACTS, DECISIONS]


def subscriptions(sealer: Sealer, clock: Clock, *, email: bool = False) -> dict[str, Handler]:
    async def contact_received(uow: UnitOfWork, event: Decoded) -> None:
        await handlers.contact_received(uow, sealer, event, now=clock(), email=email)

    async def decision_made(uow: UnitOfWork, event: Decoded) -> None:
        await handlers.decision_made(uow, sealer, event, now=clock(), email=email)

    return {
        ContactReceived.event_type: contact_received,
        DecisionMade.event_type: decision_made,
    }
