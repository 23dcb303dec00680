"""What triage's integration tests share: the hub around triage, played with real events.

`Hub` puts contacts on mash.contacts (as intake would) and decisions on mash.decisions (as the
decision service would), and reads back what triage published. `ManualClock` is the time the
runtime sees, so a test can move it past a deadline.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from mash_common.codec import Decoded, decode, encode
from mash_common.crypto import Sealer, contact_kid
from mash_common.testing.service import produce, read_topic, settings_for, wait_until
from mash_schemas.events import (
    ContactLinkDecided,
    ContactLinked,
    ContactReceived,
    DecisionMade,
    LinkCandidate,
)
from mash_schemas.topics import CONTACTS, DECISIONS
from mash_triage.config import TriageSettings

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class ManualClock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def personal(first_name: str, last_name: str) -> dict[str, Any]:
    """The sealed part of a contact, shaped as intake seals it."""
    return {
        "child": {"first_name": first_name, "last_name": last_name,
                  "date_of_birth": "2017-05-01", "address": "1 Oak Road", "postcode": "MK9 1AA"},
        "siblings": 0,
        "referrer": {"kind": "professional", "name": "Jo Class", "agency": "Oak Primary"},
        "parents_aware": True,
        "concern": {"summary": f"{first_name} came to school hungry three days running",
                    "factors": ["16A"], "immediate_risk": False},
    }


@dataclass
class Hub:
    bootstrap: str
    sealer: Sealer

    def contact_event(
        self, *, received_at: datetime = T0, immediate_risk: bool = False,
        first_name: str = "Ava", last_name: str = "Brook", contact_id: str | None = None,
        sealed_for: str | None = None,
    ) -> tuple[str, bytes]:
        contact_id = contact_id or str(uuid.uuid4())
        data = ContactReceived(
            contact_id=contact_id,
            reference=f"MASH-2026-{uuid.uuid4().int % 1_000_000:06d}",
            family_group_id=str(uuid.uuid4()),
            received_at=received_at,
            channel="web",
            contact_type="concern",
            contact_source="2A",
            referrer_kind="professional",
            referrer_agency="education",
            immediate_risk=immediate_risk,
            concern_factors=["16A"],
            child_age_years=8,
            personal=self.sealer.seal(
                sealed_for or contact_kid(contact_id), personal(first_name, last_name)
            ),
        )
        _, value = encode(data, source="/mash/intake", subject=contact_id, time=received_at)
        return contact_id, value

    async def send_contact(self, **kwargs: Any) -> str:
        contact_id, value = self.contact_event(**kwargs)
        await produce(self.bootstrap, CONTACTS, value, key=contact_id.encode())
        return contact_id

    async def send_decision(self, contact_id: str, *, decided_at: datetime) -> str:
        decision_id = str(uuid.uuid4())
        data = DecisionMade(
            contact_id=contact_id,
            decision_id=decision_id,
            outcome="early_help",
            level_of_need=2,
            decided_by="staff:mgr-0007",
            decided_at=decided_at,
            rationale=self.sealer.seal(contact_kid(contact_id), {"rationale": "early help fits"}),
        )
        _, value = encode(data, source="/mash/decision", subject=contact_id, time=decided_at)
        await produce(self.bootstrap, DECISIONS, value, key=contact_id.encode())
        return decision_id

    def linked_event(
        self, contact_id: str, candidates: list[tuple[str, str, str]], *, count: int,
        at: datetime = T0,
    ) -> tuple[list[str], bytes]:
        """Intake's links from a contact to earlier ones: (contact_id, reference, strength) each,
        best first. Returns the link ids and the message."""
        found = [
            LinkCandidate(link_id=str(uuid.uuid4()), contact_id=cid, reference=ref,
                          received_at=at - timedelta(days=30 * (n + 1)), strength=strength,
                          score=0.9 - n / 10, basis=["name", "date_of_birth"])
            for n, (cid, ref, strength) in enumerate(candidates)
        ]
        data = ContactLinked(contact_id=contact_id, reference="MASH-2026-999999",
                             candidates=found, contacts_in_12_months=count, linked_at=at)
        _, value = encode(data, source="/mash/intake", subject=contact_id, time=at)
        return [c.link_id for c in found], value

    async def send_linked(
        self, contact_id: str, candidates: list[tuple[str, str, str]], *, count: int,
        at: datetime = T0,
    ) -> list[str]:
        link_ids, value = self.linked_event(contact_id, candidates, count=count, at=at)
        await produce(self.bootstrap, CONTACTS, value, key=contact_id.encode())
        return link_ids

    async def send_link_decision(
        self, contact_id: str, link_id: str, linked_contact_id: str, decision: str, *,
        strength: str = "likely", count: int, at: datetime = T0,
    ) -> None:
        data = ContactLinkDecided(
            link_id=link_id, contact_id=contact_id, linked_contact_id=linked_contact_id,
            decision=decision, strength=strength,  # type: ignore[arg-type]
            decided_by="staff:dm-0042", decided_at=at, contacts_in_12_months=count,
        )
        _, value = encode(data, source="/mash/intake", subject=contact_id, time=at)
        await produce(self.bootstrap, CONTACTS, value, key=contact_id.encode())

    async def events(self, topic: str, contact_id: str, event_type: str | None = None) -> list[
        Decoded
    ]:
        """Triage's events about one contact, once each (the bus may carry a copy twice)."""
        seen: dict[str, Decoded] = {}
        for m in await read_topic(self.bootstrap, topic):
            if m.key is None or m.key.decode() != contact_id:
                continue
            event = decode(m.value)
            if event_type is None or event.type == event_type:
                seen.setdefault(event.event_id, event)
        return list(seen.values())

    async def raw(self, topic: str, contact_id: str) -> list[bytes]:
        return [m.value for m in await read_topic(self.bootstrap, topic)
                if m.key is not None and m.key.decode() == contact_id]

    async def wait_for(
        self, topic: str, contact_id: str, event_type: str, *, count: int = 1
    ) -> list[Decoded]:
        async def probe() -> list[Decoded]:
            found = await self.events(topic, contact_id, event_type)
            return found if len(found) >= count else []

        return await wait_until(probe, what=f"{count} x {event_type} for {contact_id}")

    async def screened(self, client: httpx.AsyncClient, *contact_ids: str) -> list[
        dict[str, Any]
    ]:
        """Wait until triage has taken in these contacts; their screening items, queue order."""

        async def probe() -> list[dict[str, Any]]:
            r = await client.get("/v1/screening", params={"limit": 1000})
            mine = [i for i in r.json()["items"] if i["contact_id"] in contact_ids]
            return mine if len(mine) == len(contact_ids) else []

        return await wait_until(probe, what=f"contacts {contact_ids} in the screening queue")


@pytest.fixture
def settings(kafka_bootstrap: str, database_url: str) -> TriageSettings:
    return settings_for(TriageSettings, bootstrap=kafka_bootstrap, db_url=database_url)


@pytest.fixture
def hub(kafka_bootstrap: str, settings: TriageSettings) -> Hub:
    return Hub(kafka_bootstrap, Sealer(settings.data_key.get_secret_value()))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()
