"""The whole MASH journey across every service as separate processes, on the embedded broker.

The tests run in file order on one stack: the journey; two copies of a service; a service
killed mid-journey; malformed messages on every consumed topic; the broker restarted empty;
and, before and after all of that, every message on every topic checked against the contract.
"""

from __future__ import annotations

import base64
import json
import random
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from cloudevents.core.bindings.kafka import KafkaMessage, from_structured_event

from mash_common.broker import EmbeddedBroker
from mash_common.codec import decode, encode
from mash_common.devstack import Stack
from mash_common.journey import HubClient, poll
from mash_common.synthetic import marf
from mash_common.testing.service import produce, read_topic
from mash_common.testing.service import run_sync as run
from mash_schemas.envelope import Envelope
from mash_schemas.events import AgencyResponse, InformationProvided
from mash_schemas.generate import GENERATED
from mash_schemas.topics import (
    CONTACTS,
    DECISIONS,
    INFORMATION,
    TOPICS,
    TRIAGE,
    agency_responses,
    dead_letters,
)

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

ROOT = Path(__file__).resolve().parents[2]
RECIPE = ROOT / "docs" / "recipes" / "answer_request.py"
RNG = random.Random(7)


def answer_with_recipe(bootstrap: str, agency: str, contact_id: str, request_id: str,
                       summary: str) -> None:
    """The documented command-line recipe, exactly as an agency's IT team would run it."""
    subprocess.run(
        [sys.executable, str(RECIPE), "--bootstrap", bootstrap, "--agency", agency,
         "--contact-id", contact_id, "--request-id", request_id, "--known",
         "--summary", summary],
        check=True, capture_output=True, timeout=60,
    )


def answer_with_aiokafka(bootstrap: str, agency: str, contact_id: str, request_id: str) -> None:
    _, value = encode(
        AgencyResponse(request_id=request_id, known_to_agency=False, summary="Nothing known."),
        source=f"/agency/{agency}", subject=contact_id,
    )
    run(produce(bootstrap, agency_responses(agency), value, key=contact_id.encode()))


def walk_to_requests(hub: HubClient, agencies: list[str], rating: str = "amber") -> dict[str, Any]:
    contact = hub.post_contact(marf(RNG, 0))
    cid = contact["contact_id"]
    hub.threshold_decision(cid)
    hub.rag_rating(cid, rating=rating, agencies=agencies)
    requests = {r["agency"]: r for r in hub.wait_for_requests(cid, len(agencies))}
    return {"contact": contact, "contact_id": cid, "requests": requests}


def check_every_topic(bootstrap: str) -> int:
    """Every message on every declared topic is a CloudEvent valid against its committed schema."""
    envelope_schema = json.loads((GENERATED / "jsonschema" / "uk.mash.envelope.json").read_text())
    checked = 0
    for topic in TOPICS:
        for m in run(read_topic(bootstrap, topic.name, timeout_ms=300)):
            where = f"{topic.name}[{m.partition}]@{m.offset}"
            ce = from_structured_event(
                KafkaMessage(headers=dict(m.headers or ()), key=m.key, value=m.value)
            )
            assert ce.get_type() in {e.event_type for e in topic.events}, where
            event = json.loads(m.value)
            jsonschema.validate(event, envelope_schema)
            schema = json.loads((GENERATED / "jsonschema" / f"{event['type']}.json").read_text())
            jsonschema.validate(event["data"], schema)
            Envelope.model_validate(event)
            if not topic.name.startswith("mash.dlq."):
                assert m.key.decode() == event["subject"], f"{where}: key is not the subject"
            checked += 1
    return checked


def test_a_contact_reaches_the_decision_queue_and_the_referrer_hears_back(
    stack: Stack, hub: HubClient
) -> None:
    journey = walk_to_requests(hub, ["police", "health", "education"])
    cid, reqs = journey["contact_id"], journey["requests"]
    answer_with_recipe(stack.bootstrap, "police", cid, reqs["police"]["request_id"],
                       "Domestic incident attended at the address in March 2026.")
    hub.answer_over_http("health", reqs["health"]["request_id"], known=True,
                         summary="Registered with the GP; missed two appointments.")
    answer_with_aiokafka(stack.bootstrap, "education", cid, reqs["education"]["request_id"])

    item = hub.wait_in_decision_queue(cid)
    assert item["contact_id"] == cid
    picture = hub.picture(cid)
    text = json.dumps(picture)
    assert "Domestic incident attended" in text and "missed two appointments" in text

    hub.decide(cid)
    feedback = hub.wait_for_feedback(cid)
    assert feedback


def test_every_message_on_every_topic_is_a_valid_cloudevent(stack: Stack) -> None:
    assert check_every_topic(stack.bootstrap) > 10


def test_two_copies_of_a_service_split_the_work_and_apply_each_event_once(
    stack: Stack, hub: HubClient
) -> None:
    before0 = hub.status("triage")["applied"]
    second = stack.start("triage", copy=1)
    stack.wait_ready(names=[("triage", 1)])
    copy1 = HubClient({"triage": second.url})
    before1 = copy1.status("triage")["applied"]
    posted: list[str] = []
    try:
        def both_busy() -> bool:
            for _ in range(6):
                posted.append(hub.post_contact(marf(RNG))["contact_id"])
            a0 = hub.status("triage")["applied"] - before0
            a1 = copy1.status("triage")["applied"] - before1
            return a0 > 0 and a1 > 0

        poll(both_busy, timeout=60, what="both copies of triage to apply contacts")

        def all_applied() -> bool:
            a0 = hub.status("triage")["applied"] - before0
            a1 = copy1.status("triage")["applied"] - before1
            return a0 + a1 >= len(posted)

        poll(all_applied, timeout=60, what="every contact applied")
        a0 = hub.status("triage")["applied"] - before0
        a1 = copy1.status("triage")["applied"] - before1
        # Each contact applied exactly once across the two copies, and both did some.
        assert a0 + a1 == len(posted), (a0, a1, len(posted))
        assert a0 > 0 and a1 > 0
    finally:
        copy1.close()
        stack.stop("triage", copy=1)


def test_a_killed_service_loses_nothing_it_acknowledged_and_applies_nothing_twice(
    stack: Stack, hub: HubClient
) -> None:
    # Intake acknowledges a burst of contacts and is killed before it can tidy up.
    triage_before = hub.status("triage")["applied"]
    ids = [hub.post_contact(marf(RNG))["contact_id"] for _ in range(15)]
    stack.kill("intake")
    stack.start("intake")
    stack.wait_ready(names=[("intake", 0)])

    def all_on_the_bus() -> bool:
        seen = {m.key.decode() for m in run(read_topic(stack.bootstrap, CONTACTS, timeout_ms=300))}
        return set(ids) <= seen

    poll(all_on_the_bus, timeout=60, what="every acknowledged contact on mash.contacts")
    poll(lambda: hub.status("triage")["applied"] - triage_before >= len(ids), timeout=60,
         what="triage to apply every contact")
    assert hub.status("triage")["applied"] - triage_before == len(ids)

    # The gateway is killed while agency answers arrive.
    journey = walk_to_requests(hub, ["police", "health"])
    cid, reqs = journey["contact_id"], journey["requests"]
    for agency in ("police", "health"):
        answer_with_aiokafka(stack.bootstrap, agency, cid, reqs[agency]["request_id"])
    stack.kill("agency-gateway")
    for agency in ("police", "health"):  # the agencies, unsure, send their answers again
        answer_with_aiokafka(stack.bootstrap, agency, cid, reqs[agency]["request_id"])
    stack.start("agency-gateway")
    stack.wait_ready(names=[("agency-gateway", 0)])
    hub.wait_in_decision_queue(cid, timeout=60)

    provided = [
        decode(m.value).data for m in run(read_topic(stack.bootstrap, INFORMATION))
        if m.key.decode() == cid
    ]
    request_ids = [p.request_id for p in provided if isinstance(p, InformationProvided)]
    assert sorted(set(request_ids)) == sorted(r["request_id"] for r in reqs.values())
    answers = [r for r in hub.agency_requests(cid) if r.get("status") != "open"]
    assert len(answers) == 2


CONSUMED = {
    "triage": [CONTACTS],
    "agency-gateway": [TRIAGE, agency_responses("police")],
    "decision": [CONTACTS, TRIAGE, INFORMATION],
    "feedback": [CONTACTS, DECISIONS],
}


def test_malformed_messages_land_in_each_consumers_dead_letter_topic(
    stack: Stack, hub: HubClient
) -> None:
    markers: dict[str, str] = {}
    for topic in sorted({t for topics in CONSUMED.values() for t in topics}):
        marker = f"garbage-{uuid.uuid4()}"
        markers[topic] = marker
        run(produce(stack.bootstrap, topic, f"{{not json {marker}".encode(), key=b"x"))

    def letters(service: str) -> dict[str, dict[str, Any]]:
        found = {}
        for m in run(read_topic(stack.bootstrap, dead_letters(service), timeout_ms=300)):
            data = json.loads(m.value)["data"]
            original = base64.b64decode(data["original"]).decode(errors="replace")
            for topic, marker in markers.items():
                if marker in original:
                    found[topic] = data
        return found

    for service, topics in CONSUMED.items():
        found = poll(lambda s=service, ts=topics: (lambda f: f if set(ts) <= set(f) else None)(
            letters(s)), timeout=60, what=f"{service}'s dead letters")
        for topic in topics:
            assert found[topic]["reason"].startswith("not JSON"), found[topic]
            assert found[topic]["source_topic"] == topic
            assert found[topic]["consumer"] == service
        # The administrator's view of the same, from the service itself: no payloads.
        listed = hub.dead_letters(service, limit=1000)
        assert listed["service"] == service and listed["total"] >= len(topics)
        where = {(i["source_topic"], i["source_partition"], i["source_offset"])
                 for i in listed["items"]}
        assert {(t, found[t]["source_partition"], found[t]["source_offset"])
                for t in topics} <= where
        assert "garbage-" not in json.dumps(listed)

    # ...and every consumer carried on: a new contact still makes the whole journey.
    journey = walk_to_requests(hub, ["police"])
    hub.answer_over_http("police", journey["requests"]["police"]["request_id"], known=False,
                         summary="Nothing known.")
    hub.wait_in_decision_queue(journey["contact_id"])


def test_an_empty_broker_mid_journey_loses_nothing_and_applies_nothing_twice(
    stack: Stack, hub: HubClient, e2e_broker: EmbeddedBroker
) -> None:
    journey = walk_to_requests(hub, ["police", "health"], rating="red")
    cid, reqs = journey["contact_id"], journey["requests"]
    epochs = {name: hub.status(name)["broker_epoch"] for name in CONSUMED}

    e2e_broker.restart()  # memory storage: every topic and offset is gone

    poll(lambda: all(hub.status(n)["broker_epoch"] not in (None, epochs[n]) for n in CONSUMED),
         timeout=60, what="every service to notice the new broker")
    poll(lambda: all(hub.status(n)["ready"] for n in CONSUMED), timeout=60, what="ready again")
    # The journey goes on: the agencies answer the requests the gateway republished.
    republished = poll(
        lambda: [m for m in run(read_topic(stack.bootstrap, "mash.agency.police.requests",
                                           timeout_ms=300)) if m.key.decode() == cid],
        timeout=60, what="the police request republished",
    )
    assert republished
    answer_with_recipe(stack.bootstrap, "police", cid, reqs["police"]["request_id"],
                       "Known: one domestic incident.")
    hub.answer_over_http("health", reqs["health"]["request_id"], known=False,
                         summary="Nothing known.")
    hub.wait_in_decision_queue(cid, timeout=60)
    hub.decide(cid)
    hub.wait_for_feedback(cid, timeout=60)

    # Nothing applied twice: still one request per agency, and each consumer ignored the
    # events it had already applied when the outboxes were republished.
    assert sorted(r["agency"] for r in hub.agency_requests(cid)) == ["health", "police"]
    for name in CONSUMED:
        assert hub.status(name)["duplicates_ignored"] > 0, name
    events = [decode(m.value) for m in run(read_topic(stack.bootstrap, DECISIONS))
              if m.key.decode() == cid]
    assert [e.type for e in events].count("uk.mash.decision.made.v1") == 1


def test_after_it_all_every_message_on_every_topic_is_still_valid(stack: Stack) -> None:
    assert check_every_topic(stack.bootstrap) > 10
