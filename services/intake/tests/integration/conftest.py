"""What intake's integration tests share: a manual clock, a referral form, the agencies' side."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mash_common.codec import Decoded, decode, encode
from mash_common.crypto import Sealer, agency_kid
from mash_common.testing.service import produce, read_topic, settings_for, wait_until
from mash_intake.config import IntakeSettings
from mash_schemas.events import ContactSubmitted
from mash_schemas.topics import SUBMISSIONS

T0 = datetime.now(UTC).replace(microsecond=0)


class ManualClock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def marf(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "contact_source": "2A",
        "referrer": {"kind": "professional", "name": "Jo Class", "agency": "Oak Primary",
                     "email": "jo@oak.example"},
        "parents_aware": True,
        "consent_given": True,
        "consent_given_by": "Mother",
        "consent_covers": "Mother and both children",
        "children": [{"first_name": "Ava", "last_name": "Brook", "date_of_birth": "2017-05-01",
                      "postcode": "MK9 3EP"}],
        "concern": {"summary": "Came to school hungry three days running", "factors": ["16A"]},
    }
    body.update(overrides)
    return body


async def events(bootstrap: str, topic: str, *, key: str | None = None,
                 event_type: str | None = None) -> list[Decoded]:
    """Decodable events on a topic (other suites put malformed ones there), once per id."""
    seen: dict[str, Decoded] = {}
    for m in await read_topic(bootstrap, topic):
        if key is not None and (m.key is None or m.key.decode() != key):
            continue
        try:
            event = decode(m.value)
        except Exception:
            continue
        if event_type is None or event.type == event_type:
            seen.setdefault(event.event_id, event)
    return list(seen.values())


async def wait_for(bootstrap: str, topic: str, *, key: str, event_type: str,
                   count: int = 1) -> list[Decoded]:
    async def probe() -> list[Decoded]:
        found = await events(bootstrap, topic, key=key, event_type=event_type)
        return found if len(found) >= count else []

    return await wait_until(probe, what=f"{count} x {event_type} keyed {key} on {topic}")


async def submit_from_agency(bootstrap: str, sealer: Sealer, form: dict[str, Any], *,
                             agency: str = "police", submission_id: str | None = None,
                             sealed_for: str | None = None) -> str:
    """What an agency system does: seal the form with its key, send it on the topic."""
    submission_id = submission_id or f"TVP-{uuid.uuid4()}"
    data = ContactSubmitted(
        submission_id=submission_id, agency=agency, submitted_at=datetime.now(UTC),
        form=sealer.seal(sealed_for or agency_kid(agency), form),
    )
    _, value = encode(data, source=f"/agency/{agency}", subject=submission_id)
    await produce(bootstrap, SUBMISSIONS, value, key=submission_id.encode())
    return submission_id


@pytest.fixture
def settings(kafka_bootstrap: str, database_url: str) -> IntakeSettings:
    return settings_for(IntakeSettings, bootstrap=kafka_bootstrap, db_url=database_url)


@pytest.fixture
def sealer(settings: IntakeSettings) -> Sealer:
    return Sealer(settings.data_key.get_secret_value())


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()
