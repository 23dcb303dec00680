"""Intake's HTTP API: thin; each route hands a command to a handler inside one unit of work."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, Request, Response
from pydantic import BaseModel, ConfigDict

from mash_common.auth import Caller, require
from mash_common.http import RuntimeDep
from mash_common.outbox import UnitOfWork

from ..service_layer import handlers, identity
from ..service_layer.commands import SubmitContact
from ..service_layer.handlers import IntakeRules, UnknownPhoneContact

router = APIRouter(prefix="/v1", tags=["contacts"])


def get_rules(request: Request) -> IntakeRules:
    rules: IntakeRules = request.app.state.rules
    return rules


RulesDep = Annotated[IntakeRules, Depends(get_rules)]
Recorder = Annotated[Caller, Depends(require("record-contact"))]
Reader = Annotated[Caller, Depends(require("read-contact"))]
LinkDecider = Annotated[Caller, Depends(require("decide-link"))]


class LinkDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["confirmed", "rejected"]


@router.post(
    "/contacts",
    status_code=202,
    summary="Submit a contact (the Multi Agency Referral Form)",
    description=(
        "Accepts a contact about one or more children. Each child becomes its own record, "
        "linked as a family group, and is matched to earlier contacts. Answers 202 with the "
        "first contact id, its human reference, every child's record, and a status token the "
        "referrer keeps secret. Send an `Idempotency-Key` header to make a retry return the "
        "same contact. Staff recording a phone call send `channel: phone` (a reminder fires "
        "if the written form has not followed in time); the written form names it in "
        "`follows_phone_contact`. Every problem is a 422 naming the field; nothing is stored."
    ),
)
async def submit_contact(
    body: SubmitContact,
    runtime: RuntimeDep,
    rules: RulesDep,
    caller: Recorder,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> dict[str, Any]:
    try:
        async with runtime.unit_of_work() as uow:
            accepted = await handlers.submit_contact(
                uow, runtime.sealer, body, now=runtime.clock(), idempotency_key=idempotency_key,
                rules=rules, recorded_by=caller.user,
            )
    except UnknownPhoneContact as exc:
        raise HTTPException(422, [{"loc": ["body", "follows_phone_contact"], "msg": str(exc),
                                   "type": "marf"}]) from None
    response.headers["Location"] = f"/v1/contacts/{accepted.contacts[0]['contact_id']}"
    if accepted.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return accepted.response()


@router.get("/contacts/{contact_id}", summary="Read a contact (audited)")
async def read_contact(contact_id: str, runtime: RuntimeDep, caller: Reader) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        found = await handlers.read_contact(
            uow, runtime.sealer, contact_id, reader=caller,
            now=runtime.clock(),
        )
    if found is None:
        raise HTTPException(404, f"no contact {contact_id}")
    return found


@router.get(
    "/contacts/{contact_id}/links",
    summary="Earlier and later contacts that may be about the same child",
    description="Candidate links with their strength (exact, likely, possible), what agreed, "
    "and whether a person confirmed or rejected them; `contacts_in_12_months` counts this "
    "contact's place among the child's contacts. Ids and references only.",
    dependencies=[Depends(require("read-contact"))],
)
async def contact_links(contact_id: str, runtime: RuntimeDep, rules: RulesDep) -> dict[str, Any]:
    async with runtime.db.transaction() as session:
        uow = UnitOfWork(session, runtime.source)
        row = await handlers.contact_row(uow, contact_id)
        if row is None:
            raise HTTPException(404, f"no contact {contact_id}")
        return {
            "contact_id": contact_id,
            "contacts_in_12_months": await identity.count_in_window(
                uow, contact_id, row.received_at, rules.matching.window_days),
            "links": await identity.links_of(uow, contact_id),
        }


@router.post(
    "/links/{link_id}/decision",
    summary="Confirm or reject that two contacts are about the same child",
    description="Matching never merges records: a person decides, once, and the decision is "
    "published (`uk.mash.contact.link.decided.v1`). 409 if it was already decided.",
)
async def decide_link(
    link_id: str, body: LinkDecision, runtime: RuntimeDep, rules: RulesDep, caller: LinkDecider
) -> dict[str, Any]:
    try:
        async with runtime.unit_of_work() as uow:
            return await identity.decide_link(
                uow, rules.matching, link_id, body.decision, user=caller.user,
                now=runtime.clock(),
            )
    except identity.UnknownLink as exc:
        raise HTTPException(404, str(exc)) from None
    except identity.AlreadyDecided as exc:
        raise HTTPException(409, str(exc)) from None


@router.get(
    "/contact-status/{reference}",
    summary="For the referrer: was my contact received? Is an outcome ready?",
    description="Needs the reference and the status token. Says `received` (and when) and "
    "`outcome_ready` (and `outcome_ready_at`, once the outcome was recorded for the referrer); "
    "never the contact's details nor what the outcome is.",
)
async def contact_status(
    reference: str, runtime: RuntimeDep, x_status_token: Annotated[str, Header()]
) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        status = await handlers.contact_status(uow, reference, x_status_token)
    if status is None:
        raise HTTPException(404, "no contact with that reference and token")
    return status
