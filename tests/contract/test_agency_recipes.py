"""The agency answer contract: the recipes in docs/agency-integration.md run as written.

Each recipe is taken from the document itself (the ```sh block after its `<!-- recipe: ... -->`
marker) and run with bash from the repository root; only the broker address and the example
ids are swapped for the test's own, so a recipe that stops working fails here.

The answer recipe runs on the session's broker. The `tansu cat` and read-requests recipes run on
a broker of their own: `tansu cat` is the embedded broker's tool, and its quoted keys and the
requests sealed here must not reach topics that other tests read whole.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.partitioner import DefaultPartitioner
from cloudevents.core.bindings.kafka import KafkaMessage, from_structured_event

from mash_common.broker import EmbeddedBroker
from mash_common.codec import decode, encode
from mash_common.crypto import Sealer, agency_kid
from mash_common.kafka import ensure_topics
from mash_common.settings import DEV_DATA_KEY
from mash_common.testing.service import produce, read_topic, wait_until
from mash_schemas.envelope import Envelope
from mash_schemas.events import AgencyRequest, AgencyRequestUpdated, AgencyResponse
from mash_schemas.examples import CONTACT, REQUEST
from mash_schemas.generate import GENERATED
from mash_schemas.topics import TOPICS_BY_NAME, agency_requests, agency_responses

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "agency-integration.md"
DOC_BROKER = "127.0.0.1:9092"
POLICE_REQUESTS = agency_requests("police")
POLICE_RESPONSES = agency_responses("police")


def recipe(name: str) -> str:
    """The shell block that follows `<!-- recipe: name -->` in the document."""
    found = re.search(
        rf"<!-- recipe: {re.escape(name)} -->\s*```sh\n(.*?)```", DOC.read_text(), re.DOTALL
    )
    assert found, f"no recipe {name!r} in {DOC.name}"
    return found.group(1)


def example(name: str) -> dict[str, Any]:
    found = re.search(
        rf"<!-- example: {re.escape(name)} -->\s*```json\n(.*?)```", DOC.read_text(), re.DOTALL
    )
    assert found, f"no example {name!r} in {DOC.name}"
    result: dict[str, Any] = json.loads(found.group(1))
    return result


def schema(name: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads((GENERATED / "jsonschema" / f"{name}.json").read_text())
    return result


def for_test(script: str, bootstrap: str, contact_id: str = CONTACT,
             request_id: str = REQUEST) -> str:
    """The recipe with the test's broker and ids in place of the document's examples."""
    assert DOC_BROKER in script
    return (
        script.replace(DOC_BROKER, bootstrap)
        .replace(CONTACT, contact_id)
        .replace(REQUEST, request_id)
    )


async def sh(script: str, *, timeout: float = 90.0, **env: str) -> tuple[str, str]:
    """Run a recipe with bash from the repository root; fail with its output if it fails."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MASH_")}
    proc = await asyncio.create_subprocess_exec(
        "bash", "-euo", "pipefail", "-c", script, cwd=ROOT, env={**environ, **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    assert proc.returncode == 0, f"recipe failed ({proc.returncode}):\n{script}\n{err.decode()}"
    return out.decode(), err.decode()


def assert_valid_answer(message: Any, contact_id: str, request_id: str) -> dict[str, Any]:
    """A CloudEvent (per the SDK, the committed schemas and the hub's own decoder)."""
    event: dict[str, Any] = json.loads(message.value)
    jsonschema.validate(event, schema("uk.mash.envelope"))
    jsonschema.validate(event["data"], schema(AgencyResponse.event_type))
    Envelope.model_validate(event)
    ce = from_structured_event(
        KafkaMessage(headers=dict(message.headers or ()), key=message.key, value=message.value)
    )
    assert ce.get_type() == AgencyResponse.event_type
    assert ce.get_subject() == contact_id
    decoded = decode(message.value)  # what the gateway does with it
    assert isinstance(decoded.data, AgencyResponse)
    assert decoded.data.request_id == request_id
    return event


def subject_of(message: Any) -> str | None:
    try:  # other tests on the shared broker leave malformed messages on purpose
        event = json.loads(message.value)
    except (TypeError, ValueError):
        return None
    return event.get("subject") if isinstance(event, dict) else None


async def messages_about(bootstrap: str, topic: str, contact_id: str, count: int) -> list[Any]:
    async def arrived() -> list[Any]:
        found = [m for m in await read_topic(bootstrap, topic, timeout_ms=500)
                 if subject_of(m) == contact_id]
        return found if len(found) >= count else []

    return await wait_until(arrived, timeout=20, what=f"{count} message(s) on {topic}")


async def publish_request(bootstrap: str, contact_id: str, details: dict[str, Any]) -> str:
    """A request as the gateway publishes it: sealed with police's key, key = contact id."""
    request_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    data = AgencyRequest(
        request_id=request_id, contact_id=contact_id, reference="MASH-2026-000777",
        agency="police", rating="red", respond_by=now + timedelta(hours=4), requested_at=now,
        subject_details=Sealer(DEV_DATA_KEY).seal(agency_kid("police"), details),
    )
    _, value = encode(data, source="/mash/agency-gateway", subject=contact_id)
    await produce(bootstrap, POLICE_REQUESTS, value, key=contact_id.encode())
    return request_id


@pytest.fixture
async def own_broker(embedded_broker: EmbeddedBroker) -> str:
    await ensure_topics(embedded_broker.bootstrap)
    return embedded_broker.bootstrap


async def test_the_documented_example_answer_is_the_contract() -> None:
    event = example("agency-response")
    jsonschema.validate(event, schema("uk.mash.envelope"))
    jsonschema.validate(event["data"], schema(AgencyResponse.event_type))
    golden = json.loads((ROOT / "schemas" / "examples" / f"{AgencyResponse.event_type}.json")
                        .read_text())
    assert event == golden


async def test_the_documented_request_update_is_the_contract() -> None:
    event = example("agency-request-updated")
    jsonschema.validate(event, schema("uk.mash.envelope"))
    jsonschema.validate(event["data"], schema(AgencyRequestUpdated.event_type))
    golden = json.loads((ROOT / "schemas" / "examples"
                         / f"{AgencyRequestUpdated.event_type}.json").read_text())
    assert event == golden


async def test_answer_request_recipe_sends_a_cloudevent_keyed_by_the_contact(
    kafka_bootstrap: str,
) -> None:
    await ensure_topics(kafka_bootstrap, [TOPICS_BY_NAME[POLICE_RESPONSES]])
    contact_id, request_id = str(uuid.uuid4()), str(uuid.uuid4())

    out, err = await sh(for_test(recipe("answer-request"), kafka_bootstrap, contact_id,
                                 request_id))

    [message] = await messages_about(kafka_bootstrap, POLICE_RESPONSES, contact_id, 1)
    assert message.key == contact_id.encode()
    assert dict(message.headers)["content-type"] == b"application/cloudevents+json"
    event = assert_valid_answer(message, contact_id, request_id)
    assert event["source"] == "/agency/police"
    assert event["data"] == {
        "request_id": request_id,
        "known_to_agency": True,
        "summary": "Two domestic incidents attended at the home address in 2026.",
        "responder": "PC 1234",
    }
    assert json.loads(out) == event  # it prints what it sent
    assert f"partition {message.partition} offset {message.offset}" in err
    # The Java client's partitioner, as aiokafka uses: one contact, one partition, any client.
    partitions = sorted(range(TOPICS_BY_NAME[POLICE_RESPONSES].partitions))
    assert message.partition == DefaultPartitioner()(message.key, partitions, partitions)


async def test_read_requests_recipe_lists_open_requests_and_opens_them(own_broker: str) -> None:
    contact_id = str(uuid.uuid4())
    details = {"child": {"first_name": "Ava", "last_name": "Brook", "postcode": "MK9 3EJ"}}
    open_id = await publish_request(own_broker, contact_id, details)
    answered_id = await publish_request(own_broker, contact_id, details)
    _, value = encode(
        AgencyResponse(request_id=answered_id, known_to_agency=False, summary="Nothing known."),
        source="/agency/police", subject=contact_id,
    )
    await produce(own_broker, POLICE_RESPONSES, value, key=contact_id.encode())
    # A re-rating moved both deadlines: the open one shows its new deadline and rating.
    moved_to = datetime.now(UTC) + timedelta(minutes=30)
    for request_id in (open_id, answered_id):
        _, value = encode(
            AgencyRequestUpdated(
                request_id=request_id, contact_id=contact_id, reference="MASH-2026-000777",
                agency="police", rating="amber", respond_by=moved_to,
                previous_respond_by=moved_to + timedelta(hours=3), updated_at=datetime.now(UTC),
            ),
            source="/mash/agency-gateway", subject=contact_id,
        )
        await produce(own_broker, POLICE_REQUESTS, value, key=contact_id.encode())

    script = for_test(recipe("read-requests"), own_broker)
    key = Sealer(DEV_DATA_KEY).export_key(agency_kid("police"))
    if not (ROOT / ".venv" / "bin" / "mash-agency-sim").exists():
        # The simulator is not installed: its `key` command prints exactly this.
        script = re.sub(r"^KEY=.*$", f"KEY={key}", script, count=1, flags=re.MULTILINE)
    out, err = await sh(script)

    listed = [json.loads(line) for line in out.splitlines()]
    assert [r["request_id"] for r in listed] == [open_id]
    assert listed[0]["contact_id"] == contact_id
    assert listed[0]["reference"] == "MASH-2026-000777"
    assert listed[0]["subject_details"] == details
    assert listed[0]["rating"] == "amber"
    assert datetime.fromisoformat(listed[0]["respond_by"]) == moved_to
    assert "1 open request(s) for police" in err


async def test_tansu_cat_consume_recipe_shows_requests_with_a_null_key(own_broker: str) -> None:
    contact_id = str(uuid.uuid4())
    request_id = await publish_request(own_broker, contact_id, {"child": {"first_name": "Ava"}})

    out, _ = await sh(for_test(recipe("tansu-consume"), own_broker))

    shown = [m for line in out.splitlines() for m in json.loads(line)]
    [ours] = [m for m in shown if m["value"]["subject"] == contact_id]
    assert ours["key"] is None  # a plain contact id is not JSON, so tansu cat shows null
    assert ours["value"]["data"]["request_id"] == request_id
    assert ours["value"]["type"] == AgencyRequest.event_type


async def test_tansu_cat_produce_recipe_answers_with_a_quoted_key(own_broker: str) -> None:
    contact_id, request_id = str(uuid.uuid4()), str(uuid.uuid4())

    await sh(for_test(recipe("tansu-produce"), own_broker, contact_id, request_id))

    [message] = await messages_about(own_broker, POLICE_RESPONSES, contact_id, 1)
    # The documented quirk: tansu cat writes the key JSON-encoded, to partition 0.
    assert message.key == f'"{contact_id}"'.encode()
    assert message.partition == 0
    event = assert_valid_answer(message, contact_id, request_id)
    assert event["data"] == {
        "request_id": request_id,
        "known_to_agency": False,
        "summary": "Nothing known to police at this address.",
    }


async def test_tansu_cat_drops_a_message_without_the_key_value_wrapper(own_broker: str) -> None:
    """The other documented quirk: a bare CloudEvent is dropped, yet the command exits 0 and
    the broker keeps an empty batch at its offset, where a caught-up consumer stalls."""
    contact_id = str(uuid.uuid4())

    def line(n: int, wrapped: bool) -> str:
        event = {"specversion": "1.0", "id": str(uuid.uuid4()), "subject": contact_id, "n": n}
        return json.dumps({"key": contact_id, "value": event} if wrapped else event)

    tansu = f'"$TANSU" cat produce {POLICE_RESPONSES} --broker tcp://{own_broker}'
    await sh(
        "TANSU=$(.venv/bin/mash-broker --print-binary)\n"
        + "".join(f"echo '{line(n, n != 1)}' | {tansu}\n" for n in range(3))
    )

    # Read from the beginning, the two wrapped messages arrive and the bare one does not.
    arrived = await messages_about(own_broker, POLICE_RESPONSES, contact_id, 2)
    assert [(m.partition, m.offset) for m in arrived] == [(0, 0), (0, 2)]
    assert [json.loads(m.value)["n"] for m in arrived] == [0, 2]
    # A consumer whose position is the dropped message's offset gets nothing at all.
    assert await fetch_from(own_broker, POLICE_RESPONSES, 0, offset=1) == []
    assert len(await fetch_from(own_broker, POLICE_RESPONSES, 0, offset=2)) == 1


async def fetch_from(bootstrap: str, topic: str, partition: int, *, offset: int) -> list[Any]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                                enable_auto_commit=False)
    await consumer.start()
    try:
        tp = TopicPartition(topic, partition)
        consumer.assign([tp])
        consumer.seek(tp, offset)
        batch = await consumer.getmany(tp, timeout_ms=2_000)
        return list(batch.get(tp, []))
    finally:
        await consumer.stop()
