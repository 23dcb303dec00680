"""Decision's subscriptions, all in one place: every event about a contact goes into its picture,
and every read of a child's record (`mash.audit`) into the hash-chained audit log.

The two are read by separate consumers (the audit log is a `Lane` of its own, group
`mash.decision.audit`): every read anywhere in the hub lands on `mash.audit`, and a backlog
there (a restart, a replay, a busy morning) must never delay a child's picture.

Every type declared on the picture's topics is taken, the ones the picture has no rule for yet
included (they are kept as timeline entries), so a type added to the contract later is not lost.
The replay command (`mash-decision replay`) reads the same topics through the same fold and the
same audit log.
"""

from __future__ import annotations

from mash_common.codec import Decoded
from mash_common.consumer import Handler, Rejected
from mash_common.outbox import UnitOfWork
from mash_common.runtime import Clock
from mash_schemas.events import EventData, RecordAccessed
from mash_schemas.topics import (
    AUDIT,
    CONTACTS,
    DECISIONS,
    FEEDBACK,
    INFORMATION,
    TOPICS_BY_NAME,
    TRIAGE,
)

from ..service_layer import audit, handlers

# Decisions: our own PictureCompleted and DecisionMade (kept when written; read again they
# change nothing, and a replay needs them). Feedback: when the referrer was told (timeliness).
PICTURE_TOPICS = [CONTACTS, TRIAGE, INFORMATION, DECISIONS, FEEDBACK]
# Audit: every service's RecordAccessed, our own included, for the audit log (not the picture).
AUDIT_TOPICS = [AUDIT]
TOPICS = [*PICTURE_TOPICS, *AUDIT_TOPICS]


def consumed() -> tuple[type[EventData], ...]:
    """Every event type about a contact declared on the topics the pictures are folded from."""
    return tuple(
        model
        for topic in PICTURE_TOPICS
        for model in TOPICS_BY_NAME[topic].events
        if "contact_id" in model.model_fields
    )


CONSUMED = consumed()
# The types appended to the audit log.
AUDITED: tuple[type[EventData], ...] = (RecordAccessed,)


def subscriptions(clock: Clock) -> dict[str, Handler]:
    """The picture's handlers, for the topics in PICTURE_TOPICS."""

    async def into_the_picture(uow: UnitOfWork, event: Decoded) -> None:
        await handlers.record_event(uow, event, now=clock())

    return {model.event_type: into_the_picture for model in CONSUMED}


def audit_subscriptions() -> dict[str, Handler]:
    """The audit log's handlers, for the topics in AUDIT_TOPICS."""

    async def into_the_audit_log(uow: UnitOfWork, event: Decoded) -> None:
        if not isinstance(event.data, RecordAccessed):  # an upcaster's bug, not the sender's
            raise Rejected("not a record access", [type(event.data).__name__])
        await audit.record_access(uow.session, event.event_id, event.data)

    return {model.event_type: into_the_audit_log for model in AUDITED}
