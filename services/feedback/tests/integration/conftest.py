"""What the feedback tests feed in: real CloudEvents, sealed as intake and decision seal them,
on the real topics of the real broker."""

from __future__ import annotations

import email
import email.policy
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from mash_common.broker import free_port
from mash_common.codec import DecodeError, decode, encode
from mash_common.crypto import Sealer, contact_kid
from mash_common.testing.service import produce, read_topic
from mash_feedback.config import FeedbackSettings
from mash_schemas.events import ContactReceived, DecisionMade, EventData
from mash_schemas.topics import topic_for_event

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


REFERRERS: dict[str, dict[str, Any]] = {
    "professional": {"kind": "professional", "name": "Jo Class", "role": "Teacher",
                     "agency": "Oak Primary", "email": "jo@oak.example"},
    "public": {"kind": "public", "name": "Margaret Brook", "email": "margaret@example.org",
               "phone": "07700 900123"},
    "anonymous": {"kind": "anonymous"},
}


class Hub:
    """Plays intake and decision for one contact."""

    def __init__(self, bootstrap: str, settings: FeedbackSettings, referrer: str) -> None:
        self.bootstrap = bootstrap
        self.sealer = Sealer(settings.data_key.get_secret_value())
        self.contact_id = str(uuid.uuid4())
        self.reference = f"MASH-2026-{uuid.uuid4().int % 1_000_000:06d}"
        self.referrer = REFERRERS[referrer]

    async def send(self, data: EventData, *, subject: str | None = None) -> tuple[str, bytes]:
        source = "/mash/intake" if isinstance(data, ContactReceived) else "/mash/decision"
        event_id, value = encode(data, source=source, subject=subject or self.contact_id)
        await self.resend(value, topic_for_event(data.event_type))
        return event_id, value

    async def resend(self, value: bytes, topic: str) -> None:
        await produce(self.bootstrap, topic, value, key=self.contact_id.encode())

    def contact(self, channel: str = "web") -> ContactReceived:
        # The sealed form exactly as intake writes it.
        personal = {
            "child": {"first_name": "Ava", "last_name": "Brook", "date_of_birth": "2017-05-01",
                      "gender": "female", "address": "4 Mill Lane", "postcode": "MK1 1AA"},
            "siblings": 0,
            "contact_type": "concern",
            "contact_source": "2A",
            "channel": "web",
            "referrer": self.referrer,
            "parents_aware": False,
            "parents_not_aware_reason": "Uncle Dean Brook may react badly",
            "consent_given": False,
            "consent_not_sought_reason": "Risk of significant harm",
            "concern": {"summary": "Ava came to school hungry; uncle Dean Brook shouts at her",
                        "factors": ["16A", "3A"], "immediate_risk": False},
        }
        kind = self.referrer["kind"]
        return ContactReceived(
            contact_id=self.contact_id, reference=self.reference,
            family_group_id=str(uuid.uuid4()), received_at=T0, channel=channel,  # type: ignore[arg-type]
            contact_type="concern", contact_source={"professional": "2A"}.get(kind, "1A"),
            referrer_kind=kind, referrer_agency=self.referrer.get("agency"),
            immediate_risk=False, concern_factors=["16A", "3A"], child_age_years=8,
            personal=self.sealer.seal(contact_kid(self.contact_id), personal),
        )

    def decision(self, outcome: str = "early_help", team: str | None = "Early Help East",
                 supersedes: str | None = None, hours: int = 30, **extra: Any) -> DecisionMade:
        return DecisionMade(
            contact_id=self.contact_id, decision_id=str(uuid.uuid4()),
            outcome=outcome, level_of_need=2,  # type: ignore[arg-type]
            receiving_team=team, decided_by="mgr-7", decided_at=T0 + timedelta(hours=hours),
            supersedes=supersedes,
            rationale=self.sealer.seal(contact_kid(self.contact_id),
                                       {"rationale": "Needs support with routines"}),
            **extra,
        )

    async def published(self, topic: str, event_type: str) -> list[Any]:
        out = []
        for m in await read_topic(self.bootstrap, topic):
            if m.key is None or m.key.decode(errors="replace") != self.contact_id:
                continue
            try:
                event = decode(m.value)
            except DecodeError:
                continue  # another suite's malformed message
            if event.type == event_type:
                out.append(event)
        return out


@pytest.fixture
def hub_for() -> Callable[[str, FeedbackSettings, str], Hub]:
    return Hub


class Mailbox:
    """A real SMTP server on localhost (aiosmtpd, in a thread of its own) keeping every email."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.received: list[email.message.EmailMessage] = []
        self.controller: Controller | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append(message)  # type: ignore[arg-type]
        return "250 OK"

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def for_reference(self, reference: str) -> list[email.message.EmailMessage]:
        return [m for m in self.received if m["X-MASH-Reference"] == reference]


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox(free_port())
    box.start()
    yield box
    box.stop()


@pytest.fixture
def closed_mailbox() -> Iterator[Mailbox]:
    """A mail server that is down until the test starts it."""
    box = Mailbox(free_port())
    yield box
    box.stop()
