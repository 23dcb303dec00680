"""Every read of a child's record is an audit event: who read it, in what role and for which
agency, in which service, and what they read. Identifiers only: never the child's details.

Services call `record_read` in the transaction that reads the record, so the read and its audit
event commit together (the event goes through the outbox to `mash.audit`; decision keeps the
hash-chained log).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from mash_schemas.events import RecordAccessed

from .outbox import UnitOfWork


class Reader(Protocol):
    """Whoever reads: a signed-in person (`auth.Caller`) or an agency's own system."""

    @property
    def user(self) -> str: ...

    @property
    def role(self) -> str: ...

    @property
    def agency(self) -> str | None: ...


async def record_read(
    uow: UnitOfWork, reader: Reader, *, contact_id: str, service: str, action: str,
    now: datetime,
) -> None:
    await uow.publish(
        RecordAccessed(
            contact_id=contact_id,
            accessed_by=reader.user,
            role=reader.role,
            agency=reader.agency,
            service=service,
            action=action,
            accessed_at=now,
        ),
        subject=contact_id,
        time=now,
    )
