"""The picture store: picture events in, summary rows out, over one open transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mash_common.db import claim

from ..domain.picture import Picture
from .tables import picture_events, pictures


class PictureStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock(self, contact_id: str) -> None:
        await claim(self.session, pictures, {"contact_id": contact_id})

    async def exists(self, contact_id: str) -> bool:
        row = await self.session.execute(
            select(pictures.c.contact_id).where(pictures.c.contact_id == contact_id)
        )
        return row.first() is not None

    async def has_event(self, event_id: str) -> bool:
        row = await self.session.execute(
            select(picture_events.c.event_id).where(picture_events.c.event_id == event_id)
        )
        return row.first() is not None

    async def add_event(
        self,
        *,
        event_id: str,
        contact_id: str,
        event_type: str,
        topic: str,
        occurred_at: datetime,
        recorded_at: datetime,
        data: dict[str, Any],
    ) -> None:
        await self.session.execute(
            picture_events.insert().values(
                event_id=event_id,
                contact_id=contact_id,
                event_type=event_type,
                topic=topic,
                occurred_at=occurred_at,
                recorded_at=recorded_at,
                data=data,
            )
        )

    async def events(self, contact_id: str) -> Sequence[Row[Any]]:
        result = await self.session.execute(
            select(picture_events)
            .where(picture_events.c.contact_id == contact_id)
            .order_by(picture_events.c.occurred_at, picture_events.c.event_id)
        )
        return result.all()

    async def save(self, picture: Picture, *, now: datetime) -> None:
        completion = picture.completion
        current = picture.current_decision
        await self.session.execute(
            update(pictures)
            .where(pictures.c.contact_id == picture.contact_id)
            .values(
                reference=picture.reference,
                received_at=picture.received_at,
                has_contact=picture.has_contact,
                threshold_outcome=picture.threshold_outcome,
                level_of_need=picture.level_of_need,
                rating=picture.rating,
                rating_rank=picture.rating_rank,
                deadline=picture.deadline,
                respond_by=picture.respond_by,
                due_at=picture.due_at,
                agencies={a: t.isoformat() for a, t in sorted(picture.requested.items())},
                answers={
                    a.agency: {
                        "request_id": a.request_id,
                        "known_to_agency": a.known_to_agency,
                        "late": a.late,
                        "received_at": a.received_at.isoformat(),
                    }
                    for a in sorted(picture.answers.values(), key=lambda a: a.agency)
                },
                breaches=len(picture.breaches),
                warned_at=picture.warned_at,
                status=picture.status,
                ready_at=completion.at if completion else None,
                ready_reason=completion.reason if completion else None,
                decision_id=current.decision_id if current else None,
                updated_at=now,
                threshold_at=picture.threshold_at,
                rated_at=picture.rated_at,
                all_answered_at=picture.all_answered_at,
                decided_at=picture.decided_at,
                feedback_sent_at=picture.feedback_sent_at,
                rag_history=[
                    {"rated_at": at.isoformat(), "rating": rating,
                     "deadline": deadline.isoformat()}
                    for at, rating, deadline in picture.rag_history
                ],
                other_events=[
                    {"type": n.event_type, "at": n.at.isoformat()} for n in picture.notes
                ],
            )
        )

    async def ready_queue(self) -> Sequence[Row[Any]]:
        """Pictures ready for decision: red, amber, green, then the least time left first."""
        result = await self.session.execute(
            select(pictures)
            .where(pictures.c.status == "ready")
            .order_by(
                pictures.c.rating_rank,
                pictures.c.due_at.is_(None),
                pictures.c.due_at,
                pictures.c.ready_at,
                pictures.c.contact_id,
            )
        )
        return result.all()

    async def awaiting_agencies(self) -> Sequence[Row[Any]]:
        """Rated pictures with agencies asked and not yet ready: red, amber, green, then the
        least time left first."""
        result = await self.session.execute(
            select(pictures)
            .where(pictures.c.status == "gathering", pictures.c.rating.is_not(None))
            .order_by(
                pictures.c.rating_rank,
                pictures.c.due_at.is_(None),
                pictures.c.due_at,
                pictures.c.contact_id,
            )
        )
        return result.all()

    async def past_deadline(self, now: datetime) -> Sequence[Row[Any]]:
        """Pictures not yet decided whose RAG deadline has passed: the most overdue first."""
        result = await self.session.execute(
            select(pictures)
            .where(
                pictures.c.status != "decided",
                pictures.c.deadline.is_not(None),
                pictures.c.deadline <= now,
            )
            .order_by(pictures.c.deadline, pictures.c.rating_rank, pictures.c.contact_id)
        )
        return result.all()

    async def events_of(self, contact_ids: Sequence[str]) -> dict[str, list[Row[Any]]]:
        """Every stored event of several contacts, each contact's in time order."""
        found: dict[str, list[Row[Any]]] = {c: [] for c in contact_ids}
        ids = list(found)
        for start in range(0, len(ids), 500):  # well inside every engine's parameter limit
            result = await self.session.execute(
                select(picture_events)
                .where(picture_events.c.contact_id.in_(ids[start:start + 500]))
                .order_by(picture_events.c.occurred_at, picture_events.c.event_id)
            )
            for row in result:
                found[row.contact_id].append(row)
        return found

    async def due_for_completion(self, now: datetime) -> list[str]:
        """Contacts still gathering whose agencies' time to answer has run out."""
        result = await self.session.execute(
            select(pictures.c.contact_id).where(
                pictures.c.status == "gathering",
                pictures.c.has_contact.is_(True),
                pictures.c.respond_by <= now,
            )
        )
        return [r.contact_id for r in result]

    async def picture_row(self, contact_id: str) -> Row[Any] | None:
        result = await self.session.execute(
            select(pictures).where(pictures.c.contact_id == contact_id)
        )
        return result.first()

    async def timeliness_rows(self) -> Sequence[Any]:
        result = await self.session.execute(
            select(
                pictures.c.contact_id, pictures.c.rating, pictures.c.deadline,
                pictures.c.received_at, pictures.c.threshold_at, pictures.c.rated_at,
                pictures.c.all_answered_at, pictures.c.ready_at, pictures.c.decided_at,
                pictures.c.feedback_sent_at,
            ).where(pictures.c.has_contact.is_(True))
        )
        return result.all()
