"""The inbox: which events this service has applied, recorded with the change itself."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from mash_schemas.envelope import utcnow

from .db import inbox_table


async def seen(session: AsyncSession, event_id: str) -> bool:
    row = await session.execute(
        select(inbox_table.c.event_id).where(inbox_table.c.event_id == event_id)
    )
    return row.first() is not None


async def record(
    session: AsyncSession, event_id: str, event_type: str, topic: str, outcome: str = "applied"
) -> None:
    """Insert the event id; a concurrent copy inserting the same id makes the commit fail."""
    await session.execute(
        insert(inbox_table).values(
            event_id=event_id,
            event_type=event_type,
            topic=topic,
            applied_at=utcnow(),
            outcome=outcome,
        )
    )
