"""The committed contract matches the models, and every golden example honours it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from cloudevents.core.bindings.kafka import (
    KafkaMessage,
    from_structured_event,
    to_structured_event,
)

from mash_schemas.envelope import Envelope
from mash_schemas.events import EVENT_TYPES, model_for
from mash_schemas.generate import GENERATED, ROOT, drift
from mash_schemas.topics import (
    AGENCY_TOPIC_OF,
    TOPICS,
    TOPICS_BY_NAME,
    agency_requests,
    topic_for_event,
)
from mash_schemas.upcasters import UPCASTERS, upcast

EXAMPLES = sorted((ROOT / "examples").glob("*.json"))


def test_generated_files_match_the_models() -> None:
    assert drift() == [], "run `make schemas` and commit the result"


def test_every_event_type_has_a_schema_named_after_it_and_an_example() -> None:
    for event_type in EVENT_TYPES:
        schema = json.loads((GENERATED / "jsonschema" / f"{event_type}.json").read_text())
        assert schema["$id"] == event_type
        assert (ROOT / "examples" / f"{event_type}.json").exists()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_golden_example_validates_against_schema_and_model(path: Path) -> None:
    event = json.loads(path.read_text())
    envelope_schema = json.loads((GENERATED / "jsonschema" / "uk.mash.envelope.json").read_text())
    jsonschema.validate(event, envelope_schema)
    data_schema = json.loads((GENERATED / "jsonschema" / f"{event['type']}.json").read_text())
    jsonschema.validate(event["data"], data_schema)
    model_for(event["type"]).model_validate(event["data"])


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_golden_example_survives_the_cloudevents_sdk_round_trip(path: Path) -> None:
    raw = path.read_bytes()
    ours = Envelope.model_validate_json(raw)
    message = KafkaMessage(
        headers={"content-type": b"application/cloudevents+json"}, key=ours.subject, value=raw
    )
    ce = from_structured_event(message)
    again = to_structured_event(ce)
    assert again.headers["content-type"].startswith(b"application/cloudevents+json")
    back = Envelope.model_validate_json(again.value)
    assert back.id == ours.id and back.type == ours.type and back.subject == ours.subject
    assert back.data == ours.data and back.time == ours.time


def test_asyncapi_declares_every_topic_with_its_bindings() -> None:
    doc = json.loads((GENERATED / "asyncapi.json").read_text())
    assert doc["asyncapi"].startswith("3.")
    addresses = {c["address"]: c for c in doc["channels"].values()}
    assert set(addresses) == set(TOPICS_BY_NAME)
    for t in TOPICS:
        binding = addresses[t.name]["bindings"]["kafka"]
        assert binding["partitions"] == t.partitions
        assert binding["topicConfiguration"]["retention.ms"] == t.retention_ms


def test_every_event_type_has_exactly_one_home_topic() -> None:
    assert topic_for_event("uk.mash.contact.received.v1") == "mash.contacts"
    assert topic_for_event("uk.mash.agency.request.v1", "police") == agency_requests("police")
    for event_type in EVENT_TYPES:
        if event_type in ("uk.mash.agency.request.v1", "uk.mash.agency.response.v1",
                          "uk.mash.dead_letter.v1", *AGENCY_TOPIC_OF):
            assert event_type == "uk.mash.dead_letter.v1" or topic_for_event(
                event_type, "police").startswith("mash.agency.police.")
            continue
        assert topic_for_event(event_type) in TOPICS_BY_NAME


def test_readers_ignore_fields_they_do_not_know() -> None:
    data = json.loads((ROOT / "examples" / "uk.mash.agency.response.v1.json").read_text())["data"]
    data["a_field_from_the_future"] = {"x": 1}
    model = model_for("uk.mash.agency.response.v1").model_validate(data)
    assert not hasattr(model, "a_field_from_the_future")


def test_an_upcaster_lifts_an_old_version() -> None:
    UPCASTERS["uk.mash.example.v0"] = (
        "uk.mash.agency.response.v1",
        lambda d: {**d, "known_to_agency": d.pop("known")},
    )
    try:
        lifted = upcast("uk.mash.example.v0", {"request_id": "r", "known": True, "summary": "s"})
    finally:
        del UPCASTERS["uk.mash.example.v0"]
    assert lifted["__type__"] == "uk.mash.agency.response.v1"
    assert lifted["known_to_agency"] is True
