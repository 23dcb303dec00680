"""Decision's subscriptions, all in one place: every event about a contact goes into its picture.

Every type declared on these topics is taken, the ones the picture has no rule for yet included
(they are kept as timeline entries), so a type added to the contract later is not lost. The
replay command (`mash-decision replay`) reads the same topics through the same fold.
"""

from __future__ import annotations

from mash_common.codec import Decoded
from mash_common.consumer import Handler
from mash_common.outbox import UnitOfWork
from mash_common.runtime import Clock
from mash_schemas.events import EventData
from mash_schemas.topics import CONTACTS, DECISIONS, FEEDBACK, INFORMATION, TOPICS_BY_NAME, TRIAGE

from ..service_layer import handlers

# Decisions: our own PictureCompleted and DecisionMade (kept when written; read again they
# change nothing, and a replay needs them). Feedback: when the referrer was told (timeliness).
TOPICS = [CONTACTS, TRIAGE, INFORMATION, DECISIONS, FEEDBACK]


def consumed() -> tuple[type[EventData], ...]:
    """Every event type about a contact declared on the topics decision reads."""
    return tuple(
        model
        for topic in TOPICS
        for model in TOPICS_BY_NAME[topic].events
        if "contact_id" in model.model_fields
    )


CONSUMED = consumed()


def subscriptions(clock: Clock) -> dict[str, Handler]:
    async def into_the_picture(uow: UnitOfWork, event: Decoded) -> None:
        await handlers.record_event(uow, event, now=clock())

    return {model.event_type: into_the_picture for model in CONSUMED}
