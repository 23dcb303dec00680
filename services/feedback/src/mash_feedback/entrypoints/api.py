"""Feedback's HTTP API: thin; each route hands over to a handler inside one unit of work."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query

from mash_common.auth import Caller, require
from mash_common.http import RuntimeDep

from ..service_layer import handlers

router = APIRouter(prefix="/v1", tags=["feedback"])

Reader = Annotated[Caller, Depends(require("read-feedback"))]


@router.get(
    "/feedback/{contact_id}",
    summary="What was recorded for the referrer and the receiving team (audited)",
    description=(
        "For each decision about the contact: the outcome recorded for the referrer (none for "
        "an anonymous referrer) and the summary for the receiving team, with their channel "
        "and status. The read is recorded on the audit topic. 404 until the first feedback "
        "is recorded; its detail says what the contact waits for (`unknown`, "
        "`awaiting_contact`, `awaiting_decision`)."
    ),
)
async def read_feedback(contact_id: str, runtime: RuntimeDep, caller: Reader
                        ) -> dict[str, Any]:
    try:
        async with runtime.unit_of_work() as uow:
            return await handlers.read_feedback(
                uow, runtime.sealer, contact_id, reader=caller,
                now=runtime.clock(),
            )
    except handlers.NothingRecorded as nothing:
        raise HTTPException(
            404, {"message": str(nothing), "status": nothing.status}
        ) from None


@router.get(
    "/handover/{contact_id}",
    summary="The summaries handed to the receiving teams (audited)",
    description=(
        "For each decision that passed the contact to a team: the summary the team got (the "
        "child, the concern, the decision and its rationale), as published on the handover "
        "topic. The read is recorded on the audit topic. 404 when no team received it."
    ),
)
async def read_handover(contact_id: str, runtime: RuntimeDep, caller: Reader
                        ) -> list[dict[str, Any]]:
    async with runtime.unit_of_work() as uow:
        found = await handlers.read_handover(
            uow, runtime.sealer, contact_id, reader=caller,
            now=runtime.clock(),
        )
    if found is None:
        raise HTTPException(404, f"no handover for contact {contact_id}")
    return found


@router.get(
    "/deliveries",
    summary="Deliveries by state, for operators",
    description=(
        "Emails and outcome events in one state (`pending`, `sent`, `failed`), oldest "
        "first, with attempts, the next try and the last error's kind. Ids, references and "
        "state only: no addresses, no personal data."
    ),
    dependencies=[Depends(require("read-deliveries"))],
)
async def list_deliveries(
    runtime: RuntimeDep,
    status: Annotated[Literal["pending", "sent", "failed"], Query()] = "failed",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    async with runtime.unit_of_work() as uow:
        return await handlers.deliveries(uow, status=status, limit=limit)
