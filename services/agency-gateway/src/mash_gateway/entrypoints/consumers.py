"""The gateway's subscriptions, all in one place: decode, map to a command, hand to a handler.

- `mash.triage`: InformationRequested, and InformationDeadlinesChanged (a re-rating moved the
  deadlines: open requests move, their chasers are planned again, the agency is told); other
  types on that topic are not the gateway's.
- `mash.agency.<agency>.responses`: an agency's answer (`uk.mash.agency.response.v1`).

A message on an agency's responses topic that cannot be taken goes to the dead-letter topic and,
in the same transaction, the agency is told why on `mash.agency.<agency>.rejections`
(`rejection_hook`).

An answer is judged against the topic it arrived on (`event.topic`): police can answer only
police requests.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from mash_common.codec import Decoded, DecodeError
from mash_common.consumer import Handler, Rejected
from mash_common.crypto import Sealer
from mash_common.logging import get_logger
from mash_common.outbox import UnitOfWork
from mash_common.runtime import Clock
from mash_schemas.events import (
    AgencyRejection,
    AgencyResponse,
    InformationDeadlinesChanged,
    InformationRequested,
)
from mash_schemas.topics import TRIAGE, agency_responses

from ..domain.chasers import ChaserPolicy
from ..domain.profiles import NeedToKnowProfiles
from ..domain.requests import AnswerRefused, UnknownAgency
from ..service_layer import handlers
from ..service_layer.commands import RecordAnswer, answer_details

log = get_logger("mash.gateway")

def topics(agencies: Iterable[str]) -> list[str]:
    return [TRIAGE, *(agency_responses(a) for a in agencies)]


def subscriptions(
    sealer: Sealer, profiles: NeedToKnowProfiles, agencies: Iterable[str], clock: Clock,
    chasers: ChaserPolicy | None = None,
) -> dict[str, Handler]:
    agencies = list(agencies)
    answering_agency = {agency_responses(a): a for a in agencies}

    async def information_requested(uow: UnitOfWork, event: Decoded) -> None:
        if event.topic != TRIAGE:
            raise Rejected(f"information requests are taken only from {TRIAGE}")
        assert isinstance(event.data, InformationRequested)
        try:
            created = await handlers.request_information(
                uow, sealer, profiles, event.data, event_id=event.event_id, agencies=agencies,
                now=clock(), chasers=chasers,
            )
        except (UnknownAgency, handlers.UnreadableRequest) as exc:
            raise Rejected(str(exc)) from None
        log.info("information.requested", contact_id=event.data.contact_id,
                 count=len(created), event_id=event.event_id)

    async def information_deadlines_changed(uow: UnitOfWork, event: Decoded) -> None:
        if event.topic != TRIAGE:
            raise Rejected(f"moved deadlines are taken only from {TRIAGE}")
        data = event.data
        assert isinstance(data, InformationDeadlinesChanged)
        if event.subject != data.contact_id:
            raise Rejected(f"subject {event.subject!r} is not the contact id {data.contact_id!r}")
        moved = await handlers.move_deadlines(uow, data, now=clock(), chasers=chasers)
        log.info("information.deadlines_moved", contact_id=data.contact_id, count=len(moved),
                 event_id=event.event_id)

    async def agency_response(uow: UnitOfWork, event: Decoded) -> None:
        topic = event.topic
        agency = answering_agency.get(topic or "")
        if agency is None:
            raise Rejected(f"agency answers are taken only from agency response topics, "
                           f"not {topic}")
        data = event.data
        assert isinstance(data, AgencyResponse)
        command = RecordAnswer(
            request_id=data.request_id,
            agency=agency,
            contact_id=event.subject,  # the envelope names the contact; the key is not relied on
            known_to_agency=data.known_to_agency,
            summary=data.summary,
            responder=data.responder,
            channel="kafka",
            nothing_known=data.nothing_known,
            details=answer_details(data),
        )
        try:
            outcome = await handlers.record_answer(uow, sealer, command, now=clock())
        except AnswerRefused as exc:
            raise Rejected(str(exc)) from None
        log.info(
            "agency.answered" if outcome.accepted else "agency.answer_duplicate",
            request_id=data.request_id, agency=agency, contact_id=event.subject,
            status="late" if outcome.answer and outcome.answer.late else "in_time",
        )

    return {
        InformationRequested.event_type: information_requested,
        InformationDeadlinesChanged.event_type: information_deadlines_changed,
        AgencyResponse.event_type: agency_response,
    }


RejectionHook = Callable[[UnitOfWork, Decoded | None, Any, Rejected | DecodeError],
                         Awaitable[None]]


def rejection_hook(agencies: Iterable[str], clock: Clock) -> RejectionHook:
    """Tell an agency why its message was not taken, on its own rejections topic, in the
    transaction that dead-letters it. Only ids and the reason travel: no personal data."""
    answering_agency = {agency_responses(a): a for a in agencies}

    async def tell_the_agency(
        uow: UnitOfWork, event: Decoded | None, msg: Any, exc: Rejected | DecodeError
    ) -> None:
        agency = answering_agency.get(msg.topic)
        if agency is None:
            return  # not an agency's message (mash.triage): operators read the dead letter
        data = event.data if event is not None else None
        now = clock()
        await uow.publish(
            AgencyRejection(
                agency=agency,
                rejected_event_id=event.event_id if event is not None else None,
                request_id=data.request_id if isinstance(data, AgencyResponse) else None,
                reason=exc.reason,
                errors=list(exc.errors),
                source_topic=msg.topic,
                source_partition=msg.partition,
                source_offset=msg.offset,
                rejected_at=now,
            ),
            subject=(event.subject if event is not None else None) or "unknown",
            agency=agency,
            time=now,
        )
        log.info("agency.answer_rejected", agency=agency, topic=msg.topic,
                 partition=msg.partition, offset=msg.offset)

    return tell_the_agency
