"""Rebuild the pictures and the audit log from the topics alone, into an empty store.

Events go through the same rules as the live consumer (the subject must be the contact; an
event id is applied once) and the same fold; reads of a child's record are appended to the
audit log in the order they are read, so the same order gives the same chain and head.
Nothing is published: the completions and decisions the live service published are on the
decisions topic and are read back like any other event. Our own events (reads of a picture
included) are also written to the outbox, marked published, so the rebuilt store is the
durable event log a live service expects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from mash_common import inbox
from mash_common.codec import Decoded
from mash_common.db import outbox_table
from mash_schemas.events import RecordAccessed
from mash_schemas.topics import topic_for_event

from ..adapters.store import PictureStore
from .audit import record_access
from .facts import contact_of
from .handlers import fold_rows

OWN_SOURCE = "/mash/decision"


@dataclass
class ReplayCount:
    read: int = 0
    applied: int = 0
    duplicates: int = 0
    undecodable: int = 0
    rejected: int = 0
    ignored: int = 0
    audited: int = 0
    contacts: set[str] = field(default_factory=set)

    def as_dict(self) -> dict[str, int]:
        return {
            "read": self.read, "applied": self.applied, "duplicates": self.duplicates,
            "undecodable": self.undecodable, "rejected": self.rejected,
            "ignored": self.ignored, "contacts": len(self.contacts),
            "audited": self.audited,
        }


async def _keep_own(session: AsyncSession, event: Decoded, value: bytes, key: str,
                    *, now: datetime) -> None:
    """One of our own events goes into the outbox too, as already published."""
    if event.envelope.source == OWN_SOURCE:
        await session.execute(
            insert(outbox_table).values(
                event_id=event.event_id, event_type=event.type,
                topic=event.topic or topic_for_event(event.type), key=key,
                value=value, created_at=now, published_at=now,
            )
        )


async def replay_batch(
    session: AsyncSession,
    events: Sequence[tuple[Decoded, bytes]],
    *,
    consumed: frozenset[str],
    now: datetime,
    count: ReplayCount,
    audited: frozenset[str] = frozenset({RecordAccessed.event_type}),
) -> None:
    """Apply one batch in one transaction, then fold each contact it touched once."""
    store = PictureStore(session)
    touched: set[str] = set()
    for event, value in events:
        if event.type in audited and isinstance(event.data, RecordAccessed):
            if await inbox.seen(session, event.event_id):
                count.duplicates += 1
                continue
            await inbox.record(session, event.event_id, event.type,
                               event.topic or topic_for_event(event.type))
            await record_access(session, event.event_id, event.data)
            await _keep_own(session, event, value, event.subject, now=now)
            count.audited += 1
            count.applied += 1
            continue
        if event.type not in consumed:
            count.ignored += 1
            continue
        contact_id = contact_of(event.data)
        if event.subject != contact_id:
            count.rejected += 1  # the live consumer dead-letters it
            continue
        if await inbox.seen(session, event.event_id):
            count.duplicates += 1
            continue
        await inbox.record(session, event.event_id, event.type,
                           event.topic or topic_for_event(event.type))
        await store.lock(contact_id)
        if not await store.has_event(event.event_id):
            await store.add_event(
                event_id=event.event_id,
                contact_id=contact_id,
                event_type=event.type,
                topic=event.topic or topic_for_event(event.type),
                occurred_at=event.envelope.time,
                recorded_at=now,
                data=event.data.model_dump(mode="json"),
            )
        await _keep_own(session, event, value, contact_id, now=now)
        touched.add(contact_id)
        count.applied += 1
    for contact_id in sorted(touched):
        await store.save(fold_rows(contact_id, await store.events(contact_id)), now=now)
    count.contacts |= touched
