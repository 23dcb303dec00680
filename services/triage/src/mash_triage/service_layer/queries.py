"""What staff see: the screening queue, the rating queue, and one contact's record (audited)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from mash_common.audit import Reader, record_read
from mash_common.crypto import Sealer, SealError
from mash_common.logging import get_logger
from mash_common.outbox import UnitOfWork

from ..adapters.tables import (
    contact_links,
    contacts,
    deadlines,
    rag_ratings,
    repeat_counts,
    threshold_decisions,
)
from ..domain import repeats, triage
from ..domain.triage import Status

if TYPE_CHECKING:
    from .handlers import TriageRules

log = get_logger("mash.triage")

# The same order as domain.triage.queue_order_key: immediate risk first, then oldest first.
_QUEUE_ORDER = (contacts.c.immediate_risk.desc(), contacts.c.received_at, contacts.c.contact_id)
_FIRED = {"warn": "deadline warned", "breach": "deadline breached"}


def _open(sealer: Sealer, row: Row[Any], sealed: Any) -> dict[str, Any] | None:
    try:
        return sealer.open(sealed)
    except SealError:
        # One unreadable record must not hide the rest of a queue; say which, not what.
        log.warning("sealed.unreadable", contact_id=row.contact_id)
        return None


def _decision_due_by(row: Row[Any], rules: TriageRules | None) -> datetime | None:
    """Contacts received before migration 0002 have none stored: work it out."""
    if row.decision_due_by is not None or rules is None:
        due: datetime | None = row.decision_due_by
        return due
    return rules.timeliness(row.received_at, None, row.received_at).due_by


async def _repeats(
    session: AsyncSession, contact_ids: Collection[str], *, detail: bool = False
) -> dict[str, dict[str, Any]]:
    """Each contact's repeat contacts (intake's links, references only): two queries a page."""
    if not contact_ids:
        return {}
    earlier = contacts.alias("earlier")
    rows = (await session.execute(
        select(contact_links, func.coalesce(contact_links.c.linked_reference,
                                            earlier.c.reference).label("reference"),
               func.coalesce(contact_links.c.linked_received_at,
                             earlier.c.received_at).label("received_at"))
        .outerjoin(earlier, earlier.c.contact_id == contact_links.c.linked_contact_id)
        .where(contact_links.c.contact_id.in_(contact_ids))
    )).all()
    counts = dict((await session.execute(
        select(repeat_counts.c.contact_id, repeat_counts.c.contacts_in_12_months)
        .where(repeat_counts.c.contact_id.in_(contact_ids))
    )).all())
    links: dict[str, list[repeats.RepeatLink]] = {cid: [] for cid in contact_ids}
    for r in rows:
        links[r.contact_id].append(repeats.RepeatLink(
            contact_id=r.linked_contact_id, reference=r.reference, strength=r.strength,
            status=r.status, rank=r.rank, received_at=r.received_at, decided_by=r.decided_by,
            decided_at=r.decided_at,
        ))
    return {cid: repeats.repeat_contacts(counts.get(cid), found, detail=detail)
            for cid, found in links.items()}


def _queue_item(
    sealer: Sealer, row: Row[Any], rules: TriageRules | None,
    repeat_contacts: dict[str, Any] | None = None,
) -> dict[str, Any]:
    personal = _open(sealer, row, row.personal)
    item: dict[str, Any] = {
        "contact_id": row.contact_id,
        "reference": row.reference,
        "family_group_id": row.family_group_id,
        "received_at": row.received_at,
        "immediate_risk": bool(row.immediate_risk),
        "contact_type": row.contact_type,
        "contact_source": row.contact_source,
        "concern_factors": row.concern_factors,
        "child_age_years": row.child_age_years,
        "child": triage.child_summary(personal) if personal is not None else None,
        "repeat_contacts": repeat_contacts or repeats.repeat_contacts(None, ()),
    }
    if row.status == Status.AWAITING_THRESHOLD:
        item.update(decision_due_by=_decision_due_by(row, rules))
    if row.status == Status.AWAITING_RATING:
        item.update(level_of_need=row.level_of_need)
        if rules is not None:
            item.update(
                level_of_need_name=rules.level_name(row.level_of_need),
                proposed_agencies=rules.proposed_agencies(row.level_of_need,
                                                          row.concern_factors or []),
            )
    return item


async def _queue(
    session: AsyncSession, sealer: Sealer, status: Status, limit: int,
    rules: TriageRules | None = None,
) -> dict[str, Any]:
    waiting = (
        await session.execute(
            select(func.count()).select_from(contacts).where(contacts.c.status == status.value)
        )
    ).scalar_one()
    rows = (
        await session.execute(
            select(contacts).where(contacts.c.status == status.value)
            .order_by(*_QUEUE_ORDER).limit(limit)
        )
    ).all()
    linked = await _repeats(session, [r.contact_id for r in rows])
    return {"waiting": int(waiting),
            "items": [_queue_item(sealer, r, rules, linked.get(r.contact_id)) for r in rows]}


async def screening_queue(
    session: AsyncSession, sealer: Sealer, *, limit: int, rules: TriageRules | None = None
) -> dict[str, Any]:
    """Contacts awaiting a threshold decision."""
    return await _queue(session, sealer, Status.AWAITING_THRESHOLD, limit, rules)


async def rating_queue(
    session: AsyncSession, sealer: Sealer, *, limit: int, rules: TriageRules | None = None
) -> dict[str, Any]:
    """Contacts the decision maker put into the MASH, awaiting the manager's RAG rating; each
    with the agencies it would consult by default (the manager may choose others)."""
    return await _queue(session, sealer, Status.AWAITING_RATING, limit, rules)


async def timeliness(
    session: AsyncSession, rules: TriageRules, *, now: datetime, since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, Any]:
    """The one-working-day expectation (Working Together 2023) across contacts: how many were
    decided within one working day of receipt, and how many still waiting are past it."""
    decided = select(
        func.count(),
        func.count().filter(threshold_decisions.c.within_one_working_day.is_(True)),
        func.avg(threshold_decisions.c.working_hours_to_decide),
        func.max(threshold_decisions.c.working_hours_to_decide),
    ).select_from(threshold_decisions.join(contacts))
    waiting = select(contacts.c.received_at, contacts.c.decision_due_by).where(
        contacts.c.status == Status.AWAITING_THRESHOLD.value
    )
    if since is not None:
        decided = decided.where(contacts.c.received_at >= since)
        waiting = waiting.where(contacts.c.received_at >= since)
    if until is not None:
        decided = decided.where(contacts.c.received_at < until)
        waiting = waiting.where(contacts.c.received_at < until)
    count, within, mean, longest = (await session.execute(decided)).one()
    overdue = (
        await session.execute(
            select(func.count()).select_from(waiting.where(
                contacts.c.decision_due_by.is_not(None), contacts.c.decision_due_by < now
            ).subquery())
        )
    ).scalar_one()
    # Contacts from before migration 0002 have no stored due time: few, worked out here.
    unstamped = (
        await session.execute(waiting.where(contacts.c.decision_due_by.is_(None)))
    ).all()
    overdue += sum(
        1 for r in unstamped if rules.timeliness(r.received_at, None, now).met is False
    )
    waiting_count = (
        await session.execute(select(func.count()).select_from(waiting.subquery()))
    ).scalar_one()
    return {
        "expectation": "a decision within one working day of receipt (Working Together 2023)",
        "working_day_hours": rules.working_hours.day_length.total_seconds() / 3600,
        "since": since,
        "until": until,
        "decided": int(count),
        "decided_within_one_working_day": int(within),
        "decided_late": int(count) - int(within),
        "share_within_one_working_day": round(int(within) / count, 4) if count else None,
        "mean_working_hours_to_decide": round(float(mean), 2) if mean is not None else None,
        "longest_working_hours_to_decide": (
            round(float(longest), 2) if longest is not None else None
        ),
        "awaiting_decision": int(waiting_count),
        "awaiting_past_one_working_day": int(overdue),
    }


async def read_contact(
    uow: UnitOfWork, sealer: Sealer, contact_id: str, *, reader: Reader, now: datetime,
    rules: TriageRules | None = None,
) -> dict[str, Any] | None:
    """A person reads a child's triage record: the read itself is an audit event."""
    s = uow.session
    row = (await s.execute(select(contacts).where(contacts.c.contact_id == contact_id))).first()
    if row is None:
        return None
    threshold = (
        await s.execute(
            select(threshold_decisions).where(threshold_decisions.c.contact_id == contact_id)
        )
    ).first()
    ratings = (
        await s.execute(
            select(rag_ratings).where(rag_ratings.c.contact_id == contact_id)
            .order_by(rag_ratings.c.seq)
        )
    ).all()
    clock = (
        await s.execute(
            select(deadlines).where(deadlines.c.contact_id == contact_id)
            .order_by(deadlines.c.due_at, deadlines.c.deadline_id)
        )
    ).all()
    linked = (await _repeats(s, [contact_id], detail=True))[contact_id]
    await record_read(uow, reader, contact_id=contact_id, service="triage",
                      action="read triage record", now=now)

    def rationale(sealed: Any) -> str | None:
        opened = _open(sealer, row, sealed)
        return None if opened is None else opened.get("rationale")

    personal = _open(sealer, row, row.personal) or {}
    decision = None
    if threshold is not None:
        decision = {
            "outcome": threshold.outcome,
            "level_of_need": threshold.level_of_need,
            "decided_by": threshold.decided_by,
            "role": threshold.role,
            "decided_at": threshold.decided_at,
            "rationale": rationale(threshold.rationale),
            "level_of_need_name": rules.level_name(threshold.level_of_need) if rules else None,
            "social_care_response": threshold.social_care_response,
            "consent": (
                {"lawful_basis": threshold.lawful_basis,
                 "override_reason": (
                     (_open(sealer, row, threshold.consent_override_reason) or {}).get("reason")
                     if threshold.consent_override_reason is not None else None
                 )}
                if threshold.lawful_basis is not None else None
            ),
        }
    rating_history = [
        {
            "seq": r.seq,
            "rating": r.rating,
            "previous_rating": r.previous_rating,
            "rated_by": r.rated_by,
            "role": r.role,
            "rated_at": r.rated_at,
            "deadline": r.deadline,
            "rationale": rationale(r.rationale),
        }
        for r in ratings
    ]
    clock_rows = [
        {
            "kind": d.kind,
            "rating": d.rating,
            "deadline": d.deadline,
            "due_at": d.due_at,
            "fired_at": d.fired_at,
            "cancelled_at": d.cancelled_at,
            "cancel_reason": d.cancel_reason,
        }
        for d in clock
    ]
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
        "concern_factors": row.concern_factors,
        "child_age_years": row.child_age_years,
        "repeat_contacts": linked,
        "child": personal.get("child"),
        "concern": personal.get("concern"),
        "status": row.status,
        "threshold_decision": decision,
        "rating": row.rating,
        "deadline": row.deadline,
        "ratings": rating_history,
        "information_request": (
            {"agencies": row.agencies, "requested_at": row.information_requested_at,
             # The current RAG deadline: a re-rating moves the agencies' deadlines with it.
             "respond_by": row.deadline,
             "agency_respond_by": row.agency_respond_by}
            if row.information_requested_at is not None else None
        ),
        "proposed_agencies": (
            rules.proposed_agencies(row.level_of_need, row.concern_factors or [])
            if rules is not None and row.status == Status.AWAITING_RATING else None
        ),
        "timeliness": _timeliness(row, threshold, rules, now),
        "deadlines": clock_rows,
        "decision": (
            {"decision_id": row.decision_id, "outcome": row.decision_outcome,
             "decided_at": row.decided_at}
            if row.decision_id is not None else None
        ),
        "history": _history(row, decision, rating_history, clock_rows),
    }


def _timeliness(
    row: Row[Any], threshold: Row[Any] | None, rules: TriageRules | None, now: datetime
) -> dict[str, Any] | None:
    """The one-working-day expectation for this contact: as recorded when it was decided, or
    how it stands now while it waits."""
    if rules is None:
        return None
    decided_at = threshold.decided_at if threshold is not None else None
    measured = rules.timeliness(row.received_at, decided_at, now)
    if threshold is not None and threshold.working_hours_to_decide is not None:
        working_hours, met = threshold.working_hours_to_decide, threshold.within_one_working_day
    else:
        working_hours, met = measured.working_hours, measured.met
    return {
        "expectation": "a decision within one working day of receipt (Working Together 2023)",
        "due_by": measured.due_by,
        "decided_at": decided_at,
        "working_hours": working_hours,
        "within_one_working_day": met,
    }


def _history(
    row: Row[Any],
    decision: dict[str, Any] | None,
    ratings: list[dict[str, Any]],
    clock_rows: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """The contact's journey through triage, oldest first, each step with who and why."""
    steps: list[dict[str, Any]] = [{"at": row.received_at, "action": "contact received"}]
    if decision is not None:
        steps.append({"at": decision["decided_at"], "action": "threshold decided",
                      "by": decision["decided_by"], "outcome": decision["outcome"],
                      "level_of_need": decision["level_of_need"],
                      "rationale": decision["rationale"]})
    for r in ratings:
        steps.append({"at": r["rated_at"], "action": "re-rated" if r["previous_rating"] else
                      "rated", "by": r["rated_by"], "rating": r["rating"],
                      "previous_rating": r["previous_rating"], "deadline": r["deadline"],
                      "rationale": r["rationale"]})
    if row.information_requested_at is not None:
        steps.append({"at": row.information_requested_at, "action": "information requested",
                      "by": ratings[0]["rated_by"] if ratings else None,
                      "agencies": row.agencies})
    for d in clock_rows:
        if d["fired_at"] is not None:
            steps.append({"at": d["fired_at"], "action": _FIRED[d["kind"]],
                          "rating": d["rating"], "deadline": d["deadline"]})
    if row.decision_id is not None:
        steps.append({"at": row.decided_at, "action": "decision made",
                      "outcome": row.decision_outcome, "decision_id": row.decision_id})
    return sorted(steps, key=lambda s: s["at"])
