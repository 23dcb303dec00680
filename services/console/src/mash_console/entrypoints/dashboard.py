"""The dashboard: every queue, with RAG colour and time left, refreshed without reloading."""

from __future__ import annotations

import asyncio
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from ..adapters.upstream import Api, UpstreamError
from .web import Viewer, page, render

router = APIRouter(tags=["queues"])

# (key, heading, what it holds, service, path): the order of the journey.
QUEUES: tuple[tuple[str, str, str, str, str], ...] = (
    ("screening", "To screen", "Contacts awaiting the decision maker's threshold decision.",
     "triage", "/v1/screening"),
    ("rating", "To rate", "In the MASH, awaiting the manager's RAG rating.",
     "triage", "/v1/rating-queue"),
    ("awaiting", "Awaiting agencies", "Information requested; each agency's time left.",
     "decision", "/v1/board/awaiting-agencies"),
    ("ready", "Ready for decision", "Every agency has answered or its time is up.",
     "decision", "/v1/queue"),
    ("breached", "Breached", "Past the RAG timescale without a decision.",
     "decision", "/v1/board/breached"),
)


async def _load(api: Api, service: str, path: str) -> dict[str, Any]:
    try:
        body = await api.get(service, path)
    except UpstreamError as exc:
        return {"error": exc.message, "items": [], "waiting": None}
    if isinstance(body, list):
        return {"items": body, "waiting": len(body)}
    items = body.get("items", body.get("queue", []))
    return {"items": items, "waiting": body.get("waiting", len(items))}


async def load_queues(api: Api) -> list[dict[str, Any]]:
    loaded = await asyncio.gather(*(_load(api, svc, path) for _, _, _, svc, path in QUEUES))
    return [
        {"key": key, "heading": heading, "hint": hint, **found}
        for (key, heading, hint, _, _), found in zip(QUEUES, loaded, strict=True)
    ]


@router.get("/", response_class=HTMLResponse, summary="The queues")
async def dashboard(
    request: Request, viewer: Annotated[Viewer, Depends(page("read-queues"))]
) -> HTMLResponse:
    # After screening or rating, the page the person lands on says it was recorded.
    ref = request.query_params.get("ref", "")
    return render(request, "dashboard.html", viewer, queues=await load_queues(viewer.api),
                  done=request.query_params.get("done"),
                  done_ref=ref if re.fullmatch(r"MASH-\d{4}-\d{6}", ref) else None)


@router.get("/queues", response_class=HTMLResponse, summary="The queues, as a page fragment")
async def queues_fragment(
    request: Request, viewer: Annotated[Viewer, Depends(page("read-queues"))]
) -> HTMLResponse:
    return render(request, "_queues.html", viewer, queues=await load_queues(viewer.api))
