"""Intake's use cases: accept a contact (over HTTP or from an agency system over Kafka), match
its children to earlier contacts, remind about phone contacts, read it back (audited), check
its status. Logs carry ids only."""

from __future__ import annotations

import hmac
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import insert, select, update

from mash_common.audit import Reader, record_read
from mash_common.codec import Decoded, DecodeError
from mash_common.consumer import Rejected
from mash_common.crypto import Sealer, SealError, agency_kid, contact_kid
from mash_common.logging import get_logger
from mash_common.outbox import UnitOfWork
from mash_schemas.codes import AGENCIES, Channel
from mash_schemas.envelope import utcnow
from mash_schemas.events import (
    ContactReceived,
    ContactSubmissionAccepted,
    ContactSubmissionRejected,
    ContactSubmitted,
    FeedbackSent,
    WrittenFormOverdue,
)
from mash_schemas.topics import agency_rejections, agency_requests

from ..adapters.tables import (
    contacts,
    counters,
    outcomes_ready,
    submissions,
    written_form_reminders,
)
from ..domain.contacts import age_in_years, new_status_token, reference_for, token_hash
from . import identity
from .commands import SubmitContact

log = get_logger("mash.intake")


@dataclass(frozen=True)
class IntakeRules:
    """Local practice, from settings."""

    written_form_hours: float = 24.0
    matching: identity.Policy = identity.Policy()


class UnknownPhoneContact(LookupError):
    """A written form names a phone contact intake does not hold (or already followed)."""


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
    rules: IntakeRules | None = None,
    channel: Channel | None = None,
    recorded_by: str | None = None,
    referrer_agency: str | None = None,
) -> Accepted:
    """One contact about several children becomes one record per child, linked as a family.

    Each child is matched to earlier contacts; a phone contact starts the written-form
    reminder; a written form that follows a phone contact stops it."""
    rules = rules or IntakeRules()
    channel = channel or command.channel
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
    follows = None
    if command.follows_phone_contact:
        follows = (await s.execute(
            select(written_form_reminders.c.family_group_id).where(
                written_form_reminders.c.reference == command.follows_phone_contact,
                written_form_reminders.c.followed_at.is_(None),
            ).with_for_update()
        )).first()
        if follows is None:
            raise UnknownPhoneContact(
                f"no phone contact {command.follows_phone_contact} awaiting its written form"
            )
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
                channel=channel,
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
                channel=channel,
                contact_type=command.contact_type,
                contact_source=command.contact_source,
                referrer_kind=command.referrer.kind,
                referrer_agency=referrer_agency or command.referrer.agency,
                immediate_risk=command.concern.immediate_risk,
                concern_factors=command.concern.factors,
                child_age_years=age_in_years(child.date_of_birth, now.date()),
                personal=personal,
            ),
            subject=contact_id,
            time=now,
        )
        await identity.match_child(
            uow, sealer, rules.matching, contact_id=contact_id, reference=reference,
            family_group_id=family_group_id, child=child.model_dump(mode="json"), now=now,
        )
        accepted.append({"contact_id": contact_id, "reference": reference, "child_index": index})
    if channel == "phone":
        await s.execute(insert(written_form_reminders).values(
            family_group_id=family_group_id, contact_id=accepted[0]["contact_id"],
            reference=accepted[0]["reference"], recorded_by=recorded_by or "unknown",
            received_at=now, due_at=now + timedelta(hours=rules.written_form_hours),
        ))
    if follows is not None:
        await s.execute(
            update(written_form_reminders)
            .where(written_form_reminders.c.family_group_id == follows.family_group_id)
            .values(followed_at=now, followed_by=accepted[0]["contact_id"])
        )
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


async def contact_row(uow: UnitOfWork, contact_id: str) -> Any:
    return (await uow.session.execute(
        select(contacts.c.contact_id, contacts.c.received_at)
        .where(contacts.c.contact_id == contact_id)
    )).first()


async def read_contact(
    uow: UnitOfWork, sealer: Sealer, contact_id: str, *, reader: Reader, now: datetime
) -> dict[str, Any] | None:
    """A person reads a child's record: the read itself is an audit event."""
    row = (
        await uow.session.execute(select(contacts).where(contacts.c.contact_id == contact_id))
    ).first()
    if row is None:
        return None
    await record_read(uow, reader, contact_id=contact_id, service="intake",
                      action="read contact", now=now)
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
    """What a referrer may know: received, and when; whether an outcome is ready, and since
    when. Never the details."""
    row = (
        await uow.session.execute(
            select(contacts.c.contact_id, contacts.c.reference, contacts.c.received_at,
                   contacts.c.status_token_hash)
            .where(contacts.c.reference == reference)
        )
    ).first()
    if row is None or not hmac.compare_digest(row.status_token_hash, token_hash(token)):
        return None
    ready_at = (await uow.session.execute(
        select(outcomes_ready.c.ready_at).where(outcomes_ready.c.contact_id == row.contact_id)
    )).scalar_one_or_none()
    return {"reference": row.reference, "received": True, "received_at": row.received_at,
            "outcome_ready": ready_at is not None, "outcome_ready_at": ready_at}


async def feedback_sent(
    uow: UnitOfWork, event: Decoded, *, clock: Callable[[], datetime] = utcnow
) -> None:
    """The outcome was recorded for the referrer: their status check may now say it is ready
    (never what it is). Feedback for receiving teams, for contacts intake does not hold, and
    repeats are ignored; the first one sets when."""
    data = event.data
    assert isinstance(data, FeedbackSent)
    if data.audience != "referrer":
        return
    s = uow.session
    held = (await s.execute(
        select(contacts.c.contact_id).where(contacts.c.contact_id == data.contact_id)
    )).first()
    if held is None:
        log.warning("feedback.unknown_contact", contact_id=data.contact_id,
                    event_id=event.event_id)
        return
    already = (await s.execute(
        select(outcomes_ready.c.contact_id).where(outcomes_ready.c.contact_id == data.contact_id)
    )).first()
    if already is not None:
        return
    await s.execute(insert(outcomes_ready).values(
        contact_id=data.contact_id, decision_id=data.decision_id, ready_at=data.sent_at,
        event_id=event.event_id, recorded_at=clock(),
    ))
    log.info("outcome.ready", contact_id=data.contact_id, decision_id=data.decision_id)


# --- Contacts from agency systems over Kafka ------------------------------------------------


def form_errors(exc: ValidationError) -> list[str]:
    """'<field>: <message>' for each problem; never the value that was sent."""
    return [
        f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" if e["loc"] else e["msg"]
        for e in exc.errors()
    ]


async def contact_submitted(
    uow: UnitOfWork, event: Decoded, *, sealer: Sealer, rules: IntakeRules,
    clock: Callable[[], datetime] = utcnow,
) -> None:
    """An agency system's contact: the same form, the same checks, the same path as HTTP.
    What cannot be accepted is rejected with every reason (dead letter + the agency's
    rejections topic); nothing of it is stored."""
    data = event.data
    assert isinstance(data, ContactSubmitted)
    if data.agency not in AGENCIES:
        raise Rejected(f"unknown agency {data.agency!r}", [f"agency: one of {', '.join(AGENCIES)}"])
    if data.form.kid != agency_kid(data.agency):
        raise Rejected(
            f"the form is sealed with {data.form.kid!r}, not {agency_kid(data.agency)!r}",
            ["form.kid: seal the form with your own agency's key"],
        )
    try:
        raw = sealer.open(data.form)
    except SealError:
        raise Rejected(f"the form cannot be opened with {data.agency}'s key",
                       ["form: sealed with another key, or altered on the way"]) from None
    try:
        form = SubmitContact.model_validate(raw)
    except ValidationError as exc:
        raise Rejected("the referral form is not valid", form_errors(exc)) from None
    now = clock()  # received when intake took it, not when the agency says it sent it
    try:
        accepted = await submit_contact(
            uow, sealer, form, now=now, rules=rules, channel="agency",
            idempotency_key=f"agency:{data.agency}:{data.submission_id}",
            referrer_agency=form.referrer.agency or data.agency,
        )
    except UnknownPhoneContact as exc:
        raise Rejected(str(exc), [f"follows_phone_contact: {exc}"]) from None
    await uow.publish(
        ContactSubmissionAccepted(
            submission_id=data.submission_id, agency=data.agency,
            family_group_id=accepted.family_group_id,
            contact_ids=[c["contact_id"] for c in accepted.contacts],
            references=[c["reference"] for c in accepted.contacts],
            accepted_at=now,
        ),
        subject=data.submission_id, topic=agency_requests(data.agency),
    )
    log.info("submission.accepted", submission_id=data.submission_id, agency=data.agency,
             contact_ids=[c["contact_id"] for c in accepted.contacts],
             replayed=accepted.replayed)


def _claimed_agency(decoded: Decoded | None, value: bytes | None) -> tuple[str | None, str | None]:
    """(agency, submission id) from an event that could not be taken, if it says them."""
    if decoded is not None and isinstance(decoded.data, ContactSubmitted):
        return decoded.data.agency, decoded.data.submission_id
    try:
        data = json.loads(value or b"").get("data") or {}
        agency, sid = data.get("agency"), data.get("submission_id")
        return (agency if isinstance(agency, str) else None,
                sid if isinstance(sid, str) and len(sid) <= 150 else None)
    except (ValueError, AttributeError):
        return None, None


async def submission_rejected(
    uow: UnitOfWork, decoded: Decoded | None, msg: Any, exc: Rejected | DecodeError
) -> None:
    """Called with the dead letter: the agency that sent it reads why on its rejections topic."""
    agency, submission_id = _claimed_agency(decoded, msg.value)
    if agency not in AGENCIES:
        return  # nobody to tell but the operators (the dead letter)
    now = utcnow()
    await uow.publish(
        ContactSubmissionRejected(
            submission_id=submission_id, agency=agency,
            rejected_event_id=decoded.event_id if decoded is not None else None,
            reason=exc.reason, errors=exc.errors, rejected_at=now,
        ),
        subject=submission_id or (decoded.subject if decoded else "unknown"),
        topic=agency_rejections(agency),
    )


# --- Phone contacts: the written form should follow -------------------------------------------


async def due_reminders(uow: UnitOfWork, now: datetime, limit: int) -> list[str]:
    rows = await uow.session.execute(
        select(written_form_reminders.c.family_group_id).where(
            written_form_reminders.c.due_at <= now,
            written_form_reminders.c.fired_at.is_(None),
            written_form_reminders.c.followed_at.is_(None),
        ).order_by(written_form_reminders.c.due_at).limit(limit)
    )
    return [r.family_group_id for r in rows]


async def fire_reminder(uow: UnitOfWork, family_group_id: str, *, now: datetime) -> str | None:
    """Exactly once: the guarded update marks it; a second copy finds nothing to fire."""
    row = (await uow.session.execute(
        select(written_form_reminders).where(
            written_form_reminders.c.family_group_id == family_group_id)
    )).first()
    marked = await uow.session.execute(
        update(written_form_reminders).where(
            written_form_reminders.c.family_group_id == family_group_id,
            written_form_reminders.c.fired_at.is_(None),
            written_form_reminders.c.followed_at.is_(None),
        ).values(fired_at=now)
    )
    if row is None or marked.rowcount != 1:  # type: ignore[attr-defined]
        return None
    await uow.publish(
        WrittenFormOverdue(
            contact_id=row.contact_id, reference=row.reference, family_group_id=family_group_id,
            received_at=row.received_at, due_at=row.due_at, recorded_by=row.recorded_by,
            overdue_at=now,
        ),
        subject=row.contact_id, time=now,
    )
    contact_id: str = row.contact_id
    return contact_id
