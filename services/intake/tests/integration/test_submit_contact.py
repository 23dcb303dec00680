"""Intake against the real broker and both databases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mash_common.auth import Role
from mash_common.codec import decode
from mash_common.crypto import Sealer
from mash_common.testing.auth import staff_headers
from mash_common.testing.service import read_topic, running, settings_for, wait_until
from mash_intake.bootstrap import build_app
from mash_intake.config import IntakeSettings
from mash_schemas.topics import CONTACTS

pytestmark = pytest.mark.integration

STAFF = staff_headers(Role.DECISION_MAKER)


def marf(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "contact_source": "2A",
        "referrer": {"kind": "professional", "name": "Jo Class", "agency": "Oak Primary",
                     "email": "jo@oak.example"},
        "parents_aware": True,
        "consent_given": True,
        "consent_given_by": "Mother",
        "consent_covers": "Mother and both children",
        "children": [
            {"first_name": "Ava", "last_name": "Brook", "date_of_birth": "2017-05-01"},
            {"first_name": "Leo", "last_name": "Brook", "date_of_birth": "2019-09-12"},
        ],
        "concern": {"summary": "Came to school hungry three days running", "factors": ["16A"]},
    }
    body.update(overrides)
    return body


async def test_a_contact_about_two_children_is_two_linked_events(
    kafka_bootstrap: str, database_url: str, tmp_path: Path
) -> None:
    settings = settings_for(IntakeSettings, bootstrap=kafka_bootstrap, db_url=database_url)
    async with running(build_app(settings), headers=STAFF) as client:
        r = await client.post("/v1/contacts", json=marf())
        assert r.status_code == 202, r.text
        body = r.json()
        ids = {c["contact_id"] for c in body["contacts"]}
        assert len(ids) == 2 and body["reference"].startswith("MASH-")

        async def published() -> list[Any]:
            msgs = [m for m in await read_topic(kafka_bootstrap, CONTACTS)
                    if m.key.decode() in ids]
            return msgs if len(msgs) == 2 else []

        msgs = await wait_until(published, what="two contact events")
    sealer = Sealer(settings.data_key.get_secret_value())
    events = [decode(m.value) for m in msgs]
    assert {e.subject for e in events} == ids
    assert len({e.data.family_group_id for e in events}) == 1  # type: ignore[attr-defined]
    for m, e in zip(msgs, events, strict=True):
        assert b"Brook" not in m.value  # no name in plaintext on the topic
        assert sealer.open(e.data.personal)["child"]["last_name"] == "Brook"  # type: ignore[attr-defined]


async def test_the_same_idempotency_key_returns_the_same_contact(
    kafka_bootstrap: str, database_url: str
) -> None:
    settings = settings_for(IntakeSettings, bootstrap=kafka_bootstrap, db_url=database_url)
    async with running(build_app(settings), headers=STAFF) as client:
        first = await client.post("/v1/contacts", json=marf(), headers={"Idempotency-Key": "k-1"})
        again = await client.post("/v1/contacts", json=marf(), headers={"Idempotency-Key": "k-1"})
        other = await client.post("/v1/contacts", json=marf(), headers={"Idempotency-Key": "k-2"})
    assert first.json()["contacts"] == again.json()["contacts"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert other.json()["contact_id"] != first.json()["contact_id"]


async def test_bad_input_is_a_422_naming_the_field_and_stores_nothing(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    settings = settings_for(IntakeSettings, bootstrap=kafka_bootstrap, data_dir=tmp_path)
    async with running(build_app(settings), headers=STAFF) as client:
        r = await client.post("/v1/contacts", json=marf(contact_source="2Z"))
        assert r.status_code == 422
        [err] = r.json()["detail"]
        assert err["loc"] == ["body", "contact_source"]
        assert err["msg"] == ("contact source must be a CIN code from 1A to 10, for example 2A "
                              "for a school")
        bad = marf(parents_aware=False, children=[
            {"first_name": "A", "date_of_birth": "2999-01-01"},
            {"first_name": "B", "date_of_birth": "2017-01-01", "nhs_number": "9434765918",
             "postcode": "MK9"},
        ])
        r = await client.post("/v1/contacts", json=bad)
        assert r.status_code == 422
        assert {tuple(e["loc"]): e["msg"] for e in r.json()["detail"]} == {
            ("body", "children", 0, "date_of_birth"):
                "the date of birth cannot be in the future (for an unborn child give the due "
                "date)",
            ("body", "children", 1, "nhs_number"):
                "this is not a valid NHS number: it has 10 digits and the last one is a check "
                "digit that does not match (look for a mistyped digit)",
            ("body", "children", 1, "postcode"):
                "this is not a UK postcode (it should look like MK9 3EP)",
            ("body", "parents_not_aware_reason"):
                "say why the parents or carers do not know about this contact",
        }
        r = await client.post("/v1/contacts", json=marf(parents_aware=False))
        assert r.status_code == 422 and [e["loc"] for e in r.json()["detail"]] == [
            ["body", "parents_not_aware_reason"]]
        status = (await client.get("/readyz")).json()
        assert status["outbox_pending"] == 0 and status["published"] == 0


async def test_the_referrer_sees_received_but_no_details(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    settings = settings_for(IntakeSettings, bootstrap=kafka_bootstrap, data_dir=tmp_path)
    async with running(build_app(settings), headers=STAFF) as client:
        body = (await client.post("/v1/contacts", json=marf())).json()
        ok = await client.get(f"/v1/contact-status/{body['reference']}",
                              headers={"X-Status-Token": body["status_token"]})
        wrong = await client.get(f"/v1/contact-status/{body['reference']}",
                                 headers={"X-Status-Token": "guess"})
    assert ok.status_code == 200 and ok.json()["received"] is True
    assert "Brook" not in ok.text
    assert wrong.status_code == 404
