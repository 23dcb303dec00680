from __future__ import annotations

import json

import pytest

from mash_common.codec import DecodeError, decode, encode
from mash_common.crypto import Sealer, SealError, agency_kid, contact_kid, open_with_key
from mash_common.logging import _drop_unsafe
from mash_common.settings import DEV_DATA_KEY, ServiceSettings
from mash_schemas.events import AgencyResponse

SEALER = Sealer(DEV_DATA_KEY)


def test_an_event_round_trips_through_bytes() -> None:
    data = AgencyResponse(request_id="r1", known_to_agency=False, summary="nothing known")
    event_id, value = encode(data, source="/agency/police", subject="c1")
    decoded = decode(value)
    assert decoded.event_id == event_id and decoded.subject == "c1"
    assert decoded.data == data
    assert json.loads(value)["specversion"] == "1.0"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, "empty message"),
        (b"\xff\xfe", "not JSON"),
        (b"[1, 2]", "not a CloudEvent"),
        (b'{"id": "x"}', "not a valid CloudEvent envelope"),
    ],
)
def test_undecodable_messages_say_what_is_wrong(value: bytes | None, reason: str) -> None:
    with pytest.raises(DecodeError) as info:
        decode(value)
    assert reason in info.value.reason


def test_a_bad_envelope_lists_every_missing_attribute() -> None:
    with pytest.raises(DecodeError) as info:
        decode(b'{"specversion": "1.0", "data": {}}')
    assert {"envelope.source: Field required", "envelope.type: Field required",
            "envelope.subject: Field required"} <= set(info.value.errors)


def test_data_that_does_not_match_its_type_names_the_field() -> None:
    _, value = encode(AgencyResponse(request_id="r", known_to_agency=True, summary="s"),
                      source="/x", subject="c")
    broken = json.loads(value)
    del broken["data"]["known_to_agency"]
    with pytest.raises(DecodeError) as info:
        decode(json.dumps(broken).encode())
    assert info.value.reason == "data does not match uk.mash.agency.response.v1"
    assert info.value.errors == ["data.known_to_agency: Field required"]


def test_unknown_types_are_reported() -> None:
    _, value = encode(AgencyResponse(request_id="r", known_to_agency=True, summary="s"),
                      source="/x", subject="c")
    other = json.loads(value) | {"type": "uk.mash.nope.v1"}
    with pytest.raises(DecodeError, match="unknown event type"):
        decode(json.dumps(other).encode())


def test_sealed_data_opens_only_under_its_own_key() -> None:
    sealed = SEALER.seal(contact_kid("c1"), {"name": "Ava Brook"})
    assert "Ava" not in sealed.model_dump_json()
    assert SEALER.open(sealed) == {"name": "Ava Brook"}
    moved = sealed.model_copy(update={"kid": contact_kid("c2")})
    with pytest.raises(SealError):
        SEALER.open(moved)
    with pytest.raises(SealError):
        Sealer("b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXktb3RoZXI").open(sealed)


def test_an_agency_opens_its_request_with_its_exported_key() -> None:
    sealed = SEALER.seal(agency_kid("police"), {"dob": "2017-05-01"})
    key = SEALER.export_key(agency_kid("police"))
    assert open_with_key(key, sealed.model_dump()) == {"dob": "2017-05-01"}


def test_settings_prefer_the_services_own_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    class Demo(ServiceSettings):
        service = "agency-gateway"

    monkeypatch.setenv("MASH_KAFKA_BOOTSTRAP", "hub:9092")
    monkeypatch.setenv("MASH_DATABASE_URL", "sqlite+aiosqlite:///hub.db")
    monkeypatch.setenv("MASH_AGENCY_GATEWAY_DATABASE_URL", "postgresql+asyncpg://x/gw")
    s = Demo()
    assert s.kafka_bootstrap == "hub:9092"
    assert s.db_url == "postgresql+asyncpg://x/gw"


def test_production_refuses_the_development_key() -> None:
    with pytest.raises(ValueError, match="development key"):
        ServiceSettings(env="production")


def test_logs_drop_any_key_that_is_not_an_identifier() -> None:
    out = _drop_unsafe(None, "info", {"event": "x", "contact_id": "c1", "child_name": "Ava"})
    assert out == {"event": "x", "contact_id": "c1", "dropped_keys": ["child_name"]}
