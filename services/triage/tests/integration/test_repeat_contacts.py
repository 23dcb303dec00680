"""Intake's repeat-contact links reach screening: how many contacts the child has had in 12
months, the candidate earlier contacts by strength, and what a person decided about each.
Against the real broker and both databases."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest

from mash_common.auth import Role
from mash_common.codec import decode
from mash_common.testing.auth import staff_headers
from mash_common.testing.service import produce, read_topic, running, wait_until
from mash_schemas.topics import CONTACTS, dead_letters
from mash_triage.bootstrap import build_app
from mash_triage.config import TriageSettings

pytestmark = pytest.mark.integration

DECISION_MAKER = staff_headers(Role.DECISION_MAKER, "staff:dm-0042")
MANAGER = staff_headers(Role.MASH_MANAGER, "staff:mgr-0007")



async def repeat_contacts_of(
    client: httpx.AsyncClient, contact_id: str, until: Any, queue: str = "/v1/screening"
) -> dict[str, Any]:
    """The contact's `repeat_contacts` in a queue, once `until(it)` holds."""

    async def probe() -> dict[str, Any] | None:
        items = (await client.get(queue, params={"limit": 1000})).json()["items"]
        found = [i["repeat_contacts"] for i in items if i["contact_id"] == contact_id]
        return found[0] if found and until(found[0]) else None

    return await wait_until(probe, what=f"repeat contacts of {contact_id} in {queue}")


async def test_screening_shows_the_repeat_contacts_and_a_decision_updates_them(
    settings: TriageSettings, hub: Any, clock: Any, kafka_bootstrap: str
) -> None:
    t0 = clock.now
    async with running(build_app(settings, clock=clock), headers=DECISION_MAKER) as client:
        earlier = await hub.send_contact(received_at=t0 - timedelta(days=40))
        later = await hub.send_contact(received_at=t0)
        [earlier_item, later_item] = await hub.screened(client, earlier, later)
        assert later_item["repeat_contacts"]["contacts_in_12_months"] == 1  # nothing linked yet
        assert later_item["repeat_contacts"]["links"] == []

        link_ids, linked = hub.linked_event(
            later, [(earlier, earlier_item["reference"], "likely"),
                    ("c-elsewhere", "MASH-2025-000123", "possible")], count=2, at=t0)
        await produce(kafka_bootstrap, CONTACTS, linked, key=later.encode())
        await produce(kafka_bootstrap, CONTACTS, linked, key=later.encode())  # a copy: once
        shown = await repeat_contacts_of(client, later, lambda r: r["links"])
        assert (shown["contacts_in_12_months"], shown["likely"], shown["possible"],
                shown["confirmed"]) == (2, 1, 1, 0)
        assert shown["links"] == [
            {"contact_id": earlier, "reference": earlier_item["reference"],
             "strength": "likely", "status": "proposed"},
            {"contact_id": "c-elsewhere", "reference": "MASH-2025-000123",
             "strength": "possible", "status": "proposed"},
        ]

        await hub.send_link_decision(later, link_ids[0], earlier, "confirmed", count=2,
                                     at=t0 + timedelta(minutes=5))
        await hub.send_link_decision(later, link_ids[1], "c-elsewhere", "rejected",
                                     strength="possible", count=2, at=t0 + timedelta(minutes=6))
        shown = await repeat_contacts_of(client, later, lambda r: r["rejected"] == 1)
        assert (shown["contacts_in_12_months"], shown["likely"], shown["possible"],
                shown["confirmed"], shown["rejected"]) == (2, 0, 0, 1, 1)
        assert [link["status"] for link in shown["links"]] == ["confirmed", "rejected"]

        # Into the MASH: the rating queue and the record show them too.
        r = await client.post(f"/v1/contacts/{later}/threshold-decision", headers=DECISION_MAKER,
                              json={"outcome": "mash", "level_of_need": 3,
                                    "rationale": "a second contact in six weeks"})
        assert r.status_code == 200, r.text
        rated = await repeat_contacts_of(client, later, lambda r: True, "/v1/rating-queue")
        record = (await client.get(f"/v1/contacts/{later}", headers=DECISION_MAKER)).json()
        earlier_record = (await client.get(f"/v1/contacts/{earlier}",
                                           headers=DECISION_MAKER)).json()

    assert rated["confirmed"] == 1 and rated["links"][0]["reference"] == earlier_item["reference"]
    first = record["repeat_contacts"]["links"][0]
    assert (first["status"], first["decided_by"]) == ("confirmed", "staff:dm-0042")
    assert first["received_at"] is not None and first["decided_at"] is not None
    assert earlier_record["repeat_contacts"]["links"] == []  # its links are to earlier contacts


async def test_links_and_decisions_before_their_contact_are_kept_not_dead_lettered(
    settings: TriageSettings, hub: Any, clock: Any, kafka_bootstrap: str
) -> None:
    t0 = clock.now
    async with running(build_app(settings, clock=clock), headers=DECISION_MAKER) as client:
        earlier = await hub.send_contact(received_at=t0 - timedelta(days=100))
        [earlier_item] = await hub.screened(client, earlier)
        later, contact = hub.contact_event(received_at=t0)
        link_ids, linked = hub.linked_event(
            later, [(earlier, earlier_item["reference"], "likely"),
                    ("c-other", "MASH-2025-000777", "likely")], count=3, at=t0)
        # The decision first, then its link (recounted earlier: must not win), then the contact.
        await hub.send_link_decision(later, link_ids[1], "c-other", "rejected", count=2,
                                     at=t0 + timedelta(minutes=5))
        await produce(kafka_bootstrap, CONTACTS, linked, key=later.encode())
        await produce(kafka_bootstrap, CONTACTS, contact, key=later.encode())
        [item] = await hub.screened(client, later)
        letters = [m for m in await read_topic(kafka_bootstrap, dead_letters("triage"))
                   if m.key is not None and m.key.decode() == later]

    shown = item["repeat_contacts"]
    assert (shown["contacts_in_12_months"], shown["likely"], shown["rejected"]) == (2, 1, 1)
    assert [(link["reference"], link["status"]) for link in shown["links"]] == [
        (earlier_item["reference"], "proposed"), ("MASH-2025-000777", "rejected")]
    assert letters == [], [decode(m.value).data for m in letters]


async def test_a_decision_whose_link_never_came_shows_the_reference_triage_knows(
    settings: TriageSettings, hub: Any, clock: Any
) -> None:
    async with running(build_app(settings, clock=clock), headers=DECISION_MAKER) as client:
        earlier = await hub.send_contact(received_at=clock.now - timedelta(days=10))
        later = await hub.send_contact()
        [earlier_item, _] = await hub.screened(client, earlier, later)
        await hub.send_link_decision(later, str(uuid.uuid4()), earlier, "confirmed", count=2)
        shown = await repeat_contacts_of(client, later, lambda r: r["confirmed"] == 1)

    assert shown["contacts_in_12_months"] == 2
    assert shown["links"] == [{"contact_id": earlier, "reference": earlier_item["reference"],
                               "strength": "likely", "status": "confirmed"}]
