"""Agency requests in the gateway's database, read back as domain records."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mash_schemas.events import Sealed

from ..domain.requests import AgencyRequestRecord, Answer, RequestStatus
from .tables import agency_requests


def _utc(value: datetime | None) -> datetime | None:
    # SQLite hands timestamps back without their zone; everything stored here is UTC.
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _record(row: Any) -> AgencyRequestRecord:
    return AgencyRequestRecord(
        request_id=row.request_id,
        contact_id=row.contact_id,
        reference=row.reference,
        agency=row.agency,
        rating=row.rating,
        respond_by=_utc(row.respond_by),  # type: ignore[arg-type]
        requested_at=_utc(row.requested_at),  # type: ignore[arg-type]
        status=RequestStatus(row.status),
        answered_at=_utc(row.answered_at),
        late=row.late,
        known_to_agency=row.known_to_agency,
        channel=row.channel,
    )


class AgencyRequests:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self, request: AgencyRequestRecord, *, subject_details: Sealed, source_event_id: str
    ) -> None:
        await self.session.execute(
            insert(agency_requests).values(
                request_id=request.request_id,
                contact_id=request.contact_id,
                reference=request.reference,
                agency=request.agency,
                rating=request.rating,
                respond_by=request.respond_by,
                requested_at=request.requested_at,
                information_requested_id=source_event_id,
                status=request.status.value,
                subject_details=subject_details.model_dump(),
            )
        )

    async def get(self, request_id: str) -> AgencyRequestRecord | None:
        row = (
            await self.session.execute(
                select(agency_requests).where(agency_requests.c.request_id == request_id)
            )
        ).first()
        return None if row is None else _record(row)

    async def mark_answered(
        self,
        request: AgencyRequestRecord,
        answer: Answer,
        *,
        known_to_agency: bool,
        channel: str,
        sealed_answer: Sealed,
    ) -> bool:
        """Record the answer if the request is still open. False: another answer won the race."""
        result = await self.session.execute(
            update(agency_requests)
            .where(
                agency_requests.c.request_id == request.request_id,
                agency_requests.c.status == RequestStatus.OPEN.value,
            )
            .values(
                status=RequestStatus.ANSWERED.value,
                answered_at=answer.received_at,
                late=answer.late,
                known_to_agency=known_to_agency,
                channel=channel,
                answer=sealed_answer.model_dump(),
            )
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def open_for_agency(
        self, agency: str, *, limit: int
    ) -> list[tuple[AgencyRequestRecord, dict[str, Any]]]:
        """The agency's open requests, most urgent first, with their sealed subject details."""
        rows = (
            await self.session.execute(
                select(agency_requests)
                .where(
                    agency_requests.c.agency == agency,
                    agency_requests.c.status == RequestStatus.OPEN.value,
                )
                .order_by(agency_requests.c.respond_by, agency_requests.c.request_id)
                .limit(limit)
            )
        ).all()
        return [(_record(r), r.subject_details) for r in rows]

    async def for_contact(self, contact_id: str) -> list[AgencyRequestRecord]:
        rows = (
            await self.session.execute(
                select(agency_requests)
                .where(agency_requests.c.contact_id == contact_id)
                .order_by(agency_requests.c.requested_at, agency_requests.c.agency)
            )
        ).all()
        return [_record(r) for r in rows]
