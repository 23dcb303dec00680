"""Feedback's HTTP API: thin; each route hands over to a handler inside one unit of work."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from mash_common.http import RuntimeDep
from mash_common.identity import CallerDep

from ..service_layer import handlers

router = APIRouter(prefix="/v1", tags=["feedback"])


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
async def read_feedback(contact_id: str, runtime: RuntimeDep, caller: CallerDep
                        ) -> dict[str, Any]:
    try:
        async with runtime.unit_of_work() as uow:
            return await handlers.read_feedback(
                uow, runtime.sealer, contact_id, user=caller.user, role=caller.role,
                now=runtime.clock(),
            )
    except handlers.NothingRecorded as nothing:
        raise HTTPException(
            404, {"message": str(nothing), "status": nothing.status}
        ) from None
