"""The audit view, for auditors: the hash-chained log of every read of a child's record.

Every route needs a staff token with the auditor's role (`read-audit`): 401 without one, 403
for any other role. The log holds identifiers only (contact ids, staff user ids), never a
child's personal data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field

from mash_common.auth import Caller, require
from mash_common.http import RuntimeDep

from ..adapters.audit_log import AuditFilter
from ..domain.audit import Entry, timestamp
from ..service_layer import audit

router = APIRouter(prefix="/v1/audit", tags=["audit"])

AuditorDep = Annotated[Caller, Depends(require("read-audit"))]


class AuditEntry(BaseModel):
    """One read of a child's record, as logged and hashed."""

    seq: int = Field(description="Position in the chain: 1, 2, 3, ... in the order logged.")
    event_id: str = Field(description="The `RecordAccessed` event's id (unique).")
    accessed_at: str = Field(
        description="When the record was read: UTC, ISO 8601 with microseconds and `Z` "
        "(`2026-03-02T09:00:00.000000Z`), exactly as hashed.",
        examples=["2026-03-02T09:00:00.000000Z"],
    )
    accessed_by: str = Field(description="The staff user who read it.")
    role: str = Field(description="Their role at the time.")
    agency: str | None = Field(
        description="The reader's agency: an agency practitioner's, or the agency whose own "
        "system read it; null for MASH staff and for reads logged before it was carried.")
    contact_id: str = Field(description="The contact whose record was read.")
    service: str = Field(description="The service that served the read.")
    action: str = Field(description="What was read, e.g. `read picture`.")
    prev_hash: str = Field(description="The previous entry's hash (64 zeros for the first).")
    hash: str = Field(
        description="SHA-256 (hex) of `prev_hash` followed by the canonical JSON of the other "
        "fields: see the decision README."
    )

    @classmethod
    def of(cls, entry: Entry) -> AuditEntry:
        return cls(
            seq=entry.seq,
            event_id=entry.event_id,
            accessed_at=timestamp(entry.accessed_at),
            accessed_by=entry.accessed_by,
            role=entry.role,
            agency=entry.agency,
            contact_id=entry.contact_id,
            service=entry.service,
            action=entry.action,
            prev_hash=entry.prev_hash,
            hash=entry.hash,
        )


class AuditPage(BaseModel):
    entries: list[AuditEntry] = Field(description="Newest first (highest `seq` first).")
    total: int = Field(description="Entries matching the filters, over every page.")
    next_before: int | None = Field(
        description="Pass as `before` to get the next, older page; null on the last page."
    )


class ChainVerification(BaseModel):
    ok: bool = Field(description="Every link holds.")
    entries: int = Field(description="Entries checked.")
    first_broken: int | None = Field(
        description="The `seq` of the first entry whose link is broken (its sequence number, "
        "its `prev_hash` or its `hash` is wrong); null when the chain holds."
    )
    head: str | None = Field(
        description="The last entry's hash as stored; null for an empty log. Record it: a "
        "later log whose entry at that `seq` has another hash was rewritten."
    )


def _utc(name: str, value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise HTTPException(422, [{
            "loc": ["query", name], "type": "value_error",
            "msg": "give a timezone (e.g. 2026-03-02T09:00:00Z)",
        }])
    return value


@router.get(
    "",
    summary="The audit log: who read which child's record",
    description=(
        "Every read of a child's record by a person, from every service, newest first. "
        "Filter by contact, by staff user, by the reader's agency (an agency practitioner's "
        "or an agency system's), and by when the record was read (`since` "
        "inclusive, `until` exclusive). Pages of at most 500 entries: pass the response's "
        "`next_before` as `before` for the next, older page (stable while new reads are "
        "logged). `total` counts every matching entry. Identifiers only, no personal data; "
        "auditors only."
    ),
    response_model=AuditPage,
)
async def list_audit(
    runtime: RuntimeDep,
    caller: AuditorDep,
    contact_id: Annotated[str | None, Query(description="Only reads of this contact.")] = None,
    user: Annotated[str | None, Query(description="Only reads by this staff user.")] = None,
    agency: Annotated[str | None, Query(
        description="Only reads by this agency's practitioners or its own system.")] = None,
    since: Annotated[datetime | None, Query(description="Read at or after (ISO 8601, "
                                            "with a timezone).")] = None,
    until: Annotated[datetime | None, Query(description="Read before (ISO 8601, with a "
                                            "timezone).")] = None,
    before: Annotated[int | None, Query(ge=1, description="Only entries with a lower `seq` "
                                        "(the previous page's `next_before`).")] = None,
    limit: Annotated[int, Query(ge=1, le=audit.MAX_PAGE,
                                description="Entries per page (at most 500).")] = 100,
) -> AuditPage:
    where = AuditFilter(contact_id=contact_id, accessed_by=user, agency=agency,
                        since=_utc("since", since), until=_utc("until", until))
    async with runtime.db.sessions() as session:
        found = await audit.page(session, where, before=before, limit=limit)
    return AuditPage(
        entries=[AuditEntry.of(e) for e in found.entries],
        total=found.total,
        next_before=found.next_before,
    )


@router.get(
    "/verify",
    summary="Verify the audit log's hash chain",
    description=(
        "Recomputes every entry's hash from its content and its predecessor's hash, in "
        "sequence order, and checks the sequence has no gap. `first_broken` names the first "
        "entry that was changed, removed after, or reordered; `head` is the last hash. "
        "Entries removed from the end are found by comparing `head` (or the entry at a "
        "recorded `seq`) with one recorded earlier. Auditors only."
    ),
    response_model=ChainVerification,
)
async def verify_audit(runtime: RuntimeDep, caller: AuditorDep) -> ChainVerification:
    result = await audit.verify_chain(runtime.db.sessions)
    return ChainVerification(ok=result.ok, entries=result.entries,
                             first_broken=result.first_broken, head=result.head)
