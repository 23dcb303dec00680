"""Noticing a broker that came back empty.

The embedded broker keeps topics in memory: restarted, it has forgotten every event and every
committed offset. Each service reads the first message of `mash.cluster.epoch` (writing one if
the topic is empty: the first writer wins, every reader takes offset 0) and compares it with the
epoch it last saw, kept in its own database. A different epoch means a new broker: the service
creates the declared topics, republishes its whole outbox and re-reads its input from the start;
inboxes make all of that harmless. The same check runs against Apache Kafka, where the epoch
never changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaConsumer, TopicPartition

from mash_schemas.envelope import utcnow
from mash_schemas.events import BrokerEpochMarked
from mash_schemas.topics import EPOCH

from .codec import DecodeError, decode, encode
from .db import Database
from .kafka import ensure_topics, make_producer
from .logging import get_logger
from .state import get_state, set_state

log = get_logger("mash.epoch")

STATE_KEY = "broker_epoch"


class BrokerWatch:
    def __init__(
        self,
        *,
        bootstrap: str,
        db: Database,
        service: str,
        on_new_epoch: list[Callable[[], Awaitable[object]]],
        interval_s: float = 2.0,
    ) -> None:
        self.bootstrap = bootstrap
        self.db = db
        self.service = service
        self.on_new_epoch = on_new_epoch
        self.interval_s = interval_s
        self.epoch: str | None = None
        self.replacements_seen = 0
        self._ready = asyncio.Event()
        self._poke = asyncio.Event()

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    async def wait_ready(self) -> None:
        await self._ready.wait()

    def suspect(self) -> None:
        """Something failed against the broker: hold publishing until the epoch is re-checked."""
        self._ready.clear()
        self._poke.set()

    async def _read_epoch(self) -> str | None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            group_id=None,
            client_id=f"mash-{self.service}-epoch",
            enable_auto_commit=False,
            request_timeout_ms=10_000,
        )
        await consumer.start()
        try:
            if EPOCH not in await consumer.topics():
                return None
            tp = TopicPartition(EPOCH, 0)
            consumer.assign([tp])
            consumer.seek(tp, 0)
            batch = await consumer.getmany(tp, timeout_ms=1_500, max_records=1)
            messages = batch.get(tp, [])
            if not messages:
                return None
            marker = decode(messages[0].value).data
            if not isinstance(marker, BrokerEpochMarked):
                raise DecodeError(f"{EPOCH} starts with {type(marker).__name__}, not an epoch")
            return marker.epoch
        finally:
            await consumer.stop()

    async def _write_epoch(self) -> None:
        producer = make_producer(self.bootstrap, client_id=f"mash-{self.service}-epoch")
        await producer.start()
        try:
            marker = BrokerEpochMarked(
                epoch=str(uuid.uuid4()), marked_by=self.service, marked_at=utcnow()
            )
            _, value = encode(marker, source=f"/mash/{self.service}", subject="broker")
            await producer.send_and_wait(EPOCH, value, key=b"broker", partition=0)
        finally:
            await producer.stop()

    async def check(self) -> str:
        """Confirm the broker's epoch; on a new one, run the callbacks first."""
        epoch = await self._read_epoch()
        if epoch is None or self.epoch is None:
            await ensure_topics(self.bootstrap)
        if epoch is None:
            await self._write_epoch()
            epoch = await self._read_epoch()
            if epoch is None:
                raise RuntimeError("the epoch marker was written but cannot be read back")
        if epoch != self.epoch:
            stored = await get_state(self.db, STATE_KEY)
            if stored != epoch:
                log.warning("broker.new_epoch", epoch=epoch, reason=f"was {stored}")
                for callback in self.on_new_epoch:
                    await callback()
                await set_state(self.db, STATE_KEY, epoch)
                self.replacements_seen += 1
            self.epoch = epoch
        self._ready.set()
        return epoch

    async def run(self) -> None:
        while True:
            try:
                await self.check()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._ready.clear()
                log.warning("broker.unreachable", error=type(exc).__name__, reason=str(exc)[:200])
            self._poke.clear()
            with contextlib.suppress(TimeoutError):  # asyncio.timeout: see Relay.run
                async with asyncio.timeout(self.interval_s):
                    await self._poke.wait()
