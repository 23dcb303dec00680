"""Feedback's use cases: keep the contact and its decisions as they arrive, in either order,
and write the feedback each decision owes once both are here; read it back (audited)."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime
from typing import Any

from mash_common.audit import Reader, record_read
from mash_common.codec import Decoded
from mash_common.consumer import Rejected
from mash_common.crypto import Sealer, SealError, contact_kid
from mash_common.logging import get_logger
from mash_common.outbox import UnitOfWork
from mash_schemas.codes import CIN_FACTORS, CONTACT_SOURCES
from mash_schemas.events import (
    ContactReceived,
    DecisionMade,
    FeedbackSent,
    HandoverSummary,
    ReferralOutcome,
)

from ..adapters.email import EmailSender, OutgoingEmail, describe_failure
from ..adapters.store import FeedbackStore
from ..domain.feedback import (
    Child,
    Decision,
    Referral,
    Referrer,
    RetryPolicy,
    feedback_for,
    outcome_for_agency_system,
)

log = get_logger("mash.feedback")

# FeedbackSent ids derive from the decision and the audience: each is written once.
FEEDBACK_IDS = uuid.UUID("3f0e7d52-8a1b-4c6d-9e2f-5b7a1c3d9e84")


def _same_contact(event: Decoded, contact_id: str) -> None:
    if event.subject != contact_id:
        raise Rejected(
            "the event's subject is not its contact",
            [f"subject {event.subject!r} differs from data.contact_id {contact_id!r}"],
        )


async def contact_received(uow: UnitOfWork, sealer: Sealer, event: Decoded, *, now: datetime,
                           email: bool = False) -> None:
    contact = event.data
    if not isinstance(contact, ContactReceived):
        raise TypeError(f"expected a contact, got {event.type}")
    _same_contact(event, contact.contact_id)
    store = FeedbackStore(uow.session)
    await store.lock(contact.contact_id)
    await store.save_contact(contact)
    await _give_feedback(uow, sealer, store, contact.contact_id, now=now, email=email)


async def decision_made(uow: UnitOfWork, sealer: Sealer, event: Decoded, *, now: datetime,
                        email: bool = False) -> None:
    decision = event.data
    if not isinstance(decision, DecisionMade):
        raise TypeError(f"expected a decision, got {event.type}")
    _same_contact(event, decision.contact_id)
    store = FeedbackStore(uow.session)
    await store.lock(decision.contact_id)
    if not await store.has_decision(decision.decision_id):
        await store.add_decision(event.event_id, decision)
    await _give_feedback(uow, sealer, store, decision.contact_id, now=now, email=email)


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
        channel=case.channel or "web",
    )


def _ids(decision_id: str, what: str) -> str:
    return str(uuid.uuid5(FEEDBACK_IDS, f"{decision_id}:{what}"))


async def _give_feedback(
    uow: UnitOfWork, sealer: Sealer, store: FeedbackStore, contact_id: str, *, now: datetime,
    email: bool = False,
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
            strategy_discussion_agencies=tuple(row.strategy_discussion_agencies or ()),
            signpost_service=row.signpost_service,
        )
        await _agency_outcome(uow, store, referral, decision, now=now)
        for item in feedback_for(referral, decision, email=email):
            event_id = _ids(decision.decision_id, item.audience)
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
            if item.channel == "email":
                await store.add_delivery(
                    delivery_id=_ids(decision.decision_id, f"{item.audience}:email"),
                    decision_id=decision.decision_id, audience=item.audience,
                    contact_id=contact_id, channel="email", status="pending", now=now,
                )
            if item.audience == "receiving_team" and message is not None:
                await uow.publish(
                    HandoverSummary(
                        contact_id=contact_id,
                        decision_id=decision.decision_id,
                        reference=referral.reference,
                        receiving_team=decision.receiving_team or "",
                        outcome=decision.outcome,  # type: ignore[arg-type]
                        level_of_need=decision.level_of_need,
                        supersedes=decision.supersedes,
                        prepared_at=now,
                        summary=message,  # type: ignore[arg-type]
                    ),
                    subject=contact_id,
                    time=now,
                    event_id=_ids(decision.decision_id, "handover"),
                )
            log.info("feedback.recorded", contact_id=contact_id, decision_id=decision.decision_id,
                     status=item.status, channel=item.channel, outcome=decision.outcome)


async def _agency_outcome(
    uow: UnitOfWork, store: FeedbackStore, referral: Referral, decision: Decision, *,
    now: datetime,
) -> None:
    """An agency system that referred over Kafka gets the outcome as an event."""
    outcome = outcome_for_agency_system(referral, decision)
    if outcome is None:
        return
    event_id = _ids(decision.decision_id, "referrer:kafka")
    await uow.publish(
        ReferralOutcome(
            contact_id=referral.contact_id,
            decision_id=decision.decision_id,
            reference=referral.reference,
            referrer_agency=outcome.referrer_agency,
            outcome=outcome.outcome,  # type: ignore[arg-type]
            level_of_need=outcome.level_of_need,
            receiving_team=outcome.receiving_team,
            supersedes=decision.supersedes,
            next_steps=outcome.next_steps,
            decided_at=decision.decided_at,
        ),
        subject=referral.contact_id,
        time=now,
        event_id=event_id,
    )
    await store.add_delivery(
        delivery_id=event_id, decision_id=decision.decision_id, audience="referrer",
        contact_id=referral.contact_id, channel="kafka", status="sent", now=now,
    )


# --- email delivery --------------------------------------------------------------------------


async def due_deliveries(uow: UnitOfWork, *, now: datetime) -> list[str]:
    return await FeedbackStore(uow.session).due_deliveries(now)


async def take_email(
    uow: UnitOfWork, sealer: Sealer, delivery_id: str, *, now: datetime, until: datetime
) -> OutgoingEmail | None:
    """Take one due email for this copy of the service; None if another copy took it."""
    store = FeedbackStore(uow.session)
    if not await store.take_delivery(delivery_id, now, until):
        return None
    row = await store.delivery(delivery_id)
    message = _readable(sealer, row.message) if row is not None else None
    if row is None or not message or not message.get("to"):
        if row is not None:
            await store.mark_delivery(delivery_id, status="failed", next_attempt_at=None,
                                      last_error="no readable message or address")
        return None
    return OutgoingEmail(
        to=message["to"], subject=message["subject"], body=message["body"],
        message_id=f"<{delivery_id}@mash>", reference=row.reference,
    )


async def email_sent(uow: UnitOfWork, delivery_id: str, *, now: datetime) -> None:
    store = FeedbackStore(uow.session)
    row = await store.delivery(delivery_id)
    if row is None or row.status != "pending":
        return
    await store.mark_delivery(delivery_id, status="sent", attempts=row.attempts + 1,
                              sent_at=now, next_attempt_at=None, last_error=None)
    await uow.publish(
        FeedbackSent(
            contact_id=row.contact_id,
            decision_id=row.decision_id,
            audience=row.audience,
            referrer_kind=row.referrer_kind if row.audience == "referrer" else None,
            channel="email",
            status="sent",
            sent_at=now,
        ),
        subject=row.contact_id,
        time=now,
        event_id=_ids(row.decision_id, f"{row.audience}:email:sent"),
    )


async def email_failed(
    uow: UnitOfWork, delivery_id: str, error: BaseException, *, now: datetime,
    policy: RetryPolicy,
) -> str:
    """Record a failed try and when to try again; gives up after the policy's last attempt."""
    store = FeedbackStore(uow.session)
    row = await store.delivery(delivery_id)
    if row is None or row.status != "pending":
        return "gone"
    attempts = row.attempts + 1
    retry_at = policy.after_failure(attempts, now)
    await store.mark_delivery(
        delivery_id, attempts=attempts, last_error=describe_failure(error)[:200],
        status="pending" if retry_at else "failed", next_attempt_at=retry_at,
    )
    return "pending" if retry_at else "failed"


async def deliver_due_emails(
    runtime: Any, sender: EmailSender, policy: RetryPolicy, lease: Any, *, now: datetime
) -> int:
    """The email timer: send what is due, one transaction to take it and one to record how
    it went, so a restart at any point leaves it due again (at worst sent twice, with the same
    Message-ID)."""
    async with runtime.unit_of_work() as uow:
        due = await due_deliveries(uow, now=now)
    sent = 0
    for delivery_id in due:
        async with runtime.unit_of_work() as uow:
            email = await take_email(uow, runtime.sealer, delivery_id, now=now, until=now + lease)
        if email is None:
            continue
        try:
            await sender.send(email)
        except Exception as exc:
            async with runtime.unit_of_work() as uow:
                status = await email_failed(uow, delivery_id, exc, now=runtime.clock(),
                                            policy=policy)
            log.warning("email.failed", delivery_id=delivery_id, error=describe_failure(exc),
                        status=status)
            continue
        async with runtime.unit_of_work() as uow:
            await email_sent(uow, delivery_id, now=runtime.clock())
        sent += 1
        log.info("email.sent", delivery_id=delivery_id)
    return sent


class NothingRecorded(LookupError):
    """No feedback is recorded for the contact yet; `status` says what it is waiting for."""

    def __init__(self, contact_id: str, status: str) -> None:
        super().__init__(f"no feedback recorded for contact {contact_id} ({status})")
        self.status = status


async def read_feedback(
    uow: UnitOfWork, sealer: Sealer, contact_id: str, *, reader: Reader, now: datetime
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
    await record_read(uow, reader, contact_id=contact_id, service="feedback",
                      action="read feedback", now=now)
    sent: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for d in await store.deliveries_of(contact_id):
        sent.setdefault((d.decision_id, d.audience), []).append(_delivery_view(d))
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
                "deliveries": sent.get((row.decision_id, row.audience), []),
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


def _delivery_view(row: Any) -> dict[str, Any]:
    return {
        "delivery_id": row.delivery_id,
        "channel": row.channel,
        "status": row.status,
        "attempts": row.attempts,
        "next_attempt_at": row.next_attempt_at if row.status == "pending" else None,
        "last_error": row.last_error,
        "sent_at": row.sent_at,
    }


async def deliveries(uow: UnitOfWork, *, status: str, limit: int) -> list[dict[str, Any]]:
    """Deliveries in one state (pending, sent, failed), oldest first: ids, references and
    state only, no personal data."""
    rows = await FeedbackStore(uow.session).deliveries_by_status(status, limit)
    return [
        {"contact_id": r.contact_id, "reference": r.reference, "decision_id": r.decision_id,
         "audience": r.audience, "created_at": r.created_at, **_delivery_view(r)}
        for r in rows
    ]


async def read_handover(
    uow: UnitOfWork, sealer: Sealer, contact_id: str, *, reader: Reader, now: datetime
) -> list[dict[str, Any]] | None:
    """The summaries handed to receiving teams for this contact, opened; the read is audited."""
    store = FeedbackStore(uow.session)
    rows = [r for r in await store.feedback(contact_id)
            if r.audience == "receiving_team" and r.message is not None]
    if not rows:
        return None
    await record_read(uow, reader, contact_id=contact_id, service="feedback",
                      action="read handover", now=now)
    decided = {d.decision_id: d for d in await store.decisions(contact_id)}
    return [
        {
            "decision_id": r.decision_id,
            "receiving_team": decided[r.decision_id].receiving_team,
            "outcome": decided[r.decision_id].outcome,
            "supersedes": decided[r.decision_id].supersedes,
            "prepared_at": r.sent_at,
            "channel": r.channel,
            "status": r.status,
            "summary": _readable(sealer, r.message),
        }
        for r in rows
        if r.decision_id in decided
    ]
