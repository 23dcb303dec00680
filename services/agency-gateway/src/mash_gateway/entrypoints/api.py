"""The gateway's HTTP API: for agencies without Kafka, and each agency's time left for the UI.

An agency answering here takes exactly the path a Kafka answer takes (same handler, same
checks, same InformationProvided event, channel "http"). Two kinds of caller open an agency's
requests: the agency's own system with its API token, and one of that agency's practitioners
signed in to the console (a staff token naming the agency).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from mash_common.auth import CAN, InvalidToken, Role, require, token_verifier
from mash_common.http import RuntimeDep

from ..domain.requests import AnswerRefused
from ..service_layer import handlers
from ..service_layer.commands import AnswerBody, RecordAnswer, answer_details
from .credentials import AgencyCredentials

router = APIRouter(prefix="/v1")

AgencyPath = Annotated[str, Path(max_length=64, description="e.g. police, health, education")]

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="AgencyOrStaffToken",
    description="The agency's own API token (one per agency; it opens that agency's requests "
    "and no other's), or a staff token signed by the console for one of that agency's "
    "practitioners",
)

ANSWER_REQUEST = "answer-request"


@dataclass(frozen=True)
class AgencyCaller:
    agency: str
    user: str  # the agency's system (`agency:<name>`) or the signed-in practitioner
    role: str  # recorded with each audited read

    @property
    def practitioner(self) -> bool:
        """Proved by a staff token, so the answer is theirs whatever the body says."""
        return self.role == Role.AGENCY_PRACTITIONER


def _looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2


def require_agency_access(
    agency: AgencyPath,
    request: Request,
    runtime: RuntimeDep,
    token: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> AgencyCaller:
    """Only the agency's own API token, or a staff token of one of its practitioners, opens its
    requests. Another agency's token, another agency's practitioner and every other staff role
    are refused (403) exactly as a wrong token is; a staff token that fails verification
    (expired, another key) is 401."""
    if token is None:
        raise HTTPException(401, "an agency API token or a staff token is required "
                            "(Authorization: Bearer)", headers={"WWW-Authenticate": "Bearer"})
    if agency not in runtime.settings.agencies:  # type: ignore[attr-defined]
        raise HTTPException(404, f"{agency} is not an agency this hub consults")
    credentials: AgencyCredentials = request.app.state.agency_credentials
    if credentials.verify(agency, token.credentials):
        return AgencyCaller(agency=agency, user=f"agency:{agency}", role="agency-system")
    refused = HTTPException(
        403, f"only {agency}'s token or {agency}'s practitioners may read or answer "
        f"{agency}'s requests")
    if not _looks_like_jwt(token.credentials):
        raise refused
    try:
        staff = token_verifier(request).verify(token.credentials)
    except InvalidToken as exc:
        raise HTTPException(401, f"the staff token was refused: {exc}",
                            headers={"WWW-Authenticate": "Bearer"}) from exc
    if staff.role not in CAN[ANSWER_REQUEST] or staff.agency != agency:
        raise refused
    return AgencyCaller(agency=agency, user=staff.user, role=Role.AGENCY_PRACTITIONER.value)


# Read by the role tests: the capability this guard stands for, scoped to the path's agency.
require_agency_access.capability = ANSWER_REQUEST  # type: ignore[attr-defined]
require_agency_access.agency_scoped = True  # type: ignore[attr-defined]

AgencyCallerDep = Annotated[AgencyCaller, Depends(require_agency_access)]


@router.get(
    "/agencies/{agency}/requests",
    tags=["agencies"],
    summary="An agency's open information requests",
    description=(
        "Needs the agency's own token, or a staff token of one of the agency's practitioners "
        "(Authorization: Bearer): none 401, another agency's or another role's 403. Lists "
        "open requests, most urgent first, with the child's details the agency needs to know "
        "(opened) and the seconds left to answer (negative once overdue). Each contact shown "
        "is an audited read."
    ),
)
async def open_requests(
    agency: AgencyPath,
    runtime: RuntimeDep,
    caller: AgencyCallerDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        found = await handlers.open_requests_for_agency(
            uow, runtime.sealer, agency, reader=caller,
            now=runtime.clock(), limit=limit,
        )
    return {"agency": agency, "requests": found}


@router.get(
    "/agencies/{agency}/requests/{request_id}",
    tags=["agencies"],
    summary="One of an agency's information requests",
    description=(
        "The same guard as the list: the agency's own token or one of its practitioners' "
        "staff tokens. While the request is open: the child's details the agency needs to "
        "know (opened) and the seconds left, and the read is audited for this child only "
        "(the console's answer form uses this, not the list). Once answered: its status, "
        "when and whether late, without the child's details. 404: no such request for that "
        "agency (another agency's request is reported the same way)."
    ),
)
async def one_request(
    agency: AgencyPath,
    request_id: Annotated[str, Path(max_length=64)],
    runtime: RuntimeDep,
    caller: AgencyCallerDep,
) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        found = await handlers.one_request_for_agency(
            uow, runtime.sealer, agency, request_id, reader=caller, now=runtime.clock())
    if found is None:
        raise HTTPException(404, f"no request {request_id} for {agency}")
    return found


@router.post(
    "/agencies/{agency}/requests/{request_id}/response",
    status_code=202,
    tags=["agencies"],
    summary="Answer an information request",
    description=(
        "The same contract as an answer on `mash.agency.<agency>.responses`. 202: the answer "
        "was recorded (late if after the deadline) and passed on for the picture. 200: the "
        "request had already been answered; nothing changed (a retry is safe) and the body "
        "says when and by which channel it was answered. 401: no token (or a staff token "
        "that failed verification); 403: not that agency's token nor one of its "
        "practitioners. 404: no such request for that agency. 422: a bad body, or "
        "nothing_known with known_to_agency."
    ),
    responses={200: {"description": "Already answered; nothing changed"}},
)
async def answer_request(
    agency: AgencyPath,
    request_id: Annotated[str, Path(max_length=64)],
    body: AnswerBody,
    runtime: RuntimeDep,
    caller: AgencyCallerDep,
    response: Response,
) -> dict[str, Any]:
    if body.nothing_known and body.known_to_agency:
        raise HTTPException(422, "nothing_known cannot be true when known_to_agency is true")
    command = RecordAnswer(
        request_id=request_id,
        agency=agency,
        contact_id=None,
        known_to_agency=body.known_to_agency,
        summary=body.summary,
        responder=caller.user if caller.practitioner else (body.responder or caller.user),
        channel="http",
        nothing_known=body.nothing_known,
        details=answer_details(body),
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
        "For the hub's UI: status, when answered, whether late, seconds left to answer "
        "(negative once overdue, null once answered), when the agency was reminded and when "
        "it was escalated for no answer by its deadline. No personal data."
    ),
    dependencies=[Depends(require("read-agency-progress"))],
)
async def contact_requests(
    contact_id: Annotated[str, Path(max_length=64)], runtime: RuntimeDep
) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        found = await handlers.requests_for_contact(uow, contact_id, now=runtime.clock())
    return {"contact_id": contact_id, "requests": found}
