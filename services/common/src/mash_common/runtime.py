"""The runtime of one service: database, outbox relay, consumers, broker watch and timers.

A service's bootstrap builds one `ServiceRuntime` with its handlers, topics and timers; the
HTTP app's lifespan starts and stops it. Nothing here does I/O until `start()`.

A service reads its topics through one consumer group, `mash.<service>`. Topics whose backlog
must not hold up the others (decision's `mash.audit`, which every read in the hub writes to) go
in a `Lane`: a consumer of its own, in the group `mash.<service>.<lane>`, committing its own
offsets into the same database and inbox.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from mash_schemas.envelope import utcnow

from .consumer import EventConsumer, Handler
from .crypto import Sealer
from .db import Database
from .epoch import BrokerWatch
from .kafka import make_consumer, make_producer
from .logging import get_logger
from .outbox import Relay, UnitOfWork, pending_count
from .settings import ServiceSettings

log = get_logger("mash.runtime")

Timer = Callable[["ServiceRuntime", datetime], Awaitable[object]]
Clock = Callable[[], datetime]


@dataclass
class Lane:
    """Topics read by a consumer of their own, so their backlog never delays the service's
    other topics (and theirs never delays these)."""

    name: str
    topics: list[str]
    handlers: dict[str, Handler]


@dataclass
class Wiring:
    """What a service plugs into the shared runtime."""

    migrations_dir: Path
    handlers: dict[str, Handler] = field(default_factory=dict)
    topics: list[str] = field(default_factory=list)
    timers: list[Timer] = field(default_factory=list)
    rejection_hook: Any = None
    lanes: list[Lane] = field(default_factory=list)

    def __post_init__(self) -> None:
        seen = set(self.topics)
        for lane in self.lanes:
            if not lane.name.isidentifier():
                raise ValueError(f"a lane's name becomes part of a group id: {lane.name!r}")
            shared = seen & set(lane.topics)
            if shared:
                raise ValueError(f"topics read by two consumers: {sorted(shared)}")
            seen |= set(lane.topics)


class ServiceRuntime:
    def __init__(
        self,
        settings: ServiceSettings,
        wiring: Wiring,
        *,
        clock: Clock = utcnow,
        sealer: Sealer | None = None,
    ):
        self.settings = settings
        self.wiring = wiring
        self.clock = clock
        self.source = f"/mash/{settings.service}"
        self.db = Database(settings.db_url)
        # Handlers are built before the runtime; a bootstrap passes the sealer they share.
        self.sealer = sealer or Sealer(settings.data_key.get_secret_value())
        self.watch = BrokerWatch(
            bootstrap=settings.kafka_bootstrap,
            db=self.db,
            service=settings.service,
            on_new_epoch=[self._on_new_broker],
            interval_s=settings.epoch_check_interval_s,
        )
        self.relay = Relay(
            self.db,
            lambda: make_producer(settings.kafka_bootstrap, client_id=f"mash-{settings.service}"),
            interval_s=settings.relay_interval_s,
            gate=self.watch.wait_ready,
            on_failure=self.watch.suspect,
        )
        # The main consumer (the service's own group) first, then one per lane.
        self.consumers: dict[str, EventConsumer] = {}
        if wiring.topics:
            self.consumers["main"] = self._consumer(
                wiring.topics, wiring.handlers, settings.consumer_group)
        for lane in wiring.lanes:
            self.consumers[lane.name] = self._consumer(
                lane.topics, lane.handlers, f"{settings.consumer_group}.{lane.name}")
        self.consumer: EventConsumer | None = self.consumers.get("main")
        self._tasks: list[asyncio.Task[Any]] = []
        self.started = False

    def _consumer(self, topics: list[str], handlers: dict[str, Handler],
                  group_id: str) -> EventConsumer:
        settings = self.settings
        return EventConsumer(
            service=settings.service,
            source=self.source,
            db=self.db,
            topics=topics,
            handlers=handlers,
            consumer_factory=lambda: make_consumer(
                settings.kafka_bootstrap,
                group_id=group_id,
                client_id=f"mash-{settings.service}",
                session_timeout_ms=settings.session_timeout_ms,
                heartbeat_interval_ms=settings.heartbeat_interval_ms,
                metadata_max_age_ms=settings.metadata_max_age_ms,
            ),
            after_commit=self.relay.wake,
            rejection_hook=self.wiring.rejection_hook,
            group_id=group_id,
        )

    async def _on_new_broker(self) -> None:
        count = await self.relay.republish_all()
        for consumer in self.consumers.values():
            consumer.rewind()
        log.warning("broker.republishing", count=count)

    @contextlib.asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[UnitOfWork]:
        """A transaction for an API call or timer; the relay is woken after it commits."""
        async with self.db.transaction() as session:
            yield UnitOfWork(session, self.source)
        self.relay.wake()

    async def _timers(self) -> None:
        while True:
            for timer in self.wiring.timers:
                try:
                    await timer(self, self.clock())
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.warning("timer.failed", error=type(exc).__name__, reason=str(exc)[:200])
            await asyncio.sleep(self.settings.timer_interval_s)

    async def start(self) -> None:
        await self.db.migrate(self.wiring.migrations_dir)
        self._tasks = [
            asyncio.create_task(self.watch.run(), name="broker-watch"),
            asyncio.create_task(self.relay.run(), name="relay"),
        ]
        for name, consumer in self.consumers.items():
            self._tasks.append(asyncio.create_task(consumer.run(), name=f"consumer-{name}"))
        if self.wiring.timers:
            self._tasks.append(asyncio.create_task(self._timers(), name="timers"))
        self.started = True
        log.info("service.started", settings=self.settings.public())

    async def stop(self) -> None:
        # Cancel until done: a task may absorb one cancellation inside a library call.
        pending = set(self._tasks)
        while pending:
            for task in pending:
                task.cancel()
            _, pending = await asyncio.wait(pending, timeout=1.0)
        self._tasks = []
        for consumer in self.consumers.values():
            await consumer.stop()
        await self.relay.stop()
        await self.db.dispose()
        self.started = False

    async def status(self) -> dict[str, Any]:
        db_ok = await self.db.ping()
        consumers = self.consumers.values()
        consumer_ok = all(c.running for c in consumers)
        return {
            "ready": bool(self.started and db_ok and self.watch.ready and consumer_ok),
            "database": db_ok,
            "broker": self.watch.ready,
            "broker_epoch": self.watch.epoch,
            "consumer": consumer_ok,
            "outbox_pending": await pending_count(self.db) if db_ok else None,
            "applied": sum(c.applied for c in consumers),
            "duplicates_ignored": sum(c.duplicates for c in consumers),
            "dead_lettered": sum(c.dead_lettered for c in consumers),
            "published": self.relay.published_total,
            # Each consumer on its own: a lane's backlog shows here, not in the others.
            "consumers": {
                name: {"group": c.group_id, "running": c.running, "applied": c.applied,
                       "duplicates_ignored": c.duplicates, "dead_lettered": c.dead_lettered}
                for name, c in self.consumers.items()
            },
        }
