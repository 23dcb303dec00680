"""Feedback's use cases: keep the contact and its decisions as they arrive, in either order,
and write the feedback each decision owes once both are here; read it back (audited)."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime
from typing import Any

from mash_common.codec import Decoded
from mash_common.consumer import Rejected
from mash_common.crypto import Sealer, SealError, contact_kid
from mash_common.logging import get_logger
from mash_common.outbox import UnitOfWork
from mash_schemas.codes import CIN_FACTORS, CONTACT_SOURCES
from mash_schemas.events import ContactReceived, DecisionMade, FeedbackSent, RecordAccessed

from ..adapters.store import FeedbackStore
from ..domain.feedback import Child, Decision, Referral, Referrer, feedback_for

log = get_logger("mash.feedback")

# FeedbackSent ids derive from the decision and the audience: each is written once.
FEEDBACK_IDS = uuid.UUID("3f0e7d52-8a1b-4c6d-9e2f-5b7a1c3d9e84")


def _same_contact(event: Decoded, contact_id: str) -> None:
    if event.subject != contact_id:
        raise Rejected(
            "the event's subject is not its contact",
            [f"subject {event.subject!r} differs from data.contact_id {contact_id!r}"],
        )


async def contact_received(uow: UnitOfWork, sealer: Sealer, event: Decoded, *, now: datetime
                           ) -> None:
    contact = event.data
    if not isinstance(contact, ContactReceived):
        raise TypeError(f"expected a contact, got {event.type}")
    _same_contact(event, contact.contact_id)
    store = FeedbackStore(uow.session)
    await store.lock(contact.contact_id)
    await store.save_contact(contact)
    await _give_feedback(uow, sealer, store, contact.contact_id, now=now)


async def decision_made(uow: UnitOfWork, sealer: Sealer, event: Decoded, *, now: datetime
                        ) -> None:
    decision = event.data
    if not isinstance(decision, DecisionMade):
        raise TypeError(f"expected a decision, got {event.type}")
    _same_contact(event, decision.contact_id)
    store = FeedbackStore(uow.session)
    await store.lock(decision.contact_id)
    if not await store.has_decision(decision.decision_id):
        await store.add_decision(event.event_id, decision)
    await _give_feedback(uow, sealer, store, decision.contact_id, now=now)


def _open(sealer: Sealer, sealed: dict[str, Any], what: str) -> dict[str, Any]:
    try:
        return sealer.open(sealed)
    except SealError:
        raise Rejected(f"cannot open the {what}", [f"sealed with {sealed.get('kid')!r}"]) from None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _referral(case: Any, personal: dict[str, Any]) -> Referral:
    """The contact as the feedback domain needs it, out of intake's sealed form."""
    referrer = personal.get("referrer") or {}
    child = personal.get("child") or {}
    concern = personal.get("concern") or {}
    return Referral(
        contact_id=case.contact_id,
        reference=case.reference,
        received_at=case.received_at,
        referrer=Referrer(
            kind=case.referrer_kind,
            name=_text(referrer.get("name")),
            role=_text(referrer.get("role")),
            agency=_text(referrer.get("agency")) or case.referrer_agency,
            email=_text(referrer.get("email")),
        ),
        contact_source=CONTACT_SOURCES.get(case.contact_source, case.contact_source),
        immediate_risk=bool(case.immediate_risk),
        concern_factors=tuple(CIN_FACTORS.get(c, c) for c in case.concern_factors or ()),
        concern_summary=_text(concern.get("summary")),
        child=Child(**{k: _text(child.get(k)) for k in Child.__dataclass_fields__}),
    )


async def _give_feedback(
    uow: UnitOfWork, sealer: Sealer, store: FeedbackStore, contact_id: str, *, now: datetime
) -> None:
    """Once the contact and a decision are both here, record what that decision owes."""
    case = await store.case(contact_id)
    if case is None or not case.has_contact:
        return
    pending = await store.decisions_awaiting_feedback(contact_id)
    if not pending:
        return
    referral = _referral(case, _open(sealer, case.personal, "contact's sealed details"))
    for row in pending:
        rationale = _open(sealer, row.rationale, "decision's sealed rationale")
        decision = Decision(
            decision_id=row.decision_id,
            outcome=row.outcome,
            level_of_need=row.level_of_need,
            receiving_team=row.receiving_team,
            decided_at=row.decided_at,
            decided_by=row.decided_by,
            supersedes=row.supersedes,
            rationale=_text(rationale.get("rationale")),
        )
        for item in feedback_for(referral, decision):
            event_id = str(uuid.uuid5(FEEDBACK_IDS, f"{decision.decision_id}:{item.audience}"))
            message = (
                sealer.seal(contact_kid(contact_id), asdict(item.message)).model_dump()
                if item.message else None
            )
            await store.add_feedback(
                decision_id=decision.decision_id, audience=item.audience, contact_id=contact_id,
                event_id=event_id, referrer_kind=item.referrer_kind, channel=item.channel,
                status=item.status, message=message, sent_at=now,
            )
            await uow.publish(
                FeedbackSent(
                    contact_id=contact_id,
                    decision_id=decision.decision_id,
                    audience=item.audience,  # type: ignore[arg-type]
                    referrer_kind=item.referrer_kind,  # type: ignore[arg-type]
                    channel=item.channel,  # type: ignore[arg-type]
                    status=item.status,  # type: ignore[arg-type]
                    sent_at=now,
                ),
                subject=contact_id,
                time=now,
                event_id=event_id,
            )
            log.info("feedback.recorded", contact_id=contact_id, decision_id=decision.decision_id,
                     status=item.status, outcome=decision.outcome)


class NothingRecorded(LookupError):
    """No feedback is recorded for the contact yet; `status` says what it is waiting for."""

    def __init__(self, contact_id: str, status: str) -> None:
        super().__init__(f"no feedback recorded for contact {contact_id} ({status})")
        self.status = status


async def read_feedback(
    uow: UnitOfWork, sealer: Sealer, contact_id: str, *, user: str, role: str, now: datetime
) -> dict[str, Any]:
    """What was recorded for a contact and its status. The read is an audit event.

    Raises `NothingRecorded` until the first feedback is written (the contact unknown, or
    waiting for its contact or decision), so a caller can poll for the outcome."""
    store = FeedbackStore(uow.session)
    case = await store.case(contact_id)
    if case is None:
        raise NothingRecorded(contact_id, "unknown")
    rows = await store.feedback(contact_id)
    decided = await store.decisions(contact_id)
    if not rows:
        if not case.has_contact:
            raise NothingRecorded(contact_id, "awaiting_contact")
        raise NothingRecorded(contact_id, "awaiting_decision" if not decided else "pending")
    await uow.publish(
        RecordAccessed(
            contact_id=contact_id,
            accessed_by=user,
            role=role,
            service="feedback",
            action="read feedback",
            accessed_at=now,
        ),
        subject=contact_id,
        time=now,
    )
    recorded: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        recorded.setdefault(row.decision_id, []).append(
            {
                "audience": row.audience,
                "referrer_kind": row.referrer_kind,
                "channel": row.channel,
                "status": row.status,
                "sent_at": row.sent_at,
                "message": _readable(sealer, row.message),
            }
        )
    return {
        "contact_id": contact_id,
        "reference": case.reference,
        "referrer_kind": case.referrer_kind,
        # "pending" while a later decision (one that supersedes) still waits for its feedback
        "status": "recorded" if all(d.decision_id in recorded for d in decided) else "pending",
        "decisions": [
            {
                "decision_id": d.decision_id,
                "outcome": d.outcome,
                "receiving_team": d.receiving_team,
                "decided_at": d.decided_at,
                "supersedes": d.supersedes,
                "feedback": recorded.get(d.decision_id, []),
            }
            for d in decided
        ],
    }


def _readable(sealer: Sealer, sealed: dict[str, Any] | None) -> dict[str, Any] | None:
    if sealed is None:
        return None
    try:
        return sealer.open(sealed)
    except SealError:
        return {"unreadable": True}
