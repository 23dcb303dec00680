"""Helpers for tests that run a service in-process against the real broker and database."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from fastapi import FastAPI

from mash_common.settings import ServiceSettings

S = TypeVar("S", bound=ServiceSettings)
T = TypeVar("T")

FAST = {
    "env": "test",
    "session_timeout_ms": 3_000,
    "heartbeat_interval_ms": 500,
    "metadata_max_age_ms": 1_000,
    "relay_interval_s": 0.05,
    "epoch_check_interval_s": 0.5,
    "timer_interval_s": 0.2,
}


def settings_for(
    cls: type[S], *, bootstrap: str, db_url: str | None = None, data_dir: Path | None = None,
    **overrides: Any,
) -> S:
    values: dict[str, Any] = {**FAST, "kafka_bootstrap": bootstrap, **overrides}
    if db_url is not None:
        values["database_url"] = db_url
    if data_dir is not None:
        values["data_dir"] = data_dir
    return cls(**values)


@contextlib.asynccontextmanager
async def running(
    app: FastAPI, headers: dict[str, str] | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """Start the app's lifespan (runtime included) and give an HTTP client to it; `headers`
    go with every request (e.g. `staff_headers(role)` for a test that is one person's)."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc",
                                     headers=headers) as client:
            yield client


async def wait_until(
    probe: Callable[[], Awaitable[T]], *, timeout: float = 30.0, interval: float = 0.1,
    what: str = "condition",
) -> T:
    """Poll `probe` until it returns something truthy; fail with `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = await probe()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


async def read_topic(bootstrap: str, topic: str, *, timeout_ms: int = 1_500) -> list[Any]:
    """Every message on a topic, from the beginning of each partition (no consumer group)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                                enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic)
        if partitions is None:
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        if not tps:
            return []
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        out: list[Any] = []
        while True:
            batch = await consumer.getmany(*tps, timeout_ms=timeout_ms)
            if not batch:
                break
            for msgs in batch.values():
                out.extend(msgs)
        return out
    finally:
        await consumer.stop()


async def produce(bootstrap: str, topic: str, value: bytes, key: bytes | None = None) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine from sync code, in a thread of its own (no clash with a running loop)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()
