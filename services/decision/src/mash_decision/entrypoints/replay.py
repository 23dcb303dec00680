"""`mash-decision replay`: rebuild every picture and the audit log from the topics alone, into an
empty store.

Reads the decision service's topics from the beginning of every partition, with no consumer
group (nothing is committed, no live consumer is disturbed), and stops once the topics have
been quiet for `idle_s` seconds: end offsets cannot be trusted on the embedded broker.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import time
from collections.abc import Sequence

from aiokafka import TopicPartition
from sqlalchemy import func, select

from mash_common.codec import Decoded, DecodeError, decode
from mash_common.db import Database
from mash_common.kafka import make_consumer
from mash_common.logging import get_logger
from mash_common.runtime import Clock
from mash_schemas.envelope import utcnow

from ..adapters.tables import audit_log, picture_events, pictures
from ..bootstrap import MIGRATIONS
from ..service_layer.replay import ReplayCount, replay_batch
from .consumers import AUDITED, CONSUMED, TOPICS

log = get_logger("mash.decision.replay")



class StoreNotEmpty(RuntimeError):
    pass


async def _empty(db: Database) -> bool:
    async with db.sessions() as session:
        for table in (pictures, picture_events, audit_log):
            n = (await session.execute(select(func.count()).select_from(table))).scalar_one()
            if n:
                return False
    return True


async def replay(
    bootstrap: str,
    database_url: str,
    *,
    idle_s: float = 5.0,
    topics: Sequence[str] = TOPICS,
    clock: Clock = utcnow,
) -> ReplayCount:
    db = Database(database_url)
    count = ReplayCount()
    consumed = frozenset(m.event_type for m in CONSUMED)
    audited = frozenset(m.event_type for m in AUDITED)
    try:
        await db.migrate(MIGRATIONS)
        if not await _empty(db):
            raise StoreNotEmpty(
                "replay rebuilds into an empty store: this database already holds pictures "
                "or audit entries"
            )
        consumer = make_consumer(bootstrap, group_id=None, client_id="mash-decision-replay")
        await consumer.start()
        try:
            tps = []
            for topic in topics:
                partitions = consumer.partitions_for_topic(topic)
                if partitions is None:
                    await consumer._client.force_metadata_update()
                    partitions = consumer.partitions_for_topic(topic) or set()
                tps += [TopicPartition(topic, p) for p in sorted(partitions)]
            if not tps:
                return count
            consumer.assign(tps)
            await consumer.seek_to_beginning(*tps)
            quiet_since = time.monotonic()
            while time.monotonic() - quiet_since < idle_s:
                batches = await consumer.getmany(*tps, timeout_ms=500, max_records=1000)
                if not batches:
                    continue
                quiet_since = time.monotonic()
                events: list[tuple[Decoded, bytes]] = []
                for messages in batches.values():
                    for msg in messages:
                        count.read += 1
                        try:
                            decoded = dataclasses.replace(decode(msg.value), topic=msg.topic)
                        except DecodeError:
                            count.undecodable += 1  # the live consumer dead-letters it
                            continue
                        events.append((decoded, msg.value))
                async with db.transaction() as session:
                    await replay_batch(session, events, consumed=consumed, now=clock(),
                                       count=count, audited=audited)
        finally:
            await consumer.stop()
    finally:
        await db.dispose()
    log.info("replay.done", **count.as_dict())
    return count


def main(argv: Sequence[str], *, configure_logs: bool = True) -> int:
    from mash_common.logging import configure_logging

    from ..config import DecisionSettings

    settings = DecisionSettings()
    parser = argparse.ArgumentParser(
        prog="mash-decision replay",
        description="Rebuild every picture and the audit log from the topics into an empty "
        "store.",
    )
    parser.add_argument("--bootstrap", default=settings.kafka_bootstrap)
    parser.add_argument("--database-url", default=None,
                        help="the empty store (default: the service's own database)")
    parser.add_argument("--idle-seconds", type=float, default=5.0,
                        help="stop once the topics have been quiet this long")
    args = parser.parse_args(argv)
    if configure_logs:
        configure_logging("decision", settings.log_level)
    url = args.database_url or settings.db_url
    try:
        count = asyncio.run(replay(args.bootstrap, url, idle_s=args.idle_seconds))
    except StoreNotEmpty as exc:
        print(json.dumps({"error": str(exc)}))
        return 2
    print(json.dumps(count.as_dict()))
    return 0
