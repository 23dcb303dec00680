"""The gateway's subscriptions, all in one place: decode, map to a command, hand to a handler.

- `mash.triage`: InformationRequested (other types on that topic are not the gateway's).
- `mash.agency.<agency>.responses`: an agency's answer (`uk.mash.agency.response.v1`).

An answer is judged against the topic it arrived on (`event.topic`): police can answer only
police requests.
"""

from __future__ import annotations

from collections.abc import Iterable

from mash_common.codec import Decoded
from mash_common.consumer import Handler, Rejected
from mash_common.crypto import Sealer
from mash_common.logging import get_logger
from mash_common.outbox import UnitOfWork
from mash_common.runtime import Clock
from mash_schemas.events import AgencyResponse, InformationRequested
from mash_schemas.topics import TRIAGE, agency_responses

from ..domain.profiles import NeedToKnowProfiles
from ..domain.requests import AnswerRefused, UnknownAgency
from ..service_layer import handlers
from ..service_layer.commands import RecordAnswer

log = get_logger("mash.gateway")

def topics(agencies: Iterable[str]) -> list[str]:
    return [TRIAGE, *(agency_responses(a) for a in agencies)]


def subscriptions(
    sealer: Sealer, profiles: NeedToKnowProfiles, agencies: Iterable[str], clock: Clock
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
                now=clock(),
            )
        except (UnknownAgency, handlers.UnreadableRequest) as exc:
            raise Rejected(str(exc)) from None
        log.info("information.requested", contact_id=event.data.contact_id,
                 count=len(created), event_id=event.event_id)

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
        AgencyResponse.event_type: agency_response,
    }
