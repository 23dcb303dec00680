"""aiokafka producer, consumer and admin helpers (plain Kafka protocol only).

Works on the embedded Tansu broker and on Apache Kafka alike: no idempotent producer, no
transactions, no reliance on end offsets (see DESIGN.md).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from mash_schemas.topics import TOPICS, Topic

COMPRESSION = "lz4"  # the embedded broker keeps everything in memory; lz4 is cheap to produce


def make_producer(bootstrap: str, *, client_id: str, **kwargs: object) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        client_id=client_id,
        acks="all",
        compression_type=COMPRESSION,
        linger_ms=5,
        max_batch_size=256 * 1024,
        request_timeout_ms=15_000,
        metadata_max_age_ms=3_000,
        **kwargs,  # type: ignore[arg-type]
    )


def make_consumer(
    bootstrap: str,
    *,
    group_id: str | None,
    client_id: str,
    session_timeout_ms: int = 10_000,
    heartbeat_interval_ms: int = 1_000,
    metadata_max_age_ms: int = 3_000,
) -> AIOKafkaConsumer:
    # New groups start from the earliest offset: end offsets are unreliable on the embedded
    # broker, and the inbox makes re-reading harmless.
    return AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=group_id,
        client_id=client_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        session_timeout_ms=session_timeout_ms,
        heartbeat_interval_ms=heartbeat_interval_ms,
        rebalance_timeout_ms=max(session_timeout_ms, 6_000),
        metadata_max_age_ms=metadata_max_age_ms,
        max_poll_records=500,
        request_timeout_ms=max(15_000, session_timeout_ms + 5_000),
    )


async def ensure_topics(
    bootstrap: str,
    topics: Iterable[Topic] = TOPICS,
    *,
    timeout_s: float = 30.0,
    replication_factor: int | None = None,
) -> list[str]:
    """Create every declared topic that does not exist yet. Returns the names created.

    Replication factor: MASH_KAFKA_REPLICATION_FACTOR (3 in production), else 1.
    """
    if replication_factor is None:
        replication_factor = int(os.environ.get("MASH_KAFKA_REPLICATION_FACTOR", "1"))
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="mash-topics")
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        try:
            await admin.start()
            break
        except Exception:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.5)
    created: list[str] = []
    try:
        existing = set(await admin.list_topics())
        for t in topics:
            if t.name in existing:
                continue
            try:
                # One topic per call: a batch fails as a whole on some brokers when one exists.
                await admin.create_topics(
                    [
                        NewTopic(
                            t.name,
                            num_partitions=t.partitions,
                            replication_factor=replication_factor,
                            topic_configs=t.config,
                        )
                    ]
                )
                created.append(t.name)
            except TopicAlreadyExistsError:
                pass
    finally:
        await admin.close()
    return created
