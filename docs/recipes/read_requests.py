#!/usr/bin/env python3
"""Print an agency's open MASH information requests, with confluent-kafka.

Reads `mash.agency.<agency>.requests` and `mash.agency.<agency>.responses` from the beginning
(no consumer group is joined and nothing is committed), and prints every request that has no
answer yet. With `--key` (the agency's key, base64url) it also opens each request's sealed
`subject_details`. See docs/agency-integration.md.

    python docs/recipes/read_requests.py --bootstrap 127.0.0.1:9092 --agency police
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from typing import Any

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, TopicPartition

AGENCIES = (
    "police", "health", "childrens-social-care", "adult-safeguarding", "education",
    "probation", "housing", "youth-offending", "camhs",
)
REQUEST = "uk.mash.agency.request.v1"
UPDATED = "uk.mash.agency.request.updated.v1"  # a re-rating moved the deadline
RESPONSE = "uk.mash.agency.response.v1"


def read_all(bootstrap: str, topics: list[str], idle_s: float) -> list[Any]:
    """Every message of `topics`, read until the broker has had nothing more for `idle_s`.

    The embedded broker reports wrong end offsets, so "the end" is a quiet spell, not a
    high-water mark.
    """
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": f"mash-recipe-{uuid.uuid4()}",  # required by the client; never joined
        "enable.auto.commit": False,
        "enable.partition.eof": False,
    })
    try:
        meta = consumer.list_topics(timeout=10)
        assignment = []
        for topic in topics:
            if topic not in meta.topics or meta.topics[topic].error is not None:
                raise KafkaException(f"topic {topic} does not exist on {bootstrap}")
            assignment += [TopicPartition(topic, p, OFFSET_BEGINNING)
                           for p in sorted(meta.topics[topic].partitions)]
        consumer.assign(assignment)
        messages: list[Any] = []
        quiet_since = time.monotonic()
        while time.monotonic() - quiet_since < idle_s:
            msg = consumer.poll(0.1)
            if msg is None:
                continue
            if msg.error():
                raise KafkaException(msg.error())
            messages.append(msg)
            quiet_since = time.monotonic()
        return messages
    finally:
        consumer.close()


def cloud_event(value: bytes | None) -> dict[str, Any] | None:
    try:
        event = json.loads(value or b"")
    except ValueError:
        return None
    return event if isinstance(event, dict) and isinstance(event.get("data"), dict) else None


def open_requests(messages: list[Any], agency: str) -> list[dict[str, Any]]:
    requests: dict[str, dict[str, Any]] = {}
    moved: dict[str, dict[str, Any]] = {}
    answered: set[str] = set()
    for msg in messages:
        event = cloud_event(msg.value())
        if event is None:
            continue
        request_id = event["data"].get("request_id")
        on_requests = msg.topic().endswith(".requests")
        if event.get("type") == REQUEST and on_requests:
            requests.setdefault(request_id, event)  # a republished request keeps its first copy
        elif event.get("type") == UPDATED and on_requests:
            # One contact's messages keep their order: the latest update (by offset) wins.
            latest = moved.get(request_id)
            if latest is None or latest["offset"] < msg.offset():
                moved[request_id] = {"offset": msg.offset(), "data": event["data"]}
        elif event.get("type") == RESPONSE:
            answered.add(request_id)
    for request_id, update in moved.items():
        if request_id in requests:  # move the due date to the new deadline
            for field in ("rating", "respond_by"):
                requests[request_id]["data"][field] = update["data"].get(field)
    return [e for rid, e in requests.items() if rid not in answered]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bootstrap", default="127.0.0.1:9092", help="Kafka bootstrap address")
    parser.add_argument("--agency", required=True, choices=AGENCIES)
    parser.add_argument("--key", help="the agency's key (base64url) to open subject_details")
    parser.add_argument("--idle", type=float, default=1.5,
                        help="seconds without a new message that mean 'read everything'")
    args = parser.parse_args(argv)

    topics = [f"mash.agency.{args.agency}.requests", f"mash.agency.{args.agency}.responses"]
    try:
        messages = read_all(args.bootstrap, topics, args.idle)
    except KafkaException as exc:
        print(f"cannot read: {exc}", file=sys.stderr)
        return 1
    pending = open_requests(messages, args.agency)
    if args.key:
        # The hub's helper; an agency system does the same with any AES-256-GCM library.
        from mash_common.crypto import open_with_key

        for event in pending:
            sealed = event["data"]["subject_details"]
            try:
                event["data"]["subject_details"] = open_with_key(args.key, sealed)
            except Exception as exc:  # a wrong key fails the GCM tag check
                print(f"cannot open request {event['data']['request_id']} sealed with "
                      f"{sealed.get('kid')!r}: {type(exc).__name__} (wrong key?)", file=sys.stderr)
                return 1
    for event in sorted(pending, key=lambda e: e["data"].get("respond_by", "")):
        d = event["data"]
        print(json.dumps({
            "contact_id": event["subject"],
            "request_id": d["request_id"],
            "reference": d.get("reference"),
            "rating": d.get("rating"),
            "respond_by": d.get("respond_by"),
            "subject_details": d.get("subject_details"),
        }))
    print(f"{len(pending)} open request(s) for {args.agency}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
