"""The hub around the gateway, played by the tests: triage asking, agencies answering, and
what the gateway published, read back from the real broker."""

from __future__ import annotations

import base64
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from mash_common.auth import Role
from mash_common.codec import Decoded, DecodeError, decode, encode
from mash_common.crypto import Sealer, agency_kid, contact_kid, open_with_key
from mash_common.db import inbox_table, outbox_table
from mash_common.kafka import ensure_topics
from mash_common.runtime import ServiceRuntime
from mash_common.testing.auth import staff_headers
from mash_common.testing.service import produce, read_topic, settings_for, wait_until
from mash_gateway.config import GatewaySettings
from mash_schemas.envelope import utcnow
from mash_schemas.events import (
    AgencyChased,
    AgencyEscalated,
    AgencyRequest,
    AgencyRequestUpdated,
    AgencyResponse,
    DeadLetter,
    InformationDeadlinesChanged,
    InformationProvided,
    InformationRequested,
)
from mash_schemas.topics import (
    INFORMATION,
    TRIAGE,
    agency_rejections,
    agency_requests,
    agency_responses,
    dead_letters,
)

CHILD = {
    "first_name": "Ava",
    "last_name": "Brook",
    "date_of_birth": "2017-05-01",
    "gender": "female",
    "nhs_number": "9434765919",
    "address": "1 Elm Row, Milton Keynes",
    "postcode": "MK9 1AA",
    "school": "Oak Primary",
    "gp": "Elm Surgery",
}
NAMES_AND_DOB = {"first_name": "Ava", "last_name": "Brook", "date_of_birth": "2017-05-01"}
PROFILE = {
    "police": {**NAMES_AND_DOB, "address": CHILD["address"], "postcode": CHILD["postcode"]},
    "health": {**NAMES_AND_DOB, "nhs_number": CHILD["nhs_number"], "gp": CHILD["gp"]},
    "education": {**NAMES_AND_DOB, "school": CHILD["school"]},
    "housing": {**NAMES_AND_DOB, "address": CHILD["address"], "postcode": CHILD["postcode"]},
}


class Hub:
    def __init__(self, bootstrap: str, settings: GatewaySettings) -> None:
        self.bootstrap = bootstrap
        self.settings = settings
        self.sealer = Sealer(settings.data_key.get_secret_value())

    async def read_events(self, topic: str) -> list[tuple[Any, Decoded]]:
        """Decodable events on a topic. Other suites share the session broker and put
        deliberately malformed messages on some topics; those are not ours to read."""
        out = []
        for m in await self.read(topic):
            try:
                out.append((m, decode(m.value)))
            except DecodeError:
                continue
        return out

    async def read(self, topic: str) -> list[Any]:
        """Every message on a topic (probes retry, so a short idle wait is enough)."""
        return await read_topic(self.bootstrap, topic, timeout_ms=500)

    # --- triage asks -------------------------------------------------------------------
    PROFILE = PROFILE
    # The MASH manager following each agency's progress (GET /v1/contacts/{id}/requests).
    STAFF = staff_headers(Role.MASH_MANAGER, "staff:mgr-0007")

    async def information_requested(
        self, agencies: list[str], *, respond_in: timedelta = timedelta(hours=4),
        contact_id: str | None = None, agency_respond_in: dict[str, timedelta] | None = None,
    ) -> str:
        """Triage asks the gateway to consult `agencies` about a (new) contact; its id."""
        contact_id = contact_id or str(uuid.uuid4())
        now = utcnow()
        need_to_know = self.sealer.seal(
            contact_kid(contact_id),
            {"child": CHILD, "concern": {"summary": "Came to school hungry"},
             "referrer": {"name": "Jo Class"}},
        )
        data = InformationRequested(
            contact_id=contact_id, reference="MASH-2026-000042", rating="amber",
            agencies=agencies, respond_by=now + respond_in, requested_by="staff:mgr-0007",
            requested_at=now, need_to_know=need_to_know,
            agency_respond_by={a: now + d for a, d in (agency_respond_in or {}).items()} or None,
        )
        await self.publish(TRIAGE, data, subject=contact_id, source="/mash/triage")
        return contact_id

    async def deadlines_changed(
        self, contact_id: str, *, respond_by: datetime, agency_respond_by: dict[str, datetime],
        rating: str = "red", previous_rating: str = "amber",
    ) -> tuple[str, bytes]:
        """Triage re-rated the contact and moved its agencies' deadlines; the event id and the
        message (to send again)."""
        data = InformationDeadlinesChanged(
            contact_id=contact_id, reference="MASH-2026-000042",
            rating=rating, previous_rating=previous_rating,  # type: ignore[arg-type]
            respond_by=respond_by, agency_respond_by=agency_respond_by,
            changed_by="staff:mgr-0007", changed_at=utcnow(),
        )
        return await self.publish(TRIAGE, data, subject=contact_id, source="/mash/triage")

    async def publish(
        self, topic: str, data: Any, *, subject: str, source: str, key: bytes | None = None
    ) -> tuple[str, bytes]:
        event_id, value = encode(data, source=source, subject=subject)
        await produce(self.bootstrap, topic, value, key=key or subject.encode())
        return event_id, value

    # --- agencies read and answer --------------------------------------------------------
    @staticmethod
    def token(agency: str) -> dict[str, str]:
        """The HTTP headers of an agency's system: its development API token."""
        return {"Authorization": f"Bearer dev-{agency}-token"}

    @staticmethod
    def practitioner(agency: str, user: str = "staff:pc-0001") -> dict[str, str]:
        """The HTTP headers of one of the agency's practitioners signed in to the console."""
        return staff_headers(Role.AGENCY_PRACTITIONER, user, agency=agency)

    async def rejections(self, agency: str) -> list[Decoded]:
        return [e for _, e in await self.read_events(agency_rejections(agency))]

    def agency_key(self, agency: str) -> str:
        return self.sealer.export_key(agency_kid(agency))

    async def requests_sent(self, contact_id: str, agencies: list[str]) -> dict[str, Any]:
        """The raw request messages per agency, once each agency has one for the contact."""

        async def probe() -> dict[str, Any]:
            found = {}
            for agency in agencies:
                msgs = [m for m, e in await self.read_events(agency_requests(agency))
                        if e.subject == contact_id and isinstance(e.data, AgencyRequest)]
                if msgs:
                    found[agency] = msgs
            return found if len(found) == len(agencies) else {}

        return await wait_until(probe, what=f"requests to {agencies}")

    @staticmethod
    def request_of(message: Any) -> AgencyRequest:
        data = decode(message.value).data
        assert isinstance(data, AgencyRequest)
        return data

    async def answer(
        self, agency: str, request: AgencyRequest, *, subject: str | None = None,
        summary: str = "Two domestic incidents attended at the home address.",
        key: bytes | None = None, request_id: str | None = None,
    ) -> tuple[str, bytes]:
        """An agency system answers on its responses topic. The key is written JSON-quoted,
        as `tansu cat produce` writes it: the gateway must not depend on it."""
        subject = subject or request.contact_id
        data = AgencyResponse(
            request_id=request_id or request.request_id, known_to_agency=True, summary=summary,
            responder=f"{agency}:PC-1234",
        )
        return await self.publish(
            agency_responses(agency), data, subject=subject, source=f"/agency/{agency}",
            key=key or f'"{subject}"'.encode(),
        )

    # --- what the gateway published ------------------------------------------------------
    async def provided(self, contact_id: str, count: int = 1) -> list[Decoded]:
        async def probe() -> list[Decoded]:
            events = [e for _, e in await self.read_events(INFORMATION)]
            mine = [e for e in events
                    if e.subject == contact_id and isinstance(e.data, InformationProvided)]
            return mine if len(mine) >= count else []

        return await wait_until(probe, what=f"{count} InformationProvided for {contact_id}")

    async def escalated(self, contact_id: str, count: int = 1) -> list[Decoded]:
        async def probe() -> list[Decoded]:
            events = [e for _, e in await self.read_events(INFORMATION)]
            # At least once on the bus: two copies' relays may both send one outbox row.
            mine = list({e.event_id: e for e in events
                         if e.subject == contact_id and isinstance(e.data, AgencyEscalated)
                         }.values())
            return mine if len(mine) >= count else []

        return await wait_until(probe, what=f"{count} AgencyEscalated for {contact_id}")

    async def updated(self, contact_id: str, agency: str) -> list[Decoded]:
        """The request updates an agency was sent about a contact (once each)."""
        return list({e.event_id: e for _, e in await self.read_events(agency_requests(agency))
                     if e.subject == contact_id and isinstance(e.data, AgencyRequestUpdated)
                     }.values())

    async def chased(self, contact_id: str, agency: str) -> list[Decoded]:
        return list({e.event_id: e for _, e in await self.read_events(agency_requests(agency))
                     if e.subject == contact_id and isinstance(e.data, AgencyChased)}.values())

    def opened(self, event: Decoded) -> dict[str, Any]:
        data = event.data
        assert isinstance(data, InformationProvided)
        return self.sealer.open(data.summary)

    async def dead_letters(self) -> list[tuple[DeadLetter, bytes]]:
        out = []
        for _, event in await self.read_events(dead_letters("agency-gateway")):
            letter = event.data
            assert isinstance(letter, DeadLetter)
            out.append((letter, base64.b64decode(letter.original)))
        return out


    def open_details(self, agency: str, request: AgencyRequest) -> dict[str, Any]:
        """As the agency would: with its own key only."""
        return open_with_key(self.agency_key(agency), request.subject_details.model_dump())

    # --- inside the gateway ---------------------------------------------------------------
    @staticmethod
    def runtime_of(app: FastAPI) -> ServiceRuntime:
        runtime: ServiceRuntime = app.state.runtime
        return runtime

    async def inbox_outcome(self, app: FastAPI, event_id: str) -> str | None:
        """How the gateway took an event ('applied', 'dead_lettered'); None if not yet."""
        async with self.runtime_of(app).db.sessions() as session:
            row = await session.execute(
                select(inbox_table.c.outcome).where(inbox_table.c.event_id == event_id)
            )
            outcome: str | None = row.scalar_one_or_none()
            return outcome

    async def published_count(
        self, app: FastAPI, event_type: str, contact_id: str | None = None
    ) -> int:
        """Events of a type in the gateway's outbox (its durable log of what it published),
        about one contact if given (the outbox key is the contact id)."""
        where = [outbox_table.c.event_type == event_type]
        if contact_id is not None:
            where.append(outbox_table.c.key == contact_id)
        async with self.runtime_of(app).db.sessions() as session:
            row = await session.execute(
                select(func.count()).select_from(outbox_table).where(*where)
            )
            return int(row.scalar_one())


@pytest.fixture(scope="session")
async def topics(kafka_bootstrap: str) -> str:
    """Every declared topic exists before a gateway subscribes (no auto-created ones)."""
    await ensure_topics(kafka_bootstrap)
    return kafka_bootstrap


@pytest.fixture
async def hub(topics: str, database_url: str) -> AsyncIterator[Hub]:
    """The gateway's settings on the test broker and a database (each engine in turn)."""
    yield Hub(topics, settings_for(GatewaySettings, bootstrap=topics, db_url=database_url))


@pytest.fixture
async def sqlite_hub(topics: str, tmp_path: Path) -> AsyncIterator[Hub]:
    yield Hub(topics, settings_for(GatewaySettings, bootstrap=topics, data_dir=tmp_path))
