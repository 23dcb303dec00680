"""Intake's HTTP API: thin; each route hands a command to a handler inside one unit of work."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Response

from mash_common.http import RuntimeDep
from mash_common.identity import CallerDep

from ..service_layer import handlers
from ..service_layer.commands import SubmitContact

router = APIRouter(prefix="/v1", tags=["contacts"])


@router.post(
    "/contacts",
    status_code=202,
    summary="Submit a contact (the Multi Agency Referral Form)",
    description=(
        "Accepts a contact about one or more children. Each child becomes its own record, "
        "linked as a family group. Answers 202 with the first contact id, its human "
        "reference, every child's record, and a status token the referrer keeps secret. "
        "Send an `Idempotency-Key` header to make a retry return the same contact."
    ),
)
async def submit_contact(
    body: SubmitContact,
    runtime: RuntimeDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        accepted = await handlers.submit_contact(
            uow, runtime.sealer, body, now=runtime.clock(), idempotency_key=idempotency_key
        )
    response.headers["Location"] = f"/v1/contacts/{accepted.contacts[0]['contact_id']}"
    if accepted.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return accepted.response()


@router.get("/contacts/{contact_id}", summary="Read a contact (audited)")
async def read_contact(contact_id: str, runtime: RuntimeDep, caller: CallerDep) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        found = await handlers.read_contact(
            uow, runtime.sealer, contact_id, user=caller.user, role=caller.role,
            now=runtime.clock(),
        )
    if found is None:
        raise HTTPException(404, f"no contact {contact_id}")
    return found


@router.get(
    "/contact-status/{reference}",
    summary="For the referrer: was my contact received?",
    description="Needs the reference and the status token; never shows the contact's details.",
)
async def contact_status(
    reference: str, runtime: RuntimeDep, x_status_token: Annotated[str, Header()]
) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        status = await handlers.contact_status(uow, reference, x_status_token)
    if status is None:
        raise HTTPException(404, "no contact with that reference and token")
    return status
