"""What the decision tests feed in: real CloudEvents, sealed like the producing services seal
them, on the real topics of the real broker; and a clock the tests move by hand."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from mash_common.codec import DecodeError, decode, encode
from mash_common.crypto import Sealer, contact_kid
from mash_common.testing.service import produce, read_topic
from mash_decision.adapters.tables import picture_events
from mash_decision.config import DecisionSettings
from mash_schemas.events import (
    ContactReceived,
    DeadlineBreached,
    DeadlineWarned,
    EventData,
    FeedbackSent,
    InformationProvided,
    InformationRequested,
    RagRated,
    ThresholdDecided,
)
from mash_schemas.topics import topic_for_event

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

SOURCES = {
    ContactReceived: "/mash/intake",
    InformationProvided: "/mash/agency-gateway",
    FeedbackSent: "/mash/feedback",
}


class Clock:
    """The service's idea of now, moved by the test. It starts 45 minutes after T0, the
    contact's arrival, later than the events the tests send before any deadline."""

    def __init__(self, now: datetime = T0 + timedelta(minutes=45)) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


class Hub:
    """Plays intake, triage and the agency gateway for one contact."""

    def __init__(self, bootstrap: str, settings: DecisionSettings) -> None:
        self.bootstrap = bootstrap
        self.sealer = Sealer(settings.data_key.get_secret_value())
        self.contact_id = str(uuid.uuid4())
        self.reference = f"MASH-2026-{uuid.uuid4().int % 1_000_000:06d}"

    def seal(self, payload: dict[str, Any]) -> Any:
        return self.sealer.seal(contact_kid(self.contact_id), payload)

    async def send(
        self, data: EventData, *, event_id: str | None = None, subject: str | None = None
    ) -> tuple[str, bytes]:
        event_id, value = encode(
            data,
            source=SOURCES.get(type(data), "/mash/triage"),
            subject=subject or self.contact_id,
            event_id=event_id,
        )
        await produce(self.bootstrap, topic_for_event(data.event_type), value,
                      key=self.contact_id.encode())
        return event_id, value

    def contact(self, minutes: int = 0) -> ContactReceived:
        return ContactReceived(
            contact_id=self.contact_id,
            reference=self.reference,
            family_group_id=str(uuid.uuid4()),
            received_at=T0 + timedelta(minutes=minutes),
            channel="web",
            contact_type="concern",
            contact_source="2A",
            referrer_kind="professional",
            referrer_agency="Oak Primary",
            immediate_risk=False,
            concern_factors=["16A"],
            child_age_years=8,
            personal=self.seal({"child": {"first_name": "Ava", "last_name": "Brook"}}),
        )

    def screened(self, minutes: int = 5) -> ThresholdDecided:
        return ThresholdDecided(
            contact_id=self.contact_id, outcome="mash", level_of_need=3, decided_by="dm-1",
            decided_at=T0 + timedelta(minutes=minutes),
            rationale=self.seal({"rationale": "Neglect indicators; needs the MASH"}),
        )

    def rated(self, rating: str = "amber", minutes: int = 6, hours: int = 24) -> RagRated:
        return RagRated(
            contact_id=self.contact_id, rating=rating, rated_by="mgr-1",  # type: ignore[arg-type]
            rated_at=T0 + timedelta(minutes=minutes), deadline=T0 + timedelta(hours=hours),
            rationale=self.seal({"rationale": "Ongoing, not immediate"}),
        )

    def requested(
        self, *agencies: str, minutes: int = 10, respond_in: timedelta = timedelta(hours=1),
        rating: str = "amber",
    ) -> InformationRequested:
        at = T0 + timedelta(minutes=minutes)
        return InformationRequested(
            contact_id=self.contact_id, reference=self.reference,
            rating=rating, agencies=list(agencies),  # type: ignore[arg-type]
            respond_by=at + respond_in, requested_by="mgr-1", requested_at=at,
            need_to_know=self.seal({"child": {"first_name": "Ava"}}),
        )

    def answered(self, agency: str, minutes: int = 20, late: bool = False,
                 summary: str | None = None) -> InformationProvided:
        return InformationProvided(
            contact_id=self.contact_id, request_id=f"req-{agency}", agency=agency,
            known_to_agency=True, received_at=T0 + timedelta(minutes=minutes), late=late,
            summary=self.seal({"summary": summary or f"{agency} knows the family"}),
        )

    def breached(self, minutes: int = 600) -> DeadlineBreached:
        return DeadlineBreached(
            contact_id=self.contact_id, rating="amber", deadline=T0 + timedelta(hours=8),
            breached_at=T0 + timedelta(minutes=minutes),
        )

    def warned(self, minutes: int = 300) -> DeadlineWarned:
        return DeadlineWarned(
            contact_id=self.contact_id, rating="amber", deadline=T0 + timedelta(hours=8),
            warned_at=T0 + timedelta(minutes=minutes),
        )

    def feedback_sent(self, decision_id: str, at: datetime,
                      audience: str = "referrer") -> FeedbackSent:
        return FeedbackSent(
            contact_id=self.contact_id, decision_id=decision_id,
            audience=audience, referrer_kind="professional",  # type: ignore[arg-type]
            channel="email", status="sent", sent_at=at,
        )

    async def published(self, topic: str, event_type: str) -> list[Any]:
        """The decoded events of one type about this contact on a topic."""
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


async def stored_events(app: FastAPI, contact_id: str) -> int:
    """How many events the running service holds in this contact's picture (read over SQL)."""
    async with app.state.runtime.db.sessions() as session:
        count = await session.execute(
            select(func.count()).select_from(picture_events)
            .where(picture_events.c.contact_id == contact_id)
        )
        return int(count.scalar_one())


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def hub_for() -> Callable[[str, DecisionSettings], Hub]:
    return Hub


@pytest.fixture
def count_stored() -> Callable[[FastAPI, str], Any]:
    return stored_events


@pytest.fixture
def another_database_url(request: pytest.FixtureRequest, database_url: str, tmp_path: Any) -> str:
    """A second empty database on the same engine as `database_url`."""
    if database_url.startswith("sqlite"):
        return f"sqlite+aiosqlite:///{tmp_path}/another.db"
    url: str = request.getfixturevalue("postgres_url")
    return url
