"""1,000 contacts posted concurrently to intake, a real process on a broker of its own; intake is
SIGKILLed in the middle of the batch and started again. Every contact is acknowledged exactly
once (a client retries with the same Idempotency-Key) and every acknowledged contact is on
`mash.contacts`: none lost, none twice under different event ids."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mash_common.auth import Role
from mash_common.broker import EmbeddedBroker, free_port
from mash_common.codec import decode
from mash_common.devstack import Stack
from mash_common.kafka import ensure_topics
from mash_common.synthetic import marf
from mash_common.testing.auth import staff_headers
from mash_common.testing.service import read_topic, run_sync
from mash_common.testing.stack import FAST_ENV
from mash_schemas.events import ContactReceived
from mash_schemas.topics import CONTACTS

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

# The staff member recording the contacts (record-contact).
STAFF = staff_headers(Role.DECISION_MAKER, "staff:dm-load")

TOTAL = 1_000
CONCURRENCY = 50
KILL_AFTER = TOTAL // 2  # acknowledged contacts before intake is killed


@pytest.fixture(scope="module")
def intake_alone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp: Path = tmp_path_factory.mktemp("intake-load")
    with EmbeddedBroker(port=free_port(), log_path=tmp / "tansu.log") as broker:
        run_sync(ensure_topics(broker.bootstrap))
        stack = Stack(bootstrap=broker.bootstrap, data_dir=tmp / "data",
                      ports={"intake": free_port()}, extra_env=dict(FAST_ENV))
        try:
            stack.start("intake")
            stack.wait_ready(timeout_s=60)
            yield stack
        finally:
            stack.stop_all()


class Batch:
    """The client side: each form has its own Idempotency-Key and is retried until answered."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.answers: dict[str, list[dict[str, object]]] = defaultdict(list)
        self.statuses: Counter[int] = Counter()
        self.retries = 0
        self.acked = 0
        self.half_way = asyncio.Event()
        self.down_s = 0.0

    async def post(self, client: httpx.AsyncClient, sem: asyncio.Semaphore, i: int) -> None:
        key = f"load-{i:04d}"
        body = marf(random.Random(i))
        deadline = time.monotonic() + 90
        async with sem:
            while True:
                try:
                    r = await client.post(f"{self.url}/v1/contacts", json=body,
                                          headers={"Idempotency-Key": key})
                except httpx.TransportError:  # intake is down: retry, same key
                    if time.monotonic() > deadline:
                        raise
                    self.retries += 1
                    await asyncio.sleep(0.2)
                    continue
                self.statuses[r.status_code] += 1
                if r.status_code >= 500 and time.monotonic() < deadline:
                    self.retries += 1
                    await asyncio.sleep(0.2)
                    continue
                assert r.status_code == 202, r.text
                self.answers[key].append(r.json())
                self.acked += 1
                if self.acked >= KILL_AFTER:
                    self.half_way.set()
                return


async def post_all_with_a_restart(stack: Stack) -> tuple[Batch, float]:
    batch = Batch(stack.url("intake"))
    sem = asyncio.Semaphore(CONCURRENCY)
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(timeout=30, limits=limits, headers=STAFF) as client:
        started = time.monotonic()
        posts = asyncio.gather(*(batch.post(client, sem, i) for i in range(TOTAL)))

        async def restart() -> None:
            await batch.half_way.wait()
            t0 = time.monotonic()
            await asyncio.to_thread(stack.kill, "intake")
            await asyncio.to_thread(stack.start, "intake")
            await asyncio.to_thread(stack.wait_ready, 60)
            batch.down_s = time.monotonic() - t0

        await asyncio.gather(posts, restart())
        elapsed = time.monotonic() - started
    return batch, elapsed


async def received_on_the_bus(bootstrap: str, expected: set[str]) -> dict[str, set[str]]:
    """contact id -> the event ids of its ContactReceived, once all expected ones are there."""
    deadline = time.monotonic() + 60
    while True:
        seen: dict[str, set[str]] = defaultdict(set)
        for m in await read_topic(bootstrap, CONTACTS, timeout_ms=3_000):
            event = decode(m.value)
            if isinstance(event.data, ContactReceived):
                seen[event.data.contact_id].add(event.event_id)
        if expected <= seen.keys() or time.monotonic() > deadline:
            return seen
        await asyncio.sleep(1.0)


def test_a_thousand_contacts_with_a_restart_in_the_middle(intake_alone: Stack) -> None:
    stack = intake_alone
    batch, elapsed = run_sync(post_all_with_a_restart(stack))
    print(f"\nintake load: {TOTAL} contacts in {elapsed:.1f}s = {TOTAL / elapsed:.0f} contacts/s "
          f"(concurrency {CONCURRENCY}, SIGKILL + restart after {KILL_AFTER} acknowledged; "
          f"intake down {batch.down_s:.1f}s; {batch.retries} retries; "
          f"statuses {dict(batch.statuses)})")

    # Every form acknowledged; each key maps to exactly one contact, however often it was sent.
    assert len(batch.answers) == TOTAL
    contact_of: dict[str, str] = {}
    for key, answers in batch.answers.items():
        ids = {str(a["contact_id"]) for a in answers}
        assert len(answers) == 1 and len(ids) == 1, (key, answers)
        contact_of[key] = ids.pop()
    acknowledged = set(contact_of.values())
    assert len(acknowledged) == TOTAL, "two keys were given the same contact"
    assert batch.retries > 0, "the restart did not fall inside the batch"

    # A retry of every key now: the same contact back (what was committed before the kill stays).
    async def replay() -> dict[str, str]:
        async with httpx.AsyncClient(base_url=stack.url("intake"), timeout=30,
                                     headers=STAFF) as client:
            out = {}
            for i in range(0, TOTAL, 97):
                key = f"load-{i:04d}"
                r = await client.post("/v1/contacts", json=marf(random.Random(i)),
                                      headers={"Idempotency-Key": key})
                assert r.status_code == 202 and r.headers.get("Idempotent-Replayed") == "true"
                out[key] = r.json()["contact_id"]
            return out

    for key, cid in run_sync(replay()).items():
        assert contact_of[key] == cid

    # On the bus: every acknowledged contact, and no contact under two different event ids.
    on_bus = run_sync(received_on_the_bus(stack.bootstrap, acknowledged))
    missing = acknowledged - on_bus.keys()
    assert not missing, f"{len(missing)} acknowledged contacts are not on {CONTACTS}"
    assert len(on_bus) == len(acknowledged)
    twice = {cid: ids for cid, ids in on_bus.items() if len(ids) > 1}
    assert not twice, f"contacts published under different event ids: {list(twice)[:5]}"
