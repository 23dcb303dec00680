"""Intake's use cases: accept a contact, read it back (audited), check its status."""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update

from mash_common.crypto import Sealer, contact_kid
from mash_common.outbox import UnitOfWork
from mash_schemas.events import ContactReceived, RecordAccessed

from ..adapters.tables import contacts, counters, submissions
from ..domain.contacts import age_in_years, new_status_token, reference_for, token_hash
from .commands import SubmitContact


@dataclass(frozen=True)
class Accepted:
    family_group_id: str
    contacts: list[dict[str, Any]]
    status_token: str | None
    replayed: bool = False

    def response(self) -> dict[str, Any]:
        first = self.contacts[0]
        body = {
            "contact_id": first["contact_id"],
            "reference": first["reference"],
            "family_group_id": self.family_group_id,
            "contacts": self.contacts,
        }
        if self.status_token is not None:
            body["status_token"] = self.status_token
        return body


async def _next_number(uow: UnitOfWork, name: str) -> int:
    s = uow.session
    result = await s.execute(
        update(counters).where(counters.c.name == name).values(value=counters.c.value + 1)
        .returning(counters.c.value)
    )
    value = result.scalar_one_or_none()
    if value is None:
        await s.execute(insert(counters).values(name=name, value=1))
        return 1
    return int(value)


async def submit_contact(
    uow: UnitOfWork,
    sealer: Sealer,
    command: SubmitContact,
    *,
    now: datetime,
    idempotency_key: str | None = None,
) -> Accepted:
    """One contact about several children becomes one record per child, linked as a family."""
    s = uow.session
    if idempotency_key:
        prior = (
            await s.execute(
                select(submissions.c.family_group_id, submissions.c.response).where(
                    submissions.c.idempotency_key == idempotency_key
                )
            )
        ).first()
        if prior is not None:
            return Accepted(prior.family_group_id, prior.response["contacts"], None, True)

    family_group_id = str(uuid.uuid4())
    token = new_status_token()
    accepted: list[dict[str, Any]] = []
    shared = command.model_dump(mode="json", exclude={"children"})
    for index, child in enumerate(command.children):
        contact_id = str(uuid.uuid4())
        number = await _next_number(uow, f"reference-{now.year}")
        reference = reference_for(now.year, number)
        personal = sealer.seal(
            contact_kid(contact_id),
            {"child": child.model_dump(mode="json"), "siblings": len(command.children) - 1,
             **shared},
        )
        await s.execute(
            insert(contacts).values(
                contact_id=contact_id,
                reference=reference,
                family_group_id=family_group_id,
                received_at=now,
                channel=command.channel,
                contact_type=command.contact_type,
                contact_source=command.contact_source,
                referrer_kind=command.referrer.kind,
                immediate_risk=int(command.concern.immediate_risk),
                child_index=index,
                child_dob=child.date_of_birth,
                personal=personal.model_dump(),
                status_token_hash=token_hash(token),
            )
        )
        await uow.publish(
            ContactReceived(
                contact_id=contact_id,
                reference=reference,
                family_group_id=family_group_id,
                received_at=now,
                channel=command.channel,
                contact_type=command.contact_type,
                contact_source=command.contact_source,
                referrer_kind=command.referrer.kind,
                referrer_agency=command.referrer.agency,
                immediate_risk=command.concern.immediate_risk,
                concern_factors=command.concern.factors,
                child_age_years=age_in_years(child.date_of_birth, now.date()),
                personal=personal,
            ),
            subject=contact_id,
            time=now,
        )
        accepted.append({"contact_id": contact_id, "reference": reference, "child_index": index})
    result = Accepted(family_group_id, accepted, token)
    if idempotency_key:
        await s.execute(
            insert(submissions).values(
                idempotency_key=idempotency_key,
                family_group_id=family_group_id,
                response={"contacts": accepted},
                created_at=now,
            )
        )
    return result


async def read_contact(
    uow: UnitOfWork, sealer: Sealer, contact_id: str, *, user: str, role: str, now: datetime
) -> dict[str, Any] | None:
    """A person reads a child's record: the read itself is an audit event."""
    row = (
        await uow.session.execute(select(contacts).where(contacts.c.contact_id == contact_id))
    ).first()
    if row is None:
        return None
    await uow.publish(
        RecordAccessed(
            contact_id=contact_id,
            accessed_by=user,
            role=role,
            service="intake",
            action="read contact",
            accessed_at=now,
        ),
        subject=contact_id,
        time=now,
    )
    return {
        "contact_id": row.contact_id,
        "reference": row.reference,
        "family_group_id": row.family_group_id,
        "received_at": row.received_at,
        "channel": row.channel,
        "contact_type": row.contact_type,
        "contact_source": row.contact_source,
        "referrer_kind": row.referrer_kind,
        "immediate_risk": bool(row.immediate_risk),
        "form": sealer.open(row.personal),
    }


async def contact_status(uow: UnitOfWork, reference: str, token: str) -> dict[str, Any] | None:
    """What a referrer may know: received, and when. Never the details."""
    row = (
        await uow.session.execute(
            select(contacts.c.reference, contacts.c.received_at, contacts.c.status_token_hash)
            .where(contacts.c.reference == reference)
        )
    ).first()
    if row is None or not hmac.compare_digest(row.status_token_hash, token_hash(token)):
        return None
    return {"reference": row.reference, "received": True, "received_at": row.received_at}
