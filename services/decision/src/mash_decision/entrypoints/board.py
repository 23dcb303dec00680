"""The board's HTTP routes: the queues either side of the one ready for decision (`/v1/queue`).

Casework staff only (`read-queues`). References and timings only, no personal data.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from mash_common.auth import require
from mash_common.http import RuntimeDep

from ..service_layer import board

router = APIRouter(prefix="/v1/board", tags=["board"])

ITEM = (
    "Each item: `contact_id`, `reference`, `rating`, `status`, `deadline` (the RAG deadline), "
    "`respond_by` (every agency's time), `time_left_seconds` (until the deadline, negative "
    "once passed), `overdue_seconds`, `breaches` and `breached_at` (triage's breach, once "
    "recorded), and `agencies`: for each agency asked, `answered`, `respond_by` (its own "
    "deadline: triage's per-agency deadline, or the gateway's as stated when it escalated), "
    "`time_left_seconds` (null once answered), `answered_at`, `late` and `escalated_at`."
)


@router.get(
    "/awaiting-agencies",
    summary="Contacts waiting for agencies to answer",
    description=(
        "Every rated contact with information requests out whose picture is not yet ready for "
        "decision: red, then amber, then green, and within a rating the least time left "
        "first. `{waiting, items}`. " + ITEM
    ),
    dependencies=[Depends(require("read-queues"))],
)
async def awaiting_agencies(runtime: RuntimeDep) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        return await board.awaiting_agencies(uow, now=runtime.clock())


@router.get(
    "/breached",
    summary="Contacts past their RAG deadline without a decision",
    description=(
        "Every contact not yet decided whose RAG deadline has passed (by the service's clock, "
        "so before triage's breach event arrives too), the most overdue first. "
        "`{waiting, items}`. " + ITEM
    ),
    dependencies=[Depends(require("read-queues"))],
)
async def breached(runtime: RuntimeDep) -> dict[str, Any]:
    async with runtime.unit_of_work() as uow:
        return await board.breached(uow, now=runtime.clock())
