"""Decision's HTTP API: thin; each route hands a command to a handler inside one unit of work."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Response

from mash_common.auth import Caller, require
from mash_common.http import RuntimeDep

from ..config import DecisionSettings
from ..domain.decisions import AlreadyDecided, InvalidDecision, NotReadyForDecision
from ..service_layer import handlers
from ..service_layer.commands import MakeDecision

router = APIRouter(prefix="/v1", tags=["decision"])

PictureReader = Annotated[Caller, Depends(require("read-picture"))]
Decider = Annotated[Caller, Depends(require("decide"))]


@router.get(
    "/queue",
    summary="Pictures ready for decision",
    description=(
        "Every contact whose picture is complete (every agency answered, or their time ran "
        "out) and not yet decided: red, then amber, then green, and within a rating the least "
        "time left first. Shows references and timings only, no personal data."
    ),
    dependencies=[Depends(require("read-queues"))],
)
async def ready_queue(runtime: RuntimeDep) -> list[dict[str, Any]]:
    async with runtime.unit_of_work() as uow:
        return await handlers.queue(uow, now=runtime.clock())


@router.get(
    "/pictures/{contact_id}",
    summary="Read a contact's picture (audited)",
    description=(
        "The picture as a timeline of every event about the contact, with each agency's "
        "answer and the rationales opened. The read is recorded on the audit topic."
    ),
)
async def read_picture(
    contact_id: str, runtime: RuntimeDep, caller: PictureReader
) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        found = await handlers.read_picture(
            uow, runtime.sealer, contact_id, reader=caller,
            now=runtime.clock(),
        )
    if found is None:
        raise HTTPException(404, f"no picture for contact {contact_id}")
    return found


@router.post(
    "/contacts/{contact_id}/decision",
    status_code=201,
    summary="Record the manager's decision",
    description=(
        "Needs a picture ready for decision (409 otherwise). A contact is decided once; a "
        "later decision must name the current one in `supersedes` (409 otherwise). The "
        "rationale is sealed with the contact's key before it is published."
    ),
)
async def make_decision(
    contact_id: str,
    body: MakeDecision,
    runtime: RuntimeDep,
    caller: Decider,
    response: Response,
) -> dict[str, Any]:
    settings = runtime.settings
    levels = settings.levels_of_need if isinstance(settings, DecisionSettings) else 4
    try:
        async with runtime.unit_of_work() as uow:
            decided = await handlers.make_decision(
                uow, runtime.sealer, contact_id, body, decided_by=caller.user,
                now=runtime.clock(), levels_of_need=levels,
            )
    except handlers.UnknownContact:
        raise HTTPException(404, f"no picture for contact {contact_id}") from None
    except InvalidDecision as exc:
        raise HTTPException(
            422, [{"loc": ["body", "level_of_need"], "msg": exc.reason, "type": "value_error"}]
        ) from None
    except (NotReadyForDecision, AlreadyDecided) as exc:
        raise HTTPException(409, exc.reason) from None
    response.headers["Location"] = f"/v1/pictures/{contact_id}"
    return decided


@router.get(
    "/timeliness",
    summary="How quickly contacts move through the MASH",
    description=(
        "Over every contact the service knows: how many reached each stage (threshold "
        "decision, RAG rating, all answers in, ready, decided, feedback sent), the median and "
        "90th percentile time from receipt, and how many were decided within their RAG "
        "deadline. No personal data."
    ),
    dependencies=[Depends(require("read-timeliness"))],
)
async def timeliness_summary(runtime: RuntimeDep) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        return await handlers.timeliness_summary(uow, now=runtime.clock())


@router.get(
    "/timeliness/{contact_id}",
    summary="When each stage of one contact was reached",
    description=(
        "Received, threshold decision, RAG rating (and its history), every agency's answer or "
        "silence, all answers in, ready for decision, decided, feedback sent; each with the "
        "time since receipt. References and timings only."
    ),
    dependencies=[Depends(require("read-timeliness"))],
)
async def timeliness(contact_id: str, runtime: RuntimeDep) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        found = await handlers.timeliness(uow, contact_id, now=runtime.clock())
    if found is None:
        raise HTTPException(404, f"no picture for contact {contact_id}")
    return found
