"""The audit log's rows: appended under a lock, read newest first or walked in order."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.audit import Entry
from .tables import audit_log

# Appends are serialised: each needs the head its predecessor wrote. On Postgres two copies of
# the service (consumers of different partitions) take this transaction-scoped advisory lock;
# SQLite's BEGIN IMMEDIATE already lets one writer in at a time.
APPEND_LOCK = int(hashlib.sha1(b"mash.decision.audit_log").hexdigest()[:15], 16)


@dataclass(frozen=True)
class AuditFilter:
    contact_id: str | None = None
    accessed_by: str | None = None
    agency: str | None = None
    since: datetime | None = None  # accessed at or after
    until: datetime | None = None  # accessed before

    def where(self) -> list[ColumnElement[bool]]:
        c = audit_log.c
        clauses: list[ColumnElement[bool]] = []
        if self.contact_id is not None:
            clauses.append(c.contact_id == self.contact_id)
        if self.accessed_by is not None:
            clauses.append(c.accessed_by == self.accessed_by)
        if self.agency is not None:
            clauses.append(c.agency == self.agency)
        if self.since is not None:
            clauses.append(c.accessed_at >= self.since)
        if self.until is not None:
            clauses.append(c.accessed_at < self.until)
        return clauses


def _entry(row: Any) -> Entry:
    return Entry(
        seq=row.seq,
        event_id=row.event_id,
        accessed_at=row.accessed_at,
        accessed_by=row.accessed_by,
        role=row.role,
        agency=row.agency,
        contact_id=row.contact_id,
        service=row.service,
        action=row.action,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


class AuditLog:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock_for_append(self) -> None:
        if self.session.get_bind().dialect.name == "postgresql":
            await self.session.execute(
                text("SELECT pg_advisory_xact_lock(:k)"), {"k": APPEND_LOCK}
            )

    async def has(self, event_id: str) -> bool:
        row = await self.session.execute(
            select(audit_log.c.seq).where(audit_log.c.event_id == event_id)
        )
        return row.first() is not None

    async def head(self) -> Entry | None:
        row = (await self.session.execute(
            select(audit_log).order_by(audit_log.c.seq.desc()).limit(1)
        )).first()
        return _entry(row) if row else None

    async def append(self, entry: Entry) -> None:
        await self.session.execute(
            audit_log.insert().values(
                seq=entry.seq,
                event_id=entry.event_id,
                accessed_at=entry.accessed_at,
                accessed_by=entry.accessed_by,
                role=entry.role,
                agency=entry.agency,
                contact_id=entry.contact_id,
                service=entry.service,
                action=entry.action,
                prev_hash=entry.prev_hash,
                hash=entry.hash,
            )
        )

    async def count(self, where: AuditFilter = AuditFilter()) -> int:
        result = await self.session.execute(
            select(func.count()).select_from(audit_log).where(*where.where())
        )
        return int(result.scalar_one())

    async def newest_first(
        self, where: AuditFilter, *, before: int | None, limit: int
    ) -> list[Entry]:
        clauses = where.where()
        if before is not None:
            clauses.append(audit_log.c.seq < before)
        result = await self.session.execute(
            select(audit_log).where(*clauses).order_by(audit_log.c.seq.desc()).limit(limit)
        )
        return [_entry(r) for r in result]

    async def after(self, seq: int, *, limit: int) -> list[Entry]:
        """The next `limit` entries after `seq`, in sequence order."""
        result = await self.session.execute(
            select(audit_log).where(audit_log.c.seq > seq)
            .order_by(audit_log.c.seq).limit(limit)
        )
        return [_entry(r) for r in result]


async def walk(sessions: Any, *, chunk: int = 1000) -> AsyncIterator[Entry]:
    """Every entry in sequence order, `chunk` rows per short transaction (so a long walk never
    holds SQLite's write lock for long); `sessions` is an async_sessionmaker."""
    last = 0
    while True:
        async with sessions() as session:
            entries = await AuditLog(session).after(last, limit=chunk)
        for entry in entries:
            yield entry
        if len(entries) < chunk:
            return
        last = entries[-1].seq
