"""The consumer loop every service runs: decode, dedupe through the inbox, apply, dead-letter.

A handler receives a `UnitOfWork` (the open transaction) and the decoded event. Whatever it
writes and publishes commits together with the inbox record, so a redelivered event changes
nothing. A handler raises `Rejected` when the event cannot be applied (unknown request, illegal
state): the message goes to the service's dead-letter topic with the reason and the consumer
carries on. Offsets are committed only after the events before them are applied.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import hashlib
import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from aiokafka import TopicPartition
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError

from mash_schemas.envelope import utcnow
from mash_schemas.events import DeadLetter
from mash_schemas.topics import dead_letters

from . import inbox
from .codec import Decoded, DecodeError, decode
from .db import Database
from .logging import get_logger
from .outbox import UnitOfWork

log = get_logger("mash.consumer")

Handler = Callable[[UnitOfWork, Decoded], Awaitable[None]]

# A handler that fails for a reason that is not the infrastructure (a bug, bad data that slipped
# past validation) is retried this many times, then dead-lettered so the partition moves on.
MAX_ATTEMPTS = 3


class Rejected(Exception):
    """The event is well-formed but cannot be applied; it goes to the dead-letter topic."""

    def __init__(self, reason: str, errors: Iterable[str] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.errors = list(errors)


class EventConsumer:
    def __init__(
        self,
        *,
        service: str,
        source: str,
        db: Database,
        topics: list[str],
        handlers: dict[str, Handler],
        consumer_factory: Callable[[], Any],
        after_commit: Callable[[], None] = lambda: None,
        rejection_hook: Callable[[UnitOfWork, Decoded | None, Any, Rejected | DecodeError],
                                 Awaitable[None]] | None = None,
        group_id: str = "",
    ) -> None:
        self.service = service
        self.group_id = group_id  # the factory's consumer group, for status pages
        self.source = source
        self.db = db
        self.topics = topics
        self.handlers = handlers
        self.consumer_factory = consumer_factory
        self.after_commit = after_commit
        self.rejection_hook = rejection_hook
        self.consumer: Any = None
        self.running = False
        self.applied = 0
        self.duplicates = 0
        self.dead_lettered = 0
        self._rewind = False

    def rewind(self) -> None:
        """Read every assigned partition again from the start (the broker was replaced)."""
        self._rewind = True

    async def run(self) -> None:
        while True:
            try:
                await self._run_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.running = False
                log.warning("consumer.restart", error=type(exc).__name__, reason=str(exc)[:200])
                await self._close()
                await asyncio.sleep(1.0)

    async def _close(self) -> None:
        consumer, self.consumer = self.consumer, None
        if consumer is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(consumer.stop(), 10)

    async def stop(self) -> None:
        await self._close()

    async def _run_once(self) -> None:
        self.consumer = self.consumer_factory()
        self.consumer.subscribe(self.topics)
        await self.consumer.start()
        self.running = True
        while True:
            if self._rewind:
                # Kept until partitions are assigned: a rewind asked for mid-rebalance must
                # not be lost.
                assigned = list(self.consumer.assignment())
                if assigned:
                    self._rewind = False
                    await self.consumer.seek_to_beginning(*assigned)
            batches = await self.consumer.getmany(timeout_ms=500, max_records=500)
            for tp, messages in batches.items():
                offsets: dict[TopicPartition, int] = {}
                for msg in messages:
                    done = await self._handle_with_retry(msg)
                    if not done:
                        # Leave the rest of this partition for the next poll, from this message.
                        self.consumer.seek(tp, msg.offset)
                        break
                    offsets[tp] = msg.offset + 1
                if offsets:
                    await self.consumer.commit(offsets)
                    self.after_commit()

    async def _handle_with_retry(self, msg: Any) -> bool:
        attempt = 0
        while True:
            attempt += 1
            try:
                await self.handle(msg)
                return True
            except (OperationalError, InterfaceError, OSError) as exc:
                # The database is unreachable: nothing is lost, try the same message again.
                log.warning(
                    "consumer.infrastructure_error",
                    topic=msg.topic, partition=msg.partition, offset=msg.offset,
                    error=type(exc).__name__, attempt=attempt,
                )
                await asyncio.sleep(min(0.2 * 2**attempt, 5.0))
                if attempt >= 5:
                    return False
            except Exception as exc:
                log.exception(
                    "consumer.handler_failed",
                    topic=msg.topic, partition=msg.partition, offset=msg.offset, attempt=attempt,
                )
                if attempt >= MAX_ATTEMPTS:
                    await self._dead_letter(
                        msg, None, f"handler failed: {type(exc).__name__}", [str(exc)[:500]]
                    )
                    return True
                await asyncio.sleep(0.2 * attempt)

    async def handle(self, msg: Any) -> None:
        try:
            decoded = dataclasses.replace(decode(msg.value), topic=msg.topic)
        except DecodeError as exc:
            await self._dead_letter(msg, None, exc.reason, exc.errors, exc)
            return
        handler = self.handlers.get(decoded.type)
        if handler is None:
            return  # a type on a shared topic this service does not act on
        try:
            async with self.db.transaction() as session:
                if await inbox.seen(session, decoded.event_id):
                    self.duplicates += 1
                    log.info("event.duplicate", **self._ids(msg, decoded))
                    return
                await inbox.record(session, decoded.event_id, decoded.type, msg.topic)
                await handler(UnitOfWork(session, self.source), decoded)
        except Rejected as exc:
            await self._dead_letter(msg, decoded, exc.reason, exc.errors, exc)
            return
        except IntegrityError:
            if await self._seen(decoded.event_id):
                # Another copy of this service applied it in the same instant.
                self.duplicates += 1
                return
            raise
        self.applied += 1
        self.after_commit()
        log.info("event.applied", **self._ids(msg, decoded))

    async def _seen(self, event_id: str) -> bool:
        async with self.db.sessions() as session:
            return await inbox.seen(session, event_id)

    def _ids(self, msg: Any, decoded: Decoded | None) -> dict[str, Any]:
        ids: dict[str, Any] = {"topic": msg.topic, "partition": msg.partition, "offset": msg.offset}
        if decoded is not None:
            ids.update(
                event_id=decoded.event_id,
                event_type=decoded.type,
                contact_id=decoded.subject,
            )
        return ids

    async def _dead_letter(
        self,
        msg: Any,
        decoded: Decoded | None,
        reason: str,
        errors: list[str],
        exc: Rejected | DecodeError | None = None,
    ) -> None:
        value: bytes = msg.value or b""
        # Deterministic id: the same message dead-lettered twice is one dead letter.
        digest = hashlib.sha256(
            f"{self.service}|{msg.topic}|{msg.partition}|{msg.offset}|".encode() + value
        ).hexdigest()
        dl_id = str(uuid.UUID(digest[:32]))
        letter = DeadLetter(
            consumer=self.service,
            reason=reason,
            errors=errors,
            source_topic=msg.topic,
            source_partition=msg.partition,
            source_offset=msg.offset,
            source_key=base64.b64encode(msg.key).decode() if msg.key is not None else None,
            original=base64.b64encode(value).decode(),
            dead_lettered_at=utcnow(),
        )
        subject = decoded.subject if decoded is not None else "unknown"
        try:
            async with self.db.transaction() as session:
                uow = UnitOfWork(session, self.source)
                if decoded is not None:
                    if await inbox.seen(session, decoded.event_id):
                        return
                    await inbox.record(
                        session, decoded.event_id, decoded.type, msg.topic, "dead_lettered"
                    )
                await uow.publish(
                    letter, subject=subject, topic=dead_letters(self.service), event_id=dl_id,
                    key=msg.key.decode(errors="replace") if msg.key is not None else None,
                )
                if self.rejection_hook is not None and exc is not None:
                    await self.rejection_hook(uow, decoded, msg, exc)
        except IntegrityError:
            return  # already dead-lettered
        self.dead_lettered += 1
        self.after_commit()
        log.warning("event.dead_lettered", reason=reason, **self._ids(msg, decoded))
