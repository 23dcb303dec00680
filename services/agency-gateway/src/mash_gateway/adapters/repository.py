"""Agency requests in the gateway's database, read back as domain records."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mash_schemas.events import Sealed

from ..domain.chasers import Chaser, ChaserKind, ChaserReplan, StoredChaser
from ..domain.requests import AgencyRequestRecord, Answer, RequestStatus
from .tables import agency_chasers, agency_requests


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
        found = await self.get_with_details(request_id)
        return None if found is None else found[0]

    async def get_with_details(
        self, request_id: str
    ) -> tuple[AgencyRequestRecord, dict[str, Any]] | None:
        """One request with its sealed subject details."""
        row = (
            await self.session.execute(
                select(agency_requests).where(agency_requests.c.request_id == request_id)
            )
        ).first()
        return None if row is None else (_record(row), row.subject_details)

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

    async def move_deadline(self, request: AgencyRequestRecord) -> bool:
        """Store a request's moved deadline and rating if it is still open. False: an answer
        committed first (the answer stands)."""
        result = await self.session.execute(
            update(agency_requests)
            .where(
                agency_requests.c.request_id == request.request_id,
                agency_requests.c.status == RequestStatus.OPEN.value,
            )
            .values(respond_by=request.respond_by, rating=request.rating)
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


_WAITING = (agency_chasers.c.fired_at.is_(None), agency_chasers.c.cancelled_at.is_(None))


class Chasers:
    """The chasers' clock in the database: it fires after any restart, and exactly once."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def plan(self, request: AgencyRequestRecord, chasers: list[Chaser]) -> None:
        for chaser in chasers:
            await self.session.execute(
                insert(agency_chasers).values(
                    request_id=request.request_id,
                    kind=chaser.kind.value,
                    contact_id=request.contact_id,
                    agency=request.agency,
                    due_at=chaser.due_at,
                )
            )

    async def stored(self, request_id: str) -> list[StoredChaser]:
        rows = await self.session.execute(
            select(agency_chasers.c.kind, agency_chasers.c.due_at, agency_chasers.c.fired_at)
            .where(agency_chasers.c.request_id == request_id)
        )
        return [StoredChaser(ChaserKind(r.kind), _utc(r.due_at),  # type: ignore[arg-type]
                             r.fired_at is not None) for r in rows]

    async def replan(
        self, request: AgencyRequestRecord, replan: ChaserReplan, *, now: datetime,
        reason: str,
    ) -> None:
        """A moved deadline: each chaser that has not fired waits for its new time (one row per
        request and kind, moved in place, a cancelled one waiting again); the ones with no
        place in the new plan are cancelled. Fired rows are never touched (the plan holds no
        fired kind), so a kind the UPDATE finds no row for has none yet and is added."""
        for chaser in replan.plan:
            moved = await self.session.execute(
                update(agency_chasers)
                .where(agency_chasers.c.request_id == request.request_id,
                       agency_chasers.c.kind == chaser.kind.value,
                       agency_chasers.c.fired_at.is_(None))
                .values(due_at=chaser.due_at, cancelled_at=None, cancel_reason=None)
            )
            if moved.rowcount == 0:  # type: ignore[attr-defined]
                await self.plan(request, [chaser])
        for kind in replan.cancel:
            await self.cancel_one(request.request_id, kind, now=now, reason=reason)

    async def cancel(self, request_id: str, *, now: datetime, reason: str) -> None:
        await self.session.execute(
            update(agency_chasers)
            .where(agency_chasers.c.request_id == request_id, *_WAITING)
            .values(cancelled_at=now, cancel_reason=reason)
        )

    async def cancel_one(
        self, request_id: str, kind: ChaserKind, *, now: datetime, reason: str
    ) -> None:
        await self.session.execute(
            update(agency_chasers)
            .where(agency_chasers.c.request_id == request_id,
                   agency_chasers.c.kind == kind.value, *_WAITING)
            .values(cancelled_at=now, cancel_reason=reason)
        )

    async def due(self, now: datetime, limit: int) -> list[tuple[str, ChaserKind]]:
        """The waiting chasers that have come, earliest first (a reminder before its
        escalation)."""
        rows = await self.session.execute(
            select(agency_chasers.c.request_id, agency_chasers.c.kind)
            .where(*_WAITING, agency_chasers.c.due_at <= now)
            .order_by(agency_chasers.c.due_at, agency_chasers.c.kind.desc(),
                      agency_chasers.c.request_id)
            .limit(limit)
        )
        return [(r.request_id, ChaserKind(r.kind)) for r in rows]

    async def mark_fired(self, request_id: str, kind: ChaserKind, *, now: datetime) -> bool:
        """The guarded UPDATE that makes a chaser fire once: a second copy of the service, or
        a tick that raced the answer (or a re-rating that moved it), finds it no longer
        waiting (or no longer due)."""
        result = await self.session.execute(
            update(agency_chasers)
            .where(agency_chasers.c.request_id == request_id,
                   agency_chasers.c.kind == kind.value, *_WAITING,
                   # a re-rating may have moved it later since the tick chose it
                   agency_chasers.c.due_at <= now)
            .values(fired_at=now)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def fired_for(self, request_ids: list[str]) -> dict[tuple[str, str], datetime]:
        if not request_ids:
            return {}
        rows = await self.session.execute(
            select(agency_chasers.c.request_id, agency_chasers.c.kind, agency_chasers.c.fired_at)
            .where(agency_chasers.c.request_id.in_(request_ids),
                   agency_chasers.c.fired_at.is_not(None))
        )
        return {(r.request_id, r.kind): r.fired_at for r in rows}
