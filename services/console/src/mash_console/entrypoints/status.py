"""The journey and each service's status (any signed-in person), and the console's probes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse

from ..adapters.upstream import ServiceStatus
from ..journey import STAGES
from .web import StoreDep, TemplatesDep, UpstreamsDep, Viewer, page, render

router = APIRouter()


def journey_context(statuses: list[ServiceStatus]) -> dict[str, Any]:
    by_service = {s.service: s for s in statuses}
    return {
        "stages": [(stage, by_service[stage.service]) for stage in STAGES],
        "checked_at": datetime.now(UTC).strftime("%H:%M:%S UTC"),
        "all_up": all(s.state == "up" for s in statuses),
    }


@router.get("/status", response_class=HTMLResponse, summary="The journey and each service's status")
async def status_page(
    request: Request, upstreams: UpstreamsDep, viewer: Annotated[Viewer, Depends(page(None))]
) -> HTMLResponse:
    context = journey_context(await upstreams.check_all())
    return render(request, "status.html", viewer, **context)


@router.get("/healthz", tags=["operations"], summary="The process is alive")
async def healthz() -> dict[str, str]:
    return {"status": "ok", "service": "console"}


@router.get(
    "/readyz",
    tags=["operations"],
    summary="The console can sign people in and render its pages",
    description="Ready when its database answers and its templates render; the other "
    "services' readiness is reported in `upstreams` but does not make the console unready.",
)
async def readyz(
    request: Request, upstreams: UpstreamsDep, templates: TemplatesDep, store: StoreDep
) -> JSONResponse:
    statuses = await upstreams.check_all()
    problem = None
    if not await store.db.ping():
        problem = "its database does not answer"
    else:
        try:
            templates.get_template("status.html").render(
                {"request": request, "navigation": [], "current_path": "/status",
                 **journey_context(statuses)}
            )
        except Exception as exc:  # a broken template is exactly what this probe is for
            problem = f"cannot render the status page: {type(exc).__name__}"
    body = {
        "ready": problem is None,
        "service": "console",
        "problem": problem,
        "upstreams": {s.service: s.public() for s in statuses},
    }
    return JSONResponse(body, status_code=200 if problem is None else 503)
