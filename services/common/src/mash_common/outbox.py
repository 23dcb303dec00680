"""The transactional outbox and its relay.

`UnitOfWork.publish` writes an event into the outbox in the same transaction as the state
change; the `Relay` publishes what is unpublished, in order, and marks it. If the broker comes
back empty, `republish_all` marks every row unpublished again (the outbox is the service's
durable event log) and consumers' inboxes ignore what they already applied.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mash_schemas.envelope import utcnow
from mash_schemas.events import EventData
from mash_schemas.topics import topic_for_event

from .codec import encode
from .db import Database, outbox_table
from .logging import get_logger

log = get_logger("mash.outbox")


class UnitOfWork:
    """A database transaction plus the events it will publish. Handlers get one of these."""

    def __init__(self, session: AsyncSession, source: str) -> None:
        self.session = session
        self.source = source
        self.published: list[str] = []

    async def publish(
        self,
        data: EventData,
        *,
        subject: str,
        topic: str | None = None,
        agency: str | None = None,
        key: str | None = None,
        time: datetime | None = None,
        event_id: str | None = None,
    ) -> str:
        topic = topic or topic_for_event(data.event_type, agency)
        event_id, value = encode(
            data, source=self.source, subject=subject, time=time, event_id=event_id
        )
        await self.session.execute(
            insert(outbox_table).values(
                event_id=event_id,
                event_type=data.event_type,
                topic=topic,
                key=key if key is not None else subject,
                value=value,
                created_at=utcnow(),
                published_at=None,
            )
        )
        self.published.append(event_id)
        return event_id


class Relay:
    """Publishes the outbox in sequence order, at least once."""

    def __init__(
        self,
        db: Database,
        producer_factory: Callable[[], Any],
        *,
        interval_s: float = 0.2,
        batch: int = 500,
        gate: Callable[[], Any] | None = None,
        on_failure: Callable[[], None] | None = None,
    ) -> None:
        self.db = db
        self.producer_factory = producer_factory
        self.interval_s = interval_s
        self.batch = batch
        self.gate = gate
        self.on_failure = on_failure
        self._wake = asyncio.Event()
        self._producer: Any = None
        self.published_total = 0
        self.healthy = False
        self.generation = 0

    async def republish_all(self) -> int:
        """Mark every row unpublished (the broker lost what it had) and publish again."""
        self.generation += 1
        async with self.db.transaction() as session:
            await session.execute(update(outbox_table).values(published_at=None))
            count = (
                await session.execute(select(func.count()).select_from(outbox_table))
            ).scalar_one()
        self.wake()
        return int(count)

    def wake(self) -> None:
        self._wake.set()

    async def _ensure_producer(self) -> Any:
        if self._producer is None:
            producer = self.producer_factory()
            await producer.start()
            self._producer = producer
        return self._producer

    async def _drop_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(producer.stop(), 5)

    def _select(self) -> Any:
        stmt = (
            select(
                outbox_table.c.seq,
                outbox_table.c.topic,
                outbox_table.c.key,
                outbox_table.c.value,
            )
            .where(outbox_table.c.published_at.is_(None))
            .order_by(outbox_table.c.seq)
            .limit(self.batch)
        )
        if not self.db.is_sqlite:
            # Two copies of a service share the outbox; each row goes out through one of them.
            stmt = stmt.with_for_update(skip_locked=True)
        return stmt

    async def _send(self, rows: Sequence[Any]) -> None:
        producer = await self._ensure_producer()
        futures = [
            await producer.send(
                r.topic,
                value=r.value,
                key=r.key.encode() if r.key is not None else None,
                headers=[("content-type", b"application/cloudevents+json")],
            )
            for r in rows
        ]
        await asyncio.gather(*futures)

    @staticmethod
    async def _mark(session: AsyncSession, rows: Sequence[Any]) -> None:
        await session.execute(
            update(outbox_table)
            .where(outbox_table.c.seq.in_([r.seq for r in rows]))
            .values(published_at=utcnow())
        )

    async def publish_pending(self) -> int:
        """Publish one batch. Returns how many rows were published."""
        if self.db.is_sqlite:
            # SQLite has one writer: never hold its lock while talking to the broker.
            generation = self.generation
            async with self.db.transaction() as session:
                rows = (await session.execute(self._select())).all()
            if not rows:
                return 0
            await self._send(rows)
            if generation != self.generation:
                return 0  # the broker was replaced meanwhile: these rows go out again
            async with self.db.transaction() as session:
                await self._mark(session, rows)
        else:
            async with self.db.transaction() as session:
                rows = (await session.execute(self._select())).all()
                if not rows:
                    return 0
                await self._send(rows)
                await self._mark(session, rows)
        self.published_total += len(rows)
        return len(rows)

    async def run(self) -> None:
        backoff = self.interval_s
        while True:
            try:
                if self.gate is not None:
                    await self.gate()
                n = await self.publish_pending()
                self.healthy = True
                backoff = self.interval_s
                if n == self.batch:
                    continue
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.healthy = False
                log.warning("relay.publish_failed", error=type(exc).__name__, reason=str(exc)[:200])
                await self._drop_producer()
                if self.on_failure is not None:
                    self.on_failure()
                backoff = min(backoff * 2, 5.0)
            self._wake.clear()
            # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation that
            # arrives as the event is set, and shutdown then waits forever.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(backoff):
                    await self._wake.wait()

    async def stop(self) -> None:
        await self._drop_producer()


async def pending_count(db: Database) -> int:
    async with db.sessions() as session:
        return int(
            (
                await session.execute(
                    select(func.count())
                    .select_from(outbox_table)
                    .where(outbox_table.c.published_at.is_(None))
                )
            ).scalar_one()
        )
