#!/usr/bin/env python3
"""Answer one MASH information request: the agency answer contract, with confluent-kafka.

Builds the CloudEvent `uk.mash.agency.response.v1` in structured JSON mode and sends it on
`mash.agency.<agency>.responses` with the contact id as the Kafka key. Needs only the standard
library and confluent-kafka, so an agency system can copy it. See docs/agency-integration.md.

    python docs/recipes/answer_request.py --bootstrap 127.0.0.1:9092 --agency police \\
        --contact-id <contact id> --request-id <request id> --not-known \\
        --summary "Nothing known to police."
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from datetime import UTC, datetime
from typing import Any

from confluent_kafka import KafkaException, Producer

AGENCIES = (
    "police", "health", "childrens-social-care", "adult-safeguarding", "education",
    "probation", "housing", "youth-offending", "camhs",
)
EVENT_TYPE = "uk.mash.agency.response.v1"
CONTENT_TYPE = "application/cloudevents+json"


def answer_event(
    *, agency: str, contact_id: str, request_id: str, known: bool, summary: str,
    responder: str | None = None, event_id: str | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {"request_id": request_id, "known_to_agency": known, "summary": summary}
    if responder:
        data["responder"] = responder
    return {
        "specversion": "1.0",
        # A retry of the same answer keeps its id: the hub applies one id once.
        "id": event_id or str(uuid.uuid4()),
        "source": f"/agency/{agency}",
        "type": EVENT_TYPE,
        "subject": contact_id,
        "time": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "datacontenttype": "application/json",
        "data": data,
    }


def send(bootstrap: str, topic: str, key: str, event: dict[str, Any], timeout_s: float) -> Any:
    producer = Producer({
        "bootstrap.servers": bootstrap,
        "client.id": f"{event['source'].strip('/').replace('/', '-')}-answer",
        "acks": "all",
        # The embedded broker cannot serve InitProducerId; Apache Kafka does not need it here.
        "enable.idempotence": False,
        "compression.type": "lz4",
        # The Java client's partitioner: every client puts one contact on the same partition.
        "partitioner": "murmur2_random",
        "message.timeout.ms": int(timeout_s * 1000),
    })
    delivered: list[Any] = []

    def report(err: Any, msg: Any) -> None:
        delivered.append(err or msg)

    producer.produce(
        topic,
        key=key.encode(),
        value=json.dumps(event, separators=(",", ":")).encode(),
        headers=[("content-type", CONTENT_TYPE.encode())],
        on_delivery=report,
    )
    producer.flush(timeout_s + 5)
    if not delivered:
        raise KafkaException(f"no delivery report from {bootstrap} within {timeout_s}s")
    if not hasattr(delivered[0], "offset"):
        raise KafkaException(delivered[0])
    return delivered[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bootstrap", default="127.0.0.1:9092", help="Kafka bootstrap address")
    parser.add_argument("--agency", required=True, choices=AGENCIES)
    parser.add_argument("--contact-id", required=True, help="the request's subject")
    parser.add_argument("--request-id", required=True, help="the request's data.request_id")
    known = parser.add_mutually_exclusive_group(required=True)
    known.add_argument("--known", dest="known", action="store_true",
                       help="the child or family is known to the agency")
    known.add_argument("--not-known", dest="known", action="store_false",
                       help="nothing known to the agency")
    parser.add_argument("--summary", required=True, help="what the agency knows")
    parser.add_argument("--responder", help="the responding practitioner")
    parser.add_argument("--event-id", help="reuse an id to retry the same answer")
    parser.add_argument("--timeout", type=float, default=15.0, help="seconds to wait for acks")
    args = parser.parse_args(argv)

    event = answer_event(
        agency=args.agency, contact_id=args.contact_id, request_id=args.request_id,
        known=args.known, summary=args.summary, responder=args.responder,
        event_id=args.event_id,
    )
    topic = f"mash.agency.{args.agency}.responses"
    try:
        msg = send(args.bootstrap, topic, args.contact_id, event, args.timeout)
    except KafkaException as exc:
        print(f"not sent: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(event, indent=2))
    print(f"sent {event['id']} to {msg.topic()} partition {msg.partition()} "
          f"offset {msg.offset()}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
