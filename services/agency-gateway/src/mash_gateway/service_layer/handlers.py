"""The gateway's use cases: fan an information request out to agencies, record their answers,
show agencies their open requests and the hub each agency's time left.

Every function runs inside one unit of work: the rows it writes and the events it publishes
commit together (outbox), whether it was called by the consumer or by the HTTP API.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mash_common.audit import Reader, record_read
from mash_common.crypto import Sealer, SealError, agency_kid, contact_kid
from mash_common.outbox import UnitOfWork
from mash_schemas.events import (
    AgencyChased,
    AgencyEscalated,
    AgencyRequest,
    AgencyRequestUpdated,
    InformationDeadlinesChanged,
    InformationProvided,
    InformationRequested,
)

from ..adapters.repository import AgencyRequests, Chasers
from ..domain.chasers import ChaserKind, ChaserPolicy, replan_chasers
from ..domain.profiles import NeedToKnowProfiles
from ..domain.requests import (
    AgencyRequestRecord,
    Answer,
    RequestStatus,
    UnknownRequest,
    agencies_to_ask,
    check_consistent,
)
from .commands import RecordAnswer

SERVICE = "agency-gateway"


class UnreadableRequest(Exception):
    """An information request whose need-to-know record cannot be opened for its contact."""


async def request_information(
    uow: UnitOfWork,
    sealer: Sealer,
    profiles: NeedToKnowProfiles,
    event: InformationRequested,
    *,
    event_id: str,
    agencies: Iterable[str],
    now: datetime,
    chasers: ChaserPolicy | None = None,
) -> list[AgencyRequestRecord]:
    """One request per agency, each carrying only that agency's need-to-know fields, sealed
    with that agency's own key, and its chasers planned."""
    chasers = chasers or ChaserPolicy()
    asked = agencies_to_ask(event.agencies, agencies)
    if event.need_to_know.kid != contact_kid(event.contact_id):
        raise UnreadableRequest(
            f"need_to_know is sealed with {event.need_to_know.kid!r}, not this contact's key"
        )
    try:
        need_to_know = sealer.open(event.need_to_know)
    except SealError as exc:
        raise UnreadableRequest(str(exc)) from None
    repo = AgencyRequests(uow.session)
    clock = Chasers(uow.session)
    # Triage may give each agency its own deadline (an optional map on the event).
    per_agency = event.agency_respond_by or {}
    created = []
    for agency in asked:
        respond_by = chasers.deadline(
            agency, event.requested_at, event.respond_by, per_agency.get(agency)
        )
        request = AgencyRequestRecord(
            request_id=str(uuid.uuid4()),
            contact_id=event.contact_id,
            reference=event.reference,
            agency=agency,
            rating=event.rating,
            respond_by=respond_by,
            requested_at=event.requested_at,
        )
        details = sealer.seal(agency_kid(agency), profiles.subject_details(agency, need_to_know))
        await repo.add(request, subject_details=details, source_event_id=event_id)
        await clock.plan(request, chasers.plan(agency, request.requested_at, respond_by))
        await uow.publish(
            AgencyRequest(
                request_id=request.request_id,
                contact_id=request.contact_id,
                reference=request.reference,
                agency=agency,
                rating=event.rating,
                respond_by=request.respond_by,
                requested_at=request.requested_at,
                subject_details=details,
            ),
            subject=request.contact_id,
            agency=agency,
            time=now,
        )
        created.append(request)
    return created


async def move_deadlines(
    uow: UnitOfWork,
    event: InformationDeadlinesChanged,
    *,
    now: datetime,
    chasers: ChaserPolicy | None = None,
) -> list[AgencyRequestRecord]:
    """A re-rating moved the contact's deadline and each agency's: every open request of the
    contact takes its agency's new deadline and the new rating, its chasers are planned again
    from the new deadline, and the agency is told on its requests topic. Answered requests are
    left as they were. Returns the requests moved."""
    chasers = chasers or ChaserPolicy()
    repo = AgencyRequests(uow.session)
    clock = Chasers(uow.session)
    moved = []
    for request in await repo.for_contact(event.contact_id):
        respond_by = chasers.deadline(
            request.agency, request.requested_at, event.respond_by,
            event.agency_respond_by.get(request.agency),
        )
        previous = request.move_deadline(respond_by=respond_by, rating=event.rating)
        if previous is None or not await repo.move_deadline(request):
            continue  # answered (now or just before), or nothing to change
        replan = replan_chasers(
            await clock.stored(request.request_id),
            chasers.plan(request.agency, request.requested_at, respond_by),
            now=now,
        )
        await clock.replan(request, replan, now=now, reason="re-rated")
        await uow.publish(
            AgencyRequestUpdated(
                request_id=request.request_id,
                contact_id=request.contact_id,
                reference=request.reference,
                agency=request.agency,
                rating=event.rating,
                respond_by=respond_by,
                previous_respond_by=previous,
                updated_at=now,
            ),
            subject=request.contact_id,
            agency=request.agency,
            time=now,
        )
        moved.append(request)
    return moved


@dataclass(frozen=True)
class AnswerOutcome:
    request: AgencyRequestRecord
    answer: Answer | None  # None: the request had already been answered; nothing changed

    @property
    def accepted(self) -> bool:
        return self.answer is not None


async def record_answer(
    uow: UnitOfWork, sealer: Sealer, command: RecordAnswer, *, now: datetime
) -> AnswerOutcome:
    """The one code path for an agency's answer, whichever channel it came by. Raises
    `AnswerRefused` for an answer no request of that agency can take."""
    repo = AgencyRequests(uow.session)
    request = await repo.get(command.request_id)
    if request is None:
        raise UnknownRequest(command.request_id)
    answer = request.answer(agency=command.agency, contact_id=command.contact_id, at=now)
    if answer is None:
        return AnswerOutcome(request, None)
    check_consistent(request.request_id, known_to_agency=command.known_to_agency,
                     nothing_known=command.nothing_known)
    opened: dict[str, Any] = {"summary": command.summary, "responder": command.responder}
    if command.nothing_known is not None:
        opened["nothing_known"] = command.nothing_known
    opened.update(command.details)
    sealed = sealer.seal(contact_kid(request.contact_id), opened)
    won = await repo.mark_answered(
        request, answer, known_to_agency=command.known_to_agency, channel=command.channel,
        sealed_answer=sealed,
    )
    if not won:
        return AnswerOutcome(request, None)  # another answer committed first
    await Chasers(uow.session).cancel(request.request_id, now=now, reason="answered")
    await uow.publish(
        InformationProvided(
            contact_id=request.contact_id,
            request_id=request.request_id,
            agency=request.agency,
            known_to_agency=command.known_to_agency,
            received_at=answer.received_at,
            late=answer.late,
            summary=sealed,
            channel=command.channel,
        ),
        subject=request.contact_id,
        time=now,
    )
    return AnswerOutcome(request, answer)


def _agency_view(
    sealer: Sealer, request: AgencyRequestRecord, sealed: dict[str, Any] | None,
    fired: dict[tuple[str, str], datetime], now: datetime,
) -> dict[str, Any]:
    """A request as its agency sees it; the child's details only while it is open."""
    left = request.time_left(now)
    return {
        "request_id": request.request_id,
        "contact_id": request.contact_id,
        "reference": request.reference,
        "agency": request.agency,
        "rating": request.rating,
        "status": request.status.value,
        "requested_at": request.requested_at,
        "respond_by": request.respond_by,
        "seconds_left": left,
        "overdue": left is not None and left < 0,
        "reminded_at": fired.get((request.request_id, ChaserKind.REMIND)),
        "answered_at": request.answered_at,
        "late": request.late,
        "subject_details": sealer.open(sealed) if sealed is not None else None,
    }


async def open_requests_for_agency(
    uow: UnitOfWork,
    sealer: Sealer,
    agency: str,
    *,
    reader: Reader,
    now: datetime,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """An agency's open requests with what it needs to know. Reading a child's details is
    audited: one RecordAccessed per contact shown."""
    found = await AgencyRequests(uow.session).open_for_agency(agency, limit=limit)
    fired = await Chasers(uow.session).fired_for([r.request_id for r, _ in found])
    out = [_agency_view(sealer, request, sealed, fired, now) for request, sealed in found]
    for contact_id in dict.fromkeys(r.contact_id for r, _ in found):
        await record_read(uow, reader, contact_id=contact_id, service=SERVICE,
                          action=f"read information request ({agency})", now=now)
    return out


async def one_request_for_agency(
    uow: UnitOfWork, sealer: Sealer, agency: str, request_id: str, *, reader: Reader,
    now: datetime,
) -> dict[str, Any] | None:
    """One of an agency's requests (None: no such request, or another agency's). While it is
    open the child's need-to-know details are shown and the read is audited; once answered,
    only its status (nothing personal is read, so nothing is audited)."""
    found = await AgencyRequests(uow.session).get_with_details(request_id)
    if found is None or found[0].agency != agency:
        return None
    request, sealed = found
    is_open = request.status is RequestStatus.OPEN
    fired = await Chasers(uow.session).fired_for([request.request_id])
    view = _agency_view(sealer, request, sealed if is_open else None, fired, now)
    if is_open:
        await record_read(uow, reader, contact_id=request.contact_id, service=SERVICE,
                          action=f"read information request ({agency})", now=now)
    return view


async def requests_for_contact(
    uow: UnitOfWork, contact_id: str, *, now: datetime
) -> list[dict[str, Any]]:
    """Each agency's request for one contact: who has answered and how long the rest have.
    No personal data."""
    requests = await AgencyRequests(uow.session).for_contact(contact_id)
    fired = await Chasers(uow.session).fired_for([r.request_id for r in requests])
    out = []
    for request in requests:
        left = request.time_left(now)
        escalated_at = fired.get((request.request_id, ChaserKind.ESCALATE))
        out.append(
            {
                "request_id": request.request_id,
                "agency": request.agency,
                "status": request.status.value,
                "rating": request.rating,
                "requested_at": request.requested_at,
                "respond_by": request.respond_by,
                "answered_at": request.answered_at,
                "late": request.late,
                "known_to_agency": request.known_to_agency,
                "channel": request.channel,
                "seconds_left": left,
                "overdue": left is not None and left < 0,
                "reminded_at": fired.get((request.request_id, ChaserKind.REMIND)),
                "escalated_at": escalated_at,
                "no_answer_by_deadline": escalated_at is not None,
            }
        )
    return out


async def due_chasers(uow: UnitOfWork, now: datetime, limit: int) -> list[tuple[str, ChaserKind]]:
    return await Chasers(uow.session).due(now, limit)


async def fire_chaser(
    uow: UnitOfWork, request_id: str, kind: ChaserKind, *, now: datetime
) -> AgencyRequestRecord | None:
    """Fire one chaser and publish it in the same transaction: a reminder to the agency on its
    requests topic, or, at the deadline, the escalation to the MASH manager that records "no
    answer by the deadline" for the picture. Returns the request when it fired."""
    request = await AgencyRequests(uow.session).get(request_id)
    clock = Chasers(uow.session)
    if request is None or request.status is not RequestStatus.OPEN:
        await clock.cancel(request_id, now=now, reason="answered")
        return None
    if kind is ChaserKind.REMIND and now >= request.respond_by:
        # Down past the deadline (a restart): the escalation says it all; no stale reminder.
        await clock.cancel_one(request_id, kind, now=now, reason="deadline passed")
        return None
    if not await clock.mark_fired(request_id, kind, now=now):
        return None
    # Read again now that the chaser row is ours: a re-rating that committed meanwhile moved
    # the deadline this chaser states.
    request = await AgencyRequests(uow.session).get(request_id) or request
    if kind is ChaserKind.REMIND:
        await uow.publish(
            AgencyChased(
                request_id=request.request_id, contact_id=request.contact_id,
                reference=request.reference, agency=request.agency,
                rating=request.rating,  # type: ignore[arg-type]
                respond_by=request.respond_by, chased_at=now,
            ),
            subject=request.contact_id, agency=request.agency, time=now,
        )
    else:
        await uow.publish(
            AgencyEscalated(
                contact_id=request.contact_id, request_id=request.request_id,
                agency=request.agency, rating=request.rating,  # type: ignore[arg-type]
                respond_by=request.respond_by, escalated_at=now,
            ),
            subject=request.contact_id, time=now,
        )
    return request
