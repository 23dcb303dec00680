"""What triage cannot apply goes to mash.dlq.triage with the reason, and the consumer carries on;
what it already applied, delivered again, changes nothing."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest

from mash_common.auth import Role
from mash_common.codec import decode
from mash_common.testing.auth import staff_headers
from mash_common.testing.service import produce, read_topic, running, wait_until
from mash_schemas.events import DeadLetter
from mash_schemas.topics import CONTACTS, DECISIONS, dead_letters
from mash_triage.bootstrap import build_app
from mash_triage.config import TriageSettings

pytestmark = pytest.mark.integration

DECISION_MAKER = staff_headers(Role.DECISION_MAKER, "staff:dm-0042")
MANAGER = staff_headers(Role.MASH_MANAGER, "staff:mgr-0007")

DLQ = dead_letters("triage")


def envelope(event_type: str, subject: str, data: dict[str, Any]) -> bytes:
    return json.dumps({
        "specversion": "1.0", "id": str(uuid.uuid4()), "source": "/mash/intake",
        "type": event_type, "subject": subject, "time": "2026-03-02T09:00:00Z",
        "datacontenttype": "application/json", "data": data,
    }).encode()


async def letters_about(bootstrap: str, key: str) -> dict[int, DeadLetter]:
    """Dead letters for messages with this key, by source offset (a copy counts once)."""
    out: dict[int, DeadLetter] = {}
    for m in await read_topic(bootstrap, DLQ):
        if m.key is not None and m.key.decode() == key:
            letter = decode(m.value).data
            assert isinstance(letter, DeadLetter)
            out[letter.source_offset] = letter
    return out


async def test_malformed_and_inapplicable_messages_are_dead_lettered_and_the_consumer_carries_on(
    settings: TriageSettings, hub: Any, clock: Any, kafka_bootstrap: str
) -> None:
    contact_id, good = hub.contact_event()
    _, wrong_key = hub.contact_event(contact_id=contact_id, sealed_for="contact:someone-else")
    key = contact_id.encode()
    bad = [
        b"this is not json",
        envelope("uk.mash.contact.received.v1", contact_id, {"contact_id": contact_id}),
        envelope("uk.mash.contact.shredded.v9", contact_id, {}),
        wrong_key,
    ]
    async with running(build_app(settings, clock=clock), headers=DECISION_MAKER) as client:
        for value in bad:
            await produce(kafka_bootstrap, CONTACTS, value, key=key)
        await produce(kafka_bootstrap, CONTACTS, good, key=key)  # after them, same partition
        stranger = str(uuid.uuid4())
        await hub.send_decision(stranger, decided_at=clock.now)
        [item] = await hub.screened(client, contact_id)

        async def four() -> dict[int, DeadLetter]:
            found = await letters_about(kafka_bootstrap, contact_id)
            return found if len(found) == 4 else {}

        letters = await wait_until(four, what="four dead letters")
        [unknown] = (await wait_until(lambda: letters_about(kafka_bootstrap, stranger),
                                      what="the unknown contact's decision")).values()

    assert item["child"]["first_name"] == "Ava"  # the good one after them was applied
    by_offset = [letters[o] for o in sorted(letters)]
    assert [base64.b64decode(letter.original) for letter in by_offset] == bad
    assert {letter.consumer for letter in by_offset} == {"triage"}
    assert {letter.source_topic for letter in by_offset} == {CONTACTS}
    reasons = [letter.reason for letter in by_offset]
    assert reasons[0].startswith("not JSON")
    assert reasons[1] == "data does not match uk.mash.contact.received.v1"
    assert "data.reference: Field required" in by_offset[1].errors
    assert reasons[2] == "unknown event type 'uk.mash.contact.shredded.v9'"
    assert reasons[3] == "personal data is sealed with 'contact:someone-else', not this " \
        "contact's key"
    assert unknown.reason == f"no contact {stranger} in triage"
    assert unknown.source_topic == DECISIONS
    for letter in [*by_offset, unknown]:  # an operator reading the letter sees no child's name
        assert "Brook" not in letter.reason and not any("Brook" in e for e in letter.errors)


async def test_a_contact_delivered_twice_is_taken_in_once(
    settings: TriageSettings, hub: Any, clock: Any, kafka_bootstrap: str
) -> None:
    contact_id, value = hub.contact_event()
    async with running(build_app(settings, clock=clock), headers=DECISION_MAKER) as client:
        await produce(kafka_bootstrap, CONTACTS, value, key=contact_id.encode())
        await hub.screened(client, contact_id)
        before = (await client.get("/readyz")).json()["duplicates_ignored"]
        await produce(kafka_bootstrap, CONTACTS, value, key=contact_id.encode())

        async def ignored() -> bool:
            return (await client.get("/readyz")).json()["duplicates_ignored"] > before

        await wait_until(ignored, what="the copy to be ignored")
        items = (await client.get("/v1/screening", params={"limit": 1000})).json()["items"]
        letters = await letters_about(kafka_bootstrap, contact_id)
    assert [i["contact_id"] for i in items].count(contact_id) == 1
    assert letters == {}
