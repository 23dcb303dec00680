"""The console's pages and its health endpoints. It renders; it stores nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates

from ..adapters.upstream import ServiceStatus, Upstreams
from ..journey import STAGES

router = APIRouter()

# Our pages load nothing from anywhere else (no CDN).
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def get_upstreams(request: Request) -> Upstreams:
    upstreams: Upstreams = request.app.state.upstreams
    return upstreams


def get_templates(request: Request) -> Jinja2Templates:
    templates: Jinja2Templates = request.app.state.templates
    return templates


UpstreamsDep = Annotated[Upstreams, Depends(get_upstreams)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]


def journey_context(statuses: list[ServiceStatus]) -> dict[str, Any]:
    by_service = {s.service: s for s in statuses}
    return {
        "stages": [(stage, by_service[stage.service]) for stage in STAGES],
        "checked_at": datetime.now(UTC).strftime("%H:%M:%S UTC"),
        "all_up": all(s.state == "up" for s in statuses),
    }


@router.get("/", response_class=HTMLResponse, summary="The journey and each service's status")
async def journey_page(
    request: Request, upstreams: UpstreamsDep, templates: TemplatesDep
) -> HTMLResponse:
    context = journey_context(await upstreams.check_all())
    return templates.TemplateResponse(request, "index.html", context, headers=PAGE_HEADERS)


@router.get("/healthz", tags=["operations"], summary="The process is alive")
async def healthz() -> dict[str, str]:
    return {"status": "ok", "service": "console"}


@router.get(
    "/readyz",
    tags=["operations"],
    summary="The console can render its pages",
    description="Ready when the journey page renders; the other services' readiness is "
    "reported in `upstreams` but does not make the console unready.",
)
async def readyz(
    request: Request, upstreams: UpstreamsDep, templates: TemplatesDep
) -> JSONResponse:
    statuses = await upstreams.check_all()
    try:
        templates.get_template("index.html").render(
            {"request": request, **journey_context(statuses)}
        )
        ready, problem = True, None
    except Exception as exc:  # a broken template is exactly what this probe is for
        ready, problem = False, f"cannot render the journey page: {type(exc).__name__}"
    body = {
        "ready": ready,
        "service": "console",
        "problem": problem,
        "upstreams": {s.service: s.public() for s in statuses},
    }
    return JSONResponse(body, status_code=200 if ready else 503)
