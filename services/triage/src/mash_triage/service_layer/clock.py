"""The RAG clock in the database: planned at each rating, fired by a timer, stopped by the
MASH's decision. Nothing lives in process memory, so a deadline fires after any restart."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mash_common.outbox import UnitOfWork
from mash_schemas.events import DeadlineBreached, DeadlineWarned

from ..adapters.tables import deadlines
from ..domain.clock import ClockRow, Deadline, Kind, replan

_TICKING = (deadlines.c.fired_at.is_(None), deadlines.c.cancelled_at.is_(None))


async def reschedule(
    uow: UnitOfWork, contact_id: str, rating_seq: int, planned: list[Deadline], *, now: datetime
) -> None:
    """A (re-)rating: the deadlines still ticking are cancelled and the new ones planned."""
    rows = (
        await uow.session.execute(
            select(deadlines).where(deadlines.c.contact_id == contact_id)
        )
    ).all()
    plan = replan(
        (
            ClockRow(r.deadline_id, Kind(r.kind), r.deadline, r.fired_at is not None,
                     r.cancelled_at is not None)
            for r in rows
        ),
        planned,
    )
    if plan.cancel:
        await uow.session.execute(
            update(deadlines)
            .where(deadlines.c.deadline_id.in_(plan.cancel), *_TICKING)
            .values(cancelled_at=now, cancel_reason="re-rated")
        )
    for d in plan.create:
        await uow.session.execute(
            insert(deadlines).values(
                contact_id=contact_id,
                rating_seq=rating_seq,
                kind=d.kind.value,
                rating=d.rating,
                deadline=d.deadline,
                due_at=d.due_at,
            )
        )


async def stop(uow: UnitOfWork, contact_id: str, *, now: datetime, reason: str) -> int:
    """The contact left the MASH: nothing more fires for it. Returns how many were ticking."""
    result = await uow.session.execute(
        update(deadlines)
        .where(deadlines.c.contact_id == contact_id, *_TICKING)
        .values(cancelled_at=now, cancel_reason=reason)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def due_deadlines(session: AsyncSession, now: datetime, limit: int) -> list[int]:
    """The ticking deadlines that have come, earliest first (a warning before its breach)."""
    rows = await session.execute(
        select(deadlines.c.deadline_id)
        .where(*_TICKING, deadlines.c.due_at <= now)
        .order_by(deadlines.c.due_at, deadlines.c.deadline_id)
        .limit(limit)
    )
    return [r.deadline_id for r in rows]


async def fire(uow: UnitOfWork, deadline_id: int, *, now: datetime) -> str | None:
    """Fire one deadline: mark it and publish its event in the same transaction.

    The guarded UPDATE is what makes it exactly once: a second copy of the service (or a tick
    that raced a re-rating or a decision) finds the row no longer ticking and publishes nothing.
    Returns the contact id when it fired.
    """
    row = (
        await uow.session.execute(
            select(deadlines).where(deadlines.c.deadline_id == deadline_id, *_TICKING)
        )
    ).first()
    if row is None:
        return None
    marked = await uow.session.execute(
        update(deadlines)
        .where(deadlines.c.deadline_id == deadline_id, *_TICKING)
        .values(fired_at=now)
    )
    if marked.rowcount != 1:  # type: ignore[attr-defined]
        return None
    event: DeadlineWarned | DeadlineBreached
    if row.kind == Kind.WARN:
        event = DeadlineWarned(
            contact_id=row.contact_id, rating=row.rating, deadline=row.deadline, warned_at=now
        )
    else:
        event = DeadlineBreached(
            contact_id=row.contact_id, rating=row.rating, deadline=row.deadline, breached_at=now
        )
    await uow.publish(event, subject=row.contact_id, time=now)
    contact_id: str = row.contact_id
    return contact_id
