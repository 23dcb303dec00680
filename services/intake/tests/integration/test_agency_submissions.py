"""Contacts from agency systems over Kafka: the same form and checks as HTTP; an invalid one is
dead-lettered with every reason and the agency reads why on its rejections topic."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from mash_common.crypto import Sealer
from mash_common.testing.service import produce, running
from mash_intake.bootstrap import build_app
from mash_intake.config import IntakeSettings
from mash_schemas.events import (
    ContactReceived,
    ContactSubmissionAccepted,
    ContactSubmissionRejected,
    DeadLetter,
)
from mash_schemas.topics import (
    CONTACTS,
    SUBMISSIONS,
    agency_rejections,
    agency_requests,
    dead_letters,
)

from .conftest import events, marf, submit_from_agency, wait_for

pytestmark = pytest.mark.integration

ACCEPTED = ContactSubmissionAccepted.event_type
REJECTED = ContactSubmissionRejected.event_type


def police_form(**overrides: Any) -> dict[str, Any]:
    return marf(contact_source="6", referrer={
        "kind": "professional", "name": "PC Sam Rivers", "agency": "Thames Valley Police",
        "phone": "01865 123456"}, **overrides)


async def test_a_valid_submission_becomes_contacts_and_a_receipt_for_the_agency(
    settings: IntakeSettings, sealer: Sealer, kafka_bootstrap: str
) -> None:
    form = police_form(children=[
        {"first_name": "Ava", "last_name": "Brook", "date_of_birth": "2017-05-01"},
        {"first_name": "Leo", "last_name": "Brook", "date_of_birth": "2019-09-12"}])
    async with running(build_app(settings)):
        sid = await submit_from_agency(kafka_bootstrap, sealer, form)
        [receipt] = await wait_for(kafka_bootstrap, agency_requests("police"), key=sid,
                                   event_type=ACCEPTED)
        # Sent again (the agency was unsure it arrived): the same contacts, no new ones.
        await submit_from_agency(kafka_bootstrap, sealer, form, submission_id=sid)
        again = await wait_for(kafka_bootstrap, agency_requests("police"), key=sid,
                               event_type=ACCEPTED, count=2)
    data = receipt.data
    assert isinstance(data, ContactSubmissionAccepted)
    assert len(data.contact_ids) == 2 and all(r.startswith("MASH-") for r in data.references)
    assert {tuple(e.data.contact_ids) for e in again} == {tuple(data.contact_ids)}  # type: ignore[attr-defined]
    received = [e for cid in data.contact_ids
                for e in await events(kafka_bootstrap, CONTACTS, key=cid,
                                      event_type=ContactReceived.event_type)]
    assert len(received) == 2
    assert {e.data.channel for e in received} == {"agency"}  # type: ignore[attr-defined]
    assert {e.data.family_group_id for e in received} == {data.family_group_id}  # type: ignore[attr-defined]


async def test_an_invalid_submission_is_dead_lettered_and_rejected_with_every_reason(
    settings: IntakeSettings, sealer: Sealer, kafka_bootstrap: str
) -> None:
    bad = police_form(parents_aware=False, children=[
        {"first_name": "Ava", "date_of_birth": "2017-05-01", "nhs_number": "9434765918"}])
    async with running(build_app(settings)) as client:
        sid = await submit_from_agency(kafka_bootstrap, sealer, bad)
        wrong_key = await submit_from_agency(kafka_bootstrap, sealer, police_form(),
                                             sealed_for="agency:health")
        [rejection] = await wait_for(kafka_bootstrap, agency_rejections("police"), key=sid,
                                     event_type=REJECTED)
        [sealed_wrong] = await wait_for(kafka_bootstrap, agency_rejections("police"),
                                        key=wrong_key, event_type=REJECTED)
        [letter] = await wait_for(kafka_bootstrap, dead_letters("intake"), key=sid,
                                  event_type=DeadLetter.event_type)
        status = (await client.get("/readyz")).json()
    data = rejection.data
    assert isinstance(data, ContactSubmissionRejected)
    assert (data.submission_id, data.agency) == (sid, "police")
    assert data.reason == "the referral form is not valid"
    assert data.errors == [
        "children.0.nhs_number: this is not a valid NHS number: it has 10 digits and the last "
        "one is a check digit that does not match (look for a mistyped digit)",
        "parents_not_aware_reason: say why the parents or carers do not know about this contact",
    ]
    assert "Ava" not in rejection.envelope.model_dump_json()  # reasons, never the values
    dead = letter.data
    assert isinstance(dead, DeadLetter)
    assert dead.errors == data.errors and dead.source_topic == SUBMISSIONS
    assert b"Ava" not in base64.b64decode(dead.original)  # the form stays sealed
    assert sealed_wrong.data.reason == (  # type: ignore[attr-defined]
        "the form is sealed with 'agency:health', not 'agency:police'")
    assert status["outbox_pending"] == 0 or status["published"] >= 1
    assert status["dead_lettered"] >= 2


async def test_a_submission_that_is_not_even_an_event_is_dead_lettered_and_still_answered(
    settings: IntakeSettings, kafka_bootstrap: str
) -> None:
    async with running(build_app(settings)):
        await produce(kafka_bootstrap, SUBMISSIONS, b"{\"data\": {\"agency\": \"police\", "
                      b"\"submission_id\": \"not-an-event-1\"}}", key=b"not-an-event-1")
        [rejection] = await wait_for(kafka_bootstrap, agency_rejections("police"),
                                     key="not-an-event-1", event_type=REJECTED)
    assert rejection.data.reason == "not a valid CloudEvent envelope"  # type: ignore[attr-defined]
    assert rejection.data.errors  # type: ignore[attr-defined]
