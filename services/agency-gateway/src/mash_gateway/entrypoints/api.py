"""The gateway's HTTP API: for agencies without Kafka, and each agency's time left for the UI.

An agency answering here takes exactly the path a Kafka answer takes (same handler, same
checks, same InformationProvided event, channel "http").
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Response

from mash_common.http import RuntimeDep
from mash_common.identity import Caller, CallerDep

from ..domain.requests import AnswerRefused
from ..service_layer import handlers
from ..service_layer.commands import AnswerBody, RecordAnswer

router = APIRouter(prefix="/v1")

AgencyPath = Annotated[str, Path(max_length=64, description="e.g. police, health, education")]


def _authorise(runtime: RuntimeDep, caller: Caller, agency: str) -> None:
    # The walking skeleton trusts X-Mash-Agency; issue 7 replaces it with a signed token.
    if caller.agency != agency:
        raise HTTPException(403, f"only {agency} may read or answer {agency}'s requests")
    if agency not in runtime.settings.agencies:  # type: ignore[attr-defined]
        raise HTTPException(404, f"{agency} is not an agency this hub consults")


@router.get(
    "/agencies/{agency}/requests",
    tags=["agencies"],
    summary="An agency's open information requests",
    description=(
        "The calling agency (X-Mash-Agency) must be the agency in the path, else 403. Lists "
        "open requests, most urgent first, with the child's details the agency needs to know "
        "(opened) and the seconds left to answer (negative once overdue). Each contact shown "
        "is an audited read."
    ),
)
async def open_requests(
    agency: AgencyPath,
    runtime: RuntimeDep,
    caller: CallerDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    _authorise(runtime, caller, agency)
    async with runtime.unit_of_work() as uow:
        found = await handlers.open_requests_for_agency(
            uow, runtime.sealer, agency, user=caller.user, role=caller.role,
            now=runtime.clock(), limit=limit,
        )
    return {"agency": agency, "requests": found}


@router.post(
    "/agencies/{agency}/requests/{request_id}/response",
    status_code=202,
    tags=["agencies"],
    summary="Answer an information request",
    description=(
        "The same contract as an answer on `mash.agency.<agency>.responses`. 202: the answer "
        "was recorded (late if after the deadline) and passed on for the picture. 200: the "
        "request had already been answered; nothing changed (a retry is safe) and the body "
        "says when and by which channel it was answered. 403: the caller is not that agency. "
        "404: no such request for that agency."
    ),
    responses={200: {"description": "Already answered; nothing changed"}},
)
async def answer_request(
    agency: AgencyPath,
    request_id: Annotated[str, Path(max_length=64)],
    body: AnswerBody,
    runtime: RuntimeDep,
    caller: CallerDep,
    response: Response,
) -> dict[str, Any]:
    _authorise(runtime, caller, agency)
    command = RecordAnswer(
        request_id=request_id,
        agency=agency,
        contact_id=None,
        known_to_agency=body.known_to_agency,
        summary=body.summary,
        responder=body.responder or caller.user,
        channel="http",
    )
    try:
        async with runtime.unit_of_work() as uow:
            outcome = await handlers.record_answer(
                uow, runtime.sealer, command, now=runtime.clock()
            )
    except AnswerRefused:
        # Another agency's request is reported exactly like a missing one: never reveal it.
        raise HTTPException(404, f"no request {request_id} for {agency}") from None
    if outcome.answer is None:
        response.status_code = 200
        return {
            "request_id": request_id,
            "status": "already_answered",
            "answered_at": outcome.request.answered_at,
            "channel": outcome.request.channel,
        }
    return {
        "request_id": request_id,
        "status": "answered",
        "answered_at": outcome.answer.received_at,
        "late": outcome.answer.late,
    }


@router.get(
    "/contacts/{contact_id}/requests",
    tags=["contacts"],
    summary="Each agency's request for a contact, answered or not, and its time left",
    description=(
        "For the hub's UI: status, when answered, whether late, and seconds left to answer "
        "(negative once overdue, null once answered). No personal data."
    ),
)
async def contact_requests(
    contact_id: Annotated[str, Path(max_length=64)], runtime: RuntimeDep
) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        found = await handlers.requests_for_contact(uow, contact_id, now=runtime.clock())
    return {"contact_id": contact_id, "requests": found}
