"""Triage's use cases: take in contacts, record threshold decisions and RAG ratings, and stop
the clock when the MASH decides.

Each runs inside one unit of work: the state change and the events it publishes commit together.
Logs carry ids only; personal data stays sealed except where a person reads it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError

from mash_common.codec import Decoded
from mash_common.consumer import Rejected
from mash_common.crypto import Sealer, SealError, contact_kid
from mash_common.logging import get_logger
from mash_common.outbox import UnitOfWork
from mash_schemas.events import (
    ContactReceived,
    DecisionMade,
    InformationRequested,
    RagRated,
    ThresholdDecided,
)

from ..adapters.tables import contacts, rag_ratings, threshold_decisions
from ..domain import triage
from ..domain.clock import ClockPolicy
from ..domain.triage import IllegalTransition, Status, TriageContact
from . import clock
from .commands import RateContact, RecordThresholdDecision

log = get_logger("mash.triage")


class UnknownContact(LookupError):
    def __init__(self, contact_id: str) -> None:
        super().__init__(f"no contact {contact_id} in triage")


class ConcurrentChange(IllegalTransition):
    pass


@dataclass(frozen=True)
class TriageRules:
    """The local practice triage applies, built from settings in bootstrap."""

    levels_of_need: int
    clock: ClockPolicy
    default_agencies: Mapping[int, Sequence[str]]


# --- the contact row <-> the domain ----------------------------------------------------------


def _domain(row: Row[Any]) -> TriageContact:
    return TriageContact(
        contact_id=row.contact_id,
        reference=row.reference,
        received_at=row.received_at,
        immediate_risk=bool(row.immediate_risk),
        status=Status(row.status),
        outcome=row.outcome,
        level_of_need=row.level_of_need,
        rating=row.rating,
    )


async def _load(uow: UnitOfWork, contact_id: str) -> Row[Any]:
    row = (
        await uow.session.execute(select(contacts).where(contacts.c.contact_id == contact_id))
    ).first()
    if row is None:
        raise UnknownContact(contact_id)
    return row


async def _save(uow: UnitOfWork, row: Row[Any], contact: TriageContact, **values: Any) -> None:
    """Write the new state only if nobody changed the contact since it was read."""
    result = await uow.session.execute(
        update(contacts)
        .where(contacts.c.contact_id == row.contact_id, contacts.c.version == row.version)
        .values(
            status=contact.status.value,
            outcome=contact.outcome,
            level_of_need=contact.level_of_need,
            rating=contact.rating,
            version=row.version + 1,
            **values,
        )
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise ConcurrentChange(
            f"{row.reference} was changed by someone else just now; reload it and try again"
        )


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None:
        raise Rejected(f"{name} has no timezone; the clock cannot start from an ambiguous time")
    return value


# --- events consumed -------------------------------------------------------------------------


async def contact_received(uow: UnitOfWork, event: Decoded, *, sealer: Sealer) -> None:
    """A contact from intake joins the screening queue, its personal data still sealed."""
    data = event.data
    assert isinstance(data, ContactReceived)
    if event.subject != data.contact_id:
        raise Rejected(f"subject {event.subject!r} is not the contact id {data.contact_id!r}")
    if data.personal.kid != contact_kid(data.contact_id):
        raise Rejected(
            f"personal data is sealed with {data.personal.kid!r}, not this contact's key",
        )
    try:
        sealer.open(data.personal)
    except SealError as exc:
        # Better now, on the dead-letter topic, than when a decision maker opens the record.
        raise Rejected("personal data cannot be opened with the hub's key", [str(exc)]) from None
    existing = (
        await uow.session.execute(
            select(contacts.c.event_id).where(contacts.c.contact_id == data.contact_id)
        )
    ).first()
    if existing is not None:
        raise Rejected(
            f"contact {data.contact_id} was already received in event {existing.event_id}"
        )
    await uow.session.execute(
        insert(contacts).values(
            contact_id=data.contact_id,
            reference=data.reference,
            family_group_id=data.family_group_id,
            received_at=_aware(data.received_at, "received_at"),
            channel=data.channel,
            contact_type=data.contact_type,
            contact_source=data.contact_source,
            referrer_kind=data.referrer_kind,
            immediate_risk=data.immediate_risk,
            concern_factors=data.concern_factors,
            child_age_years=data.child_age_years,
            personal=data.personal.model_dump(),
            status=Status.AWAITING_THRESHOLD.value,
            event_id=event.event_id,
            version=1,
        )
    )


async def decision_made(uow: UnitOfWork, event: Decoded) -> None:
    """The MASH decided: the contact leaves the MASH and its clock stops."""
    data = event.data
    assert isinstance(data, DecisionMade)
    try:
        row = await _load(uow, data.contact_id)
    except UnknownContact as exc:
        raise Rejected(str(exc)) from None
    decided = triage.record_decision(_domain(row))
    await _save(
        uow,
        row,
        decided,
        decision_id=data.decision_id,
        decision_outcome=data.outcome,
        decided_at=_aware(data.decided_at, "decided_at"),
    )
    stopped = await clock.stop(uow, data.contact_id, now=data.decided_at, reason="decided")
    log.info("clock.stopped", contact_id=data.contact_id, decision_id=data.decision_id,
             count=stopped)


# --- commands from staff ---------------------------------------------------------------------


async def record_threshold_decision(
    uow: UnitOfWork,
    sealer: Sealer,
    rules: TriageRules,
    contact_id: str,
    command: RecordThresholdDecision,
    *,
    user: str,
    role: str,
    now: datetime,
) -> dict[str, Any]:
    row = await _load(uow, contact_id)
    decided = triage.decide_threshold(
        _domain(row),
        outcome=command.outcome,
        level_of_need=command.level_of_need,
        levels_of_need=rules.levels_of_need,
        rationale=command.rationale,
    )
    rationale = sealer.seal(contact_kid(contact_id), {"rationale": command.rationale})
    try:
        await uow.session.execute(
            insert(threshold_decisions).values(
                contact_id=contact_id,
                outcome=command.outcome,
                level_of_need=command.level_of_need,
                decided_by=user,
                role=role,
                decided_at=now,
                rationale=rationale.model_dump(),
            )
        )
    except IntegrityError:
        # Another decision maker's decision committed between our read and our write.
        raise ConcurrentChange(
            f"{row.reference} was decided by someone else just now; reload it"
        ) from None
    await _save(uow, row, decided)
    await uow.publish(
        ThresholdDecided(
            contact_id=contact_id,
            outcome=command.outcome,
            level_of_need=command.level_of_need,
            decided_by=user,
            decided_at=now,
            rationale=rationale,
        ),
        subject=contact_id,
        time=now,
    )
    log.info("threshold.decided", contact_id=contact_id, outcome=command.outcome)
    return {
        "contact_id": contact_id,
        "reference": row.reference,
        "status": decided.status.value,
        "outcome": command.outcome,
        "level_of_need": command.level_of_need,
        "decided_by": user,
        "decided_at": now,
    }


async def rate_contact(
    uow: UnitOfWork,
    sealer: Sealer,
    rules: TriageRules,
    contact_id: str,
    command: RateContact,
    *,
    user: str,
    role: str,
    now: datetime,
) -> dict[str, Any]:
    row = await _load(uow, contact_id)
    contact = _domain(row)
    first = triage.is_first_rating(contact)
    rated = triage.rate(contact, rating=command.rating, rationale=command.rationale)
    if not first and command.agencies is not None:
        raise IllegalTransition(
            f"{row.reference} already asked {', '.join(row.agencies or [])} for information at "
            "its first rating; agencies are chosen then, not on a re-rating"
        )
    received_at: datetime = row.received_at
    deadline = rules.clock.deadline(received_at, command.rating)
    seq = 1 + int(
        (
            await uow.session.execute(
                select(func.coalesce(func.max(rag_ratings.c.seq), 0)).where(
                    rag_ratings.c.contact_id == contact_id
                )
            )
        ).scalar_one()
    )
    rationale = sealer.seal(contact_kid(contact_id), {"rationale": command.rationale})
    await uow.session.execute(
        insert(rag_ratings).values(
            contact_id=contact_id,
            seq=seq,
            rating=command.rating,
            previous_rating=contact.rating,
            rated_by=user,
            role=role,
            rated_at=now,
            deadline=deadline,
            rationale=rationale.model_dump(),
        )
    )
    await clock.reschedule(
        uow, contact_id, seq, rules.clock.plan(received_at, command.rating), now=now
    )
    values: dict[str, Any] = {"deadline": deadline}
    agencies: list[str] = list(row.agencies or [])
    if first:
        assert contact.level_of_need is not None  # set by the threshold decision
        agencies = triage.choose_agencies(
            command.agencies, contact.level_of_need, rules.default_agencies
        )
        values.update(agencies=agencies, information_requested_at=now)
    await _save(uow, row, rated, **values)
    await uow.publish(
        RagRated(
            contact_id=contact_id,
            rating=command.rating,
            previous_rating=contact.rating,  # type: ignore[arg-type]
            rated_by=user,
            rated_at=now,
            deadline=deadline,
            rationale=rationale,
        ),
        subject=contact_id,
        time=now,
    )
    if first:
        details = triage.need_to_know(sealer.open(row.personal))
        await uow.publish(
            InformationRequested(
                contact_id=contact_id,
                reference=row.reference,
                rating=command.rating,
                agencies=agencies,
                respond_by=deadline,
                requested_by=user,
                requested_at=now,
                need_to_know=sealer.seal(contact_kid(contact_id), details),
            ),
            subject=contact_id,
            time=now,
        )
    log.info("rag.rated", contact_id=contact_id, rating=command.rating, count=seq)
    return {
        "contact_id": contact_id,
        "reference": row.reference,
        "status": rated.status.value,
        "rating": command.rating,
        "previous_rating": contact.rating,
        "rated_by": user,
        "rated_at": now,
        "deadline": deadline,
        "warning_at": rules.clock.warning(received_at, command.rating),
        "agencies": agencies,
        "information_requested": first,
    }
