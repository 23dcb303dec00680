"""Triage's HTTP API: thin; each route hands a command to a handler inside one unit of work.

Refusals by the rules of triage come back as 409 (the contact is not in a state where that can
happen) or 422 (a local rule, e.g. the level of need), each with a message staff can act on.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from mash_common.auth import Caller, require
from mash_common.http import RuntimeDep

from ..config import TriageSettings
from ..domain.triage import IllegalTransition, InvalidDecision
from ..service_layer import handlers, queries
from ..service_layer.commands import RateContact, RecordThresholdDecision
from ..service_layer.handlers import TriageRules, UnknownContact

router = APIRouter(prefix="/v1", tags=["triage"])


def get_rules(request: Request) -> TriageRules:
    rules: TriageRules = request.app.state.rules
    return rules


RulesDep = Annotated[TriageRules, Depends(get_rules)]
Limit = Annotated[int | None, Query(ge=1, le=1000, description="How many to show")]
Screener = Annotated[Caller, Depends(require("screen"))]
Rater = Annotated[Caller, Depends(require("rate"))]
Reader = Annotated[Caller, Depends(require("read-triage"))]


@contextmanager
def _refusals() -> Iterator[None]:
    try:
        yield
    except UnknownContact as exc:
        raise HTTPException(404, str(exc)) from None
    except IllegalTransition as exc:
        raise HTTPException(409, str(exc)) from None
    except InvalidDecision as exc:
        loc = ["body", exc.field] if exc.field else ["body"]
        raise HTTPException(422, [{"loc": loc, "msg": str(exc), "type": "value_error"}]) from None


def _page(runtime: RuntimeDep, limit: int | None) -> int:
    return limit or cast(TriageSettings, runtime.settings).queue_page_size


@router.get(
    "/screening",
    summary="Contacts awaiting a threshold decision",
    description="Immediate risk first, then the oldest first. `waiting` counts them all.",
    dependencies=[Depends(require("read-queues"))],
)
async def screening(runtime: RuntimeDep, rules: RulesDep, limit: Limit = None) -> dict[str, Any]:
    # A read that publishes nothing: a plain session, no unit of work to wake the relay.
    async with runtime.db.sessions() as session:
        return await queries.screening_queue(
            session, runtime.sealer, limit=_page(runtime, limit), rules=rules
        )


@router.get(
    "/rating-queue",
    summary="Contacts in the MASH awaiting a RAG rating",
    description="Immediate risk first, then the oldest first. `waiting` counts them all.",
    dependencies=[Depends(require("read-queues"))],
)
async def rating_queue(
    runtime: RuntimeDep, rules: RulesDep, limit: Limit = None
) -> dict[str, Any]:
    async with runtime.db.sessions() as session:
        return await queries.rating_queue(
            session, runtime.sealer, limit=_page(runtime, limit), rules=rules
        )


@router.get(
    "/timeliness",
    summary="The one-working-day expectation, measured",
    description="Working Together 2023: a decision about the response within one working day "
    "of the referral. Counts of contacts decided within it and late, the working hours taken, "
    "and the contacts still waiting past it. `since` / `until` limit it to the contacts received "
    "in that period.",
    dependencies=[Depends(require("read-timeliness"))],
)
async def timeliness(
    runtime: RuntimeDep, rules: RulesDep, since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, Any]:
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise HTTPException(422, [{"loc": ["query", name], "type": "value_error",
                                       "msg": f"{name} needs a time zone, e.g. "
                                       "2026-03-02T00:00:00Z"}])
    async with runtime.db.sessions() as session:
        return await queries.timeliness(session, rules, now=runtime.clock(), since=since,
                                        until=until)


@router.get(
    "/contacts/{contact_id}",
    summary="A contact's triage record and history (audited)",
    description="The child and the concern, the threshold decision, every RAG rating with its "
    "rationale and who made it, the clock, and the MASH's decision. Each read is recorded "
    "on mash.audit.",
)
async def read_contact(
    contact_id: str, runtime: RuntimeDep, rules: RulesDep, caller: Reader
) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        found = await queries.read_contact(
            uow, runtime.sealer, contact_id, reader=caller,
            now=runtime.clock(), rules=rules,
        )
    if found is None:
        raise HTTPException(404, f"no contact {contact_id} in triage")
    return found


@router.post(
    "/contacts/{contact_id}/threshold-decision",
    summary="Record the decision maker's threshold decision",
    description="Made once per contact, with a rationale. Outcome `mash` puts the contact "
    "into information sharing (the rating queue); any other outcome closes it in triage. "
    "409 if it was already decided.",
)
async def threshold_decision(
    contact_id: str,
    body: RecordThresholdDecision,
    runtime: RuntimeDep,
    rules: RulesDep,
    caller: Screener,
) -> dict[str, Any]:
    with _refusals():
        async with runtime.unit_of_work() as uow:
            return await handlers.record_threshold_decision(
                uow, runtime.sealer, rules, contact_id, body, user=caller.user,
                role=caller.role, now=runtime.clock(),
            )


@router.post(
    "/contacts/{contact_id}/rag-rating",
    summary="Rate (or re-rate) a contact's urgency",
    description="Only for contacts the decision maker put into the MASH, until the MASH "
    "decides. The deadline runs from when the contact was received. The first rating also "
    "asks the agencies for information (by default those for the level of need); a "
    "re-rating must change the rating and moves the deadline, and with it each agency's "
    "deadline (`agency_respond_by`; `uk.mash.information.deadlines.changed.v1`).",
)
async def rag_rating(
    contact_id: str,
    body: RateContact,
    runtime: RuntimeDep,
    rules: RulesDep,
    caller: Rater,
) -> dict[str, Any]:
    with _refusals():
        async with runtime.unit_of_work() as uow:
            return await handlers.rate_contact(
                uow, runtime.sealer, rules, contact_id, body, user=caller.user,
                role=caller.role, now=runtime.clock(),
            )
