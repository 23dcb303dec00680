"""The audit log's use cases: append a read of a child's record, list the log, verify the chain.

Every service publishes `RecordAccessed` on `mash.audit` when a person reads a child's record;
decision appends each one, once, to its hash-chained log. Reading the log is not itself an
access to a child's record (it holds identifiers only), so it is not audited in turn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mash_schemas.events import RecordAccessed

from ..adapters.audit_log import AuditFilter, AuditLog, walk
from ..domain.audit import Access, ChainCheck, Entry, Verification, append

MAX_PAGE = 500


@dataclass(frozen=True)
class AuditPage:
    entries: list[Entry]
    total: int  # every entry matching the filters, on every page
    next_before: int | None  # pass as `before` for the next (older) page; None on the last


def access_from(event_id: str, data: RecordAccessed) -> Access:
    return Access(
        event_id=event_id,
        accessed_at=data.accessed_at,
        accessed_by=data.accessed_by,
        role=data.role,
        # Optional in v1 (added later): absent from older events and for MASH staff.
        agency=data.agency,
        contact_id=data.contact_id,
        service=data.service,
        action=data.action,
    )


async def record_access(session: AsyncSession, event_id: str, data: RecordAccessed) -> bool:
    """Append one read to the log (False if that event is already in it).

    Every read is logged, whatever its envelope's subject: refusing one would leave a read of
    a child's record out of the audit trail.
    """
    log = AuditLog(session)
    await log.lock_for_append()
    if await log.has(event_id):
        return False
    await log.append(append(await log.head(), access_from(event_id, data)))
    return True


async def page(
    session: AsyncSession, where: AuditFilter, *, before: int | None, limit: int
) -> AuditPage:
    limit = max(1, min(limit, MAX_PAGE))
    log = AuditLog(session)
    found = await log.newest_first(where, before=before, limit=limit + 1)
    entries = found[:limit]
    more = len(found) > limit
    return AuditPage(
        entries=entries,
        total=await log.count(where),
        next_before=entries[-1].seq if more else None,
    )


async def verify_chain(sessions: Any) -> Verification:
    """Recompute every link of the chain, in sequence order; `sessions` opens a session."""
    check = ChainCheck()
    async for entry in walk(sessions):
        check.add(entry)
    return check.result()
