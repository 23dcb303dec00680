"""Triage's use cases: take in contacts, record threshold decisions and RAG ratings, and stop
the clock when the MASH decides.

Each runs inside one unit of work: the state change and the events it publishes commit together.
Logs carry ids only; personal data stays sealed except where a person reads it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
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
    ContactLinkDecided,
    ContactLinked,
    ContactReceived,
    DecisionMade,
    InformationDeadlinesChanged,
    InformationRequested,
    RagRated,
    ThresholdDecided,
)

from ..adapters.tables import (
    contact_links,
    contacts,
    rag_ratings,
    repeat_counts,
    threshold_decisions,
)
from ..domain import repeats, triage
from ..domain.clock import ClockPolicy, DecisionTimeliness, WorkingHours, one_working_day
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
    working_hours: WorkingHours = WorkingHours()
    level_names: Mapping[int, str] = field(default_factory=dict)
    agencies_by_concern: Mapping[str, Sequence[str]] = field(default_factory=dict)
    agency_response_share: float = 0.75
    agency_response_shares: Mapping[str, float] = field(default_factory=dict)

    def level_name(self, level: int | None) -> str | None:
        return None if level is None else self.level_names.get(level, f"level {level}")

    def proposed_agencies(self, level: int, concerns: Sequence[str]) -> list[str]:
        return triage.agencies_for(level, self.default_agencies, concerns,
                                   self.agencies_by_concern)

    def agency_deadlines(
        self, agencies: Sequence[str], *, requested_at: datetime, deadline: datetime, rating: str
    ) -> dict[str, datetime]:
        return {
            a: self.clock.agency_deadline(
                requested_at, deadline, rating,
                self.agency_response_shares.get(a, self.agency_response_share),
            )
            for a in agencies
        }

    def timeliness(
        self, received_at: datetime, decided_at: datetime | None, now: datetime
    ) -> DecisionTimeliness:
        return one_working_day(self.working_hours, received_at, decided_at, now)


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


async def contact_received(
    uow: UnitOfWork, event: Decoded, *, sealer: Sealer, rules: TriageRules | None = None
) -> None:
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
            decision_due_by=(
                rules.timeliness(data.received_at, None, data.received_at).due_by
                if rules is not None else None
            ),
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


async def contact_linked(uow: UnitOfWork, event: Decoded) -> None:
    """Intake found earlier contacts that may be about the same child: kept per contact, for
    screening to show. The contact itself may not have reached triage yet; the links wait."""
    data = event.data
    assert isinstance(data, ContactLinked)
    _about(event, data.contact_id)
    linked_at = _aware(data.linked_at, "linked_at")
    for rank, candidate in enumerate(data.candidates):
        received_at = _aware(candidate.received_at, "candidates.received_at")
        stored = await _link(uow, candidate.link_id, data.contact_id)
        values: dict[str, Any] = {
            "linked_contact_id": candidate.contact_id,
            "linked_reference": candidate.reference,
            "linked_received_at": received_at,
            "strength": candidate.strength,
            "score": candidate.score,
            "rank": rank,
            "linked_at": linked_at,
            "status": repeats.status_after_link(stored.status if stored else None),
        }
        if stored is None:
            await uow.session.execute(insert(contact_links).values(
                link_id=candidate.link_id, contact_id=data.contact_id, **values
            ))
        else:  # its decision came first: keep it
            await uow.session.execute(update(contact_links)
                                      .where(contact_links.c.link_id == candidate.link_id)
                                      .values(**values))
    await _count(uow, data.contact_id, data.contacts_in_12_months, linked_at)
    log.info("contact.linked", contact_id=data.contact_id, count=len(data.candidates))


async def contact_link_decided(uow: UnitOfWork, event: Decoded) -> None:
    """A person confirmed or rejected a candidate link; intake recounted the contacts."""
    data = event.data
    assert isinstance(data, ContactLinkDecided)
    _about(event, data.contact_id)
    decided_at = _aware(data.decided_at, "decided_at")
    stored = await _link(uow, data.link_id, data.contact_id)
    values: dict[str, Any] = {
        "status": data.decision, "strength": data.strength, "decided_by": data.decided_by,
        "decided_at": decided_at,
    }
    if stored is None:  # the link itself has not arrived (yet): the decision is enough to show
        await uow.session.execute(insert(contact_links).values(
            link_id=data.link_id, contact_id=data.contact_id,
            linked_contact_id=data.linked_contact_id, **values,
        ))
    else:
        await uow.session.execute(update(contact_links)
                                  .where(contact_links.c.link_id == data.link_id).values(**values))
    await _count(uow, data.contact_id, data.contacts_in_12_months, decided_at)
    log.info("contact.link_decided", contact_id=data.contact_id, link_id=data.link_id,
             decision=data.decision)


def _about(event: Decoded, contact_id: str) -> None:
    if event.subject != contact_id:
        raise Rejected(f"subject {event.subject!r} is not the contact id {contact_id!r}")


async def _link(uow: UnitOfWork, link_id: str, contact_id: str) -> Any:
    stored = (await uow.session.execute(
        select(contact_links.c.contact_id, contact_links.c.status)
        .where(contact_links.c.link_id == link_id)
    )).first()
    if stored is not None and stored.contact_id != contact_id:
        raise Rejected(f"link {link_id} belongs to contact {stored.contact_id}, not {contact_id}")
    return stored


async def _count(uow: UnitOfWork, contact_id: str, count: int, as_of: datetime) -> None:
    stored = (await uow.session.execute(
        select(repeat_counts.c.as_of).where(repeat_counts.c.contact_id == contact_id)
    )).first()
    if stored is None:
        await uow.session.execute(insert(repeat_counts).values(
            contact_id=contact_id, contacts_in_12_months=count, as_of=as_of
        ))
    elif repeats.count_is_newer(stored.as_of, as_of):
        await uow.session.execute(update(repeat_counts)
                                  .where(repeat_counts.c.contact_id == contact_id)
                                  .values(contacts_in_12_months=count, as_of=as_of))


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
    consent = (
        triage.ConsentDecision(command.consent.lawful_basis, command.consent.override_reason)
        if command.consent is not None else None
    )
    decided = triage.decide_threshold(
        _domain(row),
        outcome=command.outcome,
        level_of_need=command.level_of_need,
        levels_of_need=rules.levels_of_need,
        rationale=command.rationale,
        consent=consent,
        social_care_response=command.social_care_response,
    )
    if consent is not None:
        consent = triage.check_consent(consent)
    override = consent.override_reason if consent is not None else None
    kid = contact_kid(contact_id)
    # The override reason travels inside the sealed rationale: it may name the family.
    sealed_body: dict[str, Any] = {"rationale": command.rationale}
    if override:
        sealed_body["consent_override_reason"] = override
    rationale = sealer.seal(kid, sealed_body)
    timely = rules.timeliness(row.received_at, now, now)
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
                lawful_basis=consent.lawful_basis if consent is not None else None,
                consent_override_reason=(
                    sealer.seal(kid, {"reason": override}).model_dump() if override else None
                ),
                social_care_response=command.social_care_response,
                working_hours_to_decide=timely.working_hours,
                within_one_working_day=timely.met,
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
            lawful_basis=consent.lawful_basis if consent is not None else None,  # type: ignore[arg-type]
            social_care_response=command.social_care_response,
            working_hours_to_decide=timely.working_hours,
            within_one_working_day=timely.met,
        ),
        subject=contact_id,
        time=now,
    )
    log.info("threshold.decided", contact_id=contact_id, outcome=command.outcome,
             within_one_working_day=timely.met)
    return {
        "contact_id": contact_id,
        "reference": row.reference,
        "status": decided.status.value,
        "outcome": command.outcome,
        "level_of_need": command.level_of_need,
        "level_of_need_name": rules.level_name(command.level_of_need),
        "social_care_response": command.social_care_response,
        "consent": (
            {"lawful_basis": consent.lawful_basis, "override_reason": override}
            if consent is not None else None
        ),
        "decided_by": user,
        "decided_at": now,
        "timeliness": {"due_by": timely.due_by, "working_hours": timely.working_hours,
                       "within_one_working_day": timely.met},
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
    by_agency: dict[str, datetime] = {}
    if first:
        assert contact.level_of_need is not None  # set by the threshold decision
        agencies = triage.choose_agencies(
            command.agencies, contact.level_of_need, rules.default_agencies,
            row.concern_factors or [], rules.agencies_by_concern,
        )
        by_agency = rules.agency_deadlines(
            agencies, requested_at=now, deadline=deadline, rating=command.rating
        )
        values.update(agencies=agencies, information_requested_at=now,
                      agency_respond_by={a: t.isoformat() for a, t in by_agency.items()})
    elif row.information_requested_at is not None and agencies:
        # A re-rating moves the agencies' deadlines with the contact's: the same rule as at
        # the first rating, from the original request to the new deadline, so a more urgent
        # rating brings them forward and a less urgent one gives them more time; never later
        # than the new deadline.
        by_agency = rules.agency_deadlines(
            agencies, requested_at=row.information_requested_at, deadline=deadline,
            rating=command.rating,
        )
        values.update(agency_respond_by={a: t.isoformat() for a, t in by_agency.items()})
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
                agency_respond_by=by_agency,
            ),
            subject=contact_id,
            time=now,
        )
    elif by_agency:
        assert contact.rating is not None  # a re-rating
        await uow.publish(
            InformationDeadlinesChanged(
                contact_id=contact_id,
                reference=row.reference,
                rating=command.rating,
                previous_rating=contact.rating,  # type: ignore[arg-type]
                respond_by=deadline,
                agency_respond_by=by_agency,
                changed_by=user,
                changed_at=now,
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
        "agency_respond_by": by_agency or row.agency_respond_by,
        "information_requested": first,
        # A re-rating of a contact whose agencies were asked: their deadlines moved with it.
        "agency_deadlines_moved": not first and bool(by_agency),
    }
