"""What staff see: the screening queue, the rating queue, and one contact's record (audited)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from mash_common.crypto import Sealer, SealError
from mash_common.logging import get_logger
from mash_common.outbox import UnitOfWork
from mash_schemas.events import RecordAccessed

from ..adapters.tables import contacts, deadlines, rag_ratings, threshold_decisions
from ..domain import triage
from ..domain.triage import Status

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


def _queue_item(sealer: Sealer, row: Row[Any]) -> dict[str, Any]:
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
    }
    if row.status == Status.AWAITING_RATING:
        item.update(level_of_need=row.level_of_need)
    return item


async def _queue(
    session: AsyncSession, sealer: Sealer, status: Status, limit: int
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
    return {"waiting": int(waiting), "items": [_queue_item(sealer, r) for r in rows]}


async def screening_queue(
    session: AsyncSession, sealer: Sealer, *, limit: int
) -> dict[str, Any]:
    """Contacts awaiting a threshold decision."""
    return await _queue(session, sealer, Status.AWAITING_THRESHOLD, limit)


async def rating_queue(session: AsyncSession, sealer: Sealer, *, limit: int) -> dict[str, Any]:
    """Contacts the decision maker put into the MASH, awaiting the manager's RAG rating."""
    return await _queue(session, sealer, Status.AWAITING_RATING, limit)


async def read_contact(
    uow: UnitOfWork, sealer: Sealer, contact_id: str, *, user: str, role: str, now: datetime
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
    await uow.publish(
        RecordAccessed(
            contact_id=contact_id,
            accessed_by=user,
            role=role,
            service="triage",
            action="read triage record",
            accessed_at=now,
        ),
        subject=contact_id,
        time=now,
    )

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
        "child": personal.get("child"),
        "concern": personal.get("concern"),
        "status": row.status,
        "threshold_decision": decision,
        "rating": row.rating,
        "deadline": row.deadline,
        "ratings": rating_history,
        "information_request": (
            {"agencies": row.agencies, "requested_at": row.information_requested_at,
             "respond_by": rating_history[0]["deadline"] if rating_history else None}
            if row.information_requested_at is not None else None
        ),
        "deadlines": clock_rows,
        "decision": (
            {"decision_id": row.decision_id, "outcome": row.decision_outcome,
             "decided_at": row.decided_at}
            if row.decision_id is not None else None
        ),
        "history": _history(row, decision, rating_history, clock_rows),
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
