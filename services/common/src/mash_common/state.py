"""Small named values a service keeps about its own runtime (e.g. the broker epoch)."""

from __future__ import annotations

from sqlalchemy import delete, insert, select

from .db import Database, runtime_state_table


async def get_state(db: Database, name: str) -> str | None:
    async with db.sessions() as session:
        row = await session.execute(
            select(runtime_state_table.c.value).where(runtime_state_table.c.name == name)
        )
        value = row.scalar_one_or_none()
    return None if value is None else str(value)


async def set_state(db: Database, name: str, value: str) -> None:
    async with db.transaction() as session:
        await session.execute(delete(runtime_state_table).where(runtime_state_table.c.name == name))
        await session.execute(insert(runtime_state_table).values(name=name, value=value))
