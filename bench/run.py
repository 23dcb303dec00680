"""`make bench`: the raw broker and the walking skeleton's journey, measured in one run.

1. Raw broker: aiokafka produces N messages of 1 KB (acks=all, batched) to one topic of the
   embedded broker and consumes them back; messages per second each way.
2. The journey: every service as a process on the same broker, contacts posted concurrently
   and walked through every stage (the human steps through the HTTP APIs, the agencies answered
   by the simulator), from the first POST to the last feedback; contacts and events per second.
Then the ratio of the journey's event rate to the raw produce rate, the baseline of this run.

Environment: BENCH_MESSAGES (default 50000), BENCH_CONTACTS (default 60), BENCH_WORKERS (8).
"""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from mash_common.broker import EmbeddedBroker, free_port
from mash_common.devstack import SERVICES, Stack
from mash_common.journey import HubClient
from mash_common.kafka import ensure_topics
from mash_common.synthetic import marf
from mash_common.testing.service import read_topic
from mash_schemas.topics import TOPICS

MESSAGES = int(os.environ.get("BENCH_MESSAGES", "50000"))
CONTACTS = int(os.environ.get("BENCH_CONTACTS", "60"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "8"))
AGENCIES = ["police", "health"]


async def raw_broker(bootstrap: str) -> tuple[float, float]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic("bench.raw", num_partitions=6, replication_factor=1)])
    await admin.close()
    payload = os.urandom(512).hex().encode()  # 1 KB, incompressible-ish
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5,
                                max_batch_size=256 * 1024)
    await producer.start()
    t0 = time.perf_counter()
    futures = [await producer.send("bench.raw", payload, key=str(i % 997).encode())
               for i in range(MESSAGES)]
    await asyncio.gather(*futures)
    produce_s = time.perf_counter() - t0
    await producer.stop()

    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                                enable_auto_commit=False, max_partition_fetch_bytes=4 << 20)
    await consumer.start()
    tps = [TopicPartition("bench.raw", p) for p in range(6)]
    consumer.assign(tps)
    await consumer.seek_to_beginning(*tps)
    got = 0
    t0 = time.perf_counter()
    while got < MESSAGES:
        batch = await consumer.getmany(timeout_ms=2000, max_records=10_000)
        if not batch:
            break
        got += sum(len(v) for v in batch.values())
    consume_s = time.perf_counter() - t0
    await consumer.stop()
    if got < MESSAGES:
        raise SystemExit(f"raw consume read {got} of {MESSAGES}")
    return MESSAGES / produce_s, MESSAGES / consume_s


def walk(hub: HubClient, i: int) -> None:
    rng = random.Random(i)
    cid = hub.post_contact(marf(rng))["contact_id"]
    hub.threshold_decision(cid)
    hub.rag_rating(cid, rating="amber", agencies=AGENCIES)
    hub.wait_in_decision_queue(cid, timeout=300)
    hub.decide(cid)
    hub.wait_for_feedback(cid, timeout=300)


def journey(bootstrap: str, data_dir: Path) -> tuple[float, float, int]:
    asyncio.run(ensure_topics(bootstrap))
    stack = Stack(bootstrap=bootstrap, data_dir=data_dir,
                  ports={s.name: free_port() for s in SERVICES},
                  extra_env={"MASH_RELAY_INTERVAL_S": "0.05", "MASH_TIMER_INTERVAL_S": "0.5"})
    sim = None
    try:
        stack.start_all()
        stack.wait_ready(timeout_s=120)
        sim = subprocess.Popen(
            [sys.executable, "-m", "mash_gateway.simulator", "--bootstrap", bootstrap,
             "--delay-seconds", "0", "--late-fraction", "0", "--seed", "1"],
            stdout=open(data_dir / "sim.log", "ab"), stderr=subprocess.STDOUT,  # noqa: SIM115
        )
        urls = {name: stack.url(name) for name, _ in stack.running}
        clients = [HubClient(urls) for _ in range(WORKERS)]
        walk(clients[0], -1)  # warm up: consumer groups joined, connections open
        t0 = time.perf_counter()
        with ThreadPoolExecutor(WORKERS) as pool:
            list(pool.map(lambda i: walk(clients[i % WORKERS], i), range(CONTACTS)))
        elapsed = time.perf_counter() - t0
        for c in clients:
            c.close()
        events = sum(
            len(asyncio.run(read_topic(bootstrap, t.name, timeout_ms=300)))
            for t in TOPICS if not t.name.startswith(("mash.dlq.", "mash.cluster."))
        )
        return CONTACTS / elapsed, events * CONTACTS / (CONTACTS + 1) / elapsed, events
    finally:
        if sim is not None:
            sim.terminate()
            sim.wait(10)
        stack.stop_all()


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="mash-bench-") as tmp:
        broker = EmbeddedBroker(port=free_port(), log_path=Path(tmp) / "broker.log").start()
        try:
            print(f"raw broker: {MESSAGES} messages of 1 KB, acks=all ...", flush=True)
            produced, consumed = asyncio.run(raw_broker(broker.bootstrap))
            print(f"  produce  {produced:10,.0f} msg/s")
            print(f"  consume  {consumed:10,.0f} msg/s")
            print(f"journey: {CONTACTS} contacts, {WORKERS} at a time, agencies {AGENCIES} "
                  "answered by the simulator ...", flush=True)
            contacts_s, events_s, events = journey(broker.bootstrap, Path(tmp))
        finally:
            broker.stop()
    print(f"  contacts {contacts_s:10,.2f} /s through every stage")
    print(f"  events   {events_s:10,.1f} /s on the journey's topics ({events} events)")
    print(f"ratio: journey events/s : raw produce msg/s = 1 : {produced / events_s:,.0f} "
          f"({events_s / produced:.4%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
