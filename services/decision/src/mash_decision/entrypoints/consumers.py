"""Decision's subscriptions, all in one place: every event about a contact goes into its picture."""

from __future__ import annotations

from mash_common.codec import Decoded
from mash_common.consumer import Handler
from mash_common.outbox import UnitOfWork
from mash_common.runtime import Clock
from mash_schemas.events import (
    ContactReceived,
    DeadlineBreached,
    DeadlineWarned,
    InformationProvided,
    InformationRequested,
    RagRated,
    ThresholdDecided,
)
from mash_schemas.topics import CONTACTS, INFORMATION, TRIAGE

from ..service_layer import handlers

TOPICS = [CONTACTS, TRIAGE, INFORMATION]

CONSUMED = (
    ContactReceived,
    ThresholdDecided,
    RagRated,
    InformationRequested,
    DeadlineWarned,
    DeadlineBreached,
    InformationProvided,
)


def subscriptions(clock: Clock) -> dict[str, Handler]:
    async def into_the_picture(uow: UnitOfWork, event: Decoded) -> None:
        await handlers.record_event(uow, event, now=clock())

    return {model.event_type: into_the_picture for model in CONSUMED}
