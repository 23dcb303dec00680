"""The FastAPI side of a service: app factory, health, readiness, metrics, and serving."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

import uvicorn
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest

from .logging import configure_logging, get_logger
from .runtime import ServiceRuntime
from .settings import ServiceSettings

log = get_logger("mash.http")


def get_runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[ServiceRuntime, Depends(get_runtime)]


def _metrics(runtime: ServiceRuntime) -> Callable[[], Any]:
    registry = CollectorRegistry()
    labels = ["service"]
    gauges = {
        name: Gauge(f"mash_{name}", help_text, labels, registry=registry)
        for name, help_text in {
            "events_applied": "Events applied by the consumer since start",
            "events_duplicate": "Redelivered events ignored through the inbox",
            "events_dead_lettered": "Messages sent to the dead-letter topic",
            "events_published": "Outbox rows published by the relay since start",
            "outbox_pending": "Outbox rows not yet published",
            "ready": "1 when the service is ready",
        }.items()
    }

    async def render() -> bytes:
        s = await runtime.status()
        svc = runtime.settings.service
        gauges["events_applied"].labels(svc).set(s["applied"])
        gauges["events_duplicate"].labels(svc).set(s["duplicates_ignored"])
        gauges["events_dead_lettered"].labels(svc).set(s["dead_lettered"])
        gauges["events_published"].labels(svc).set(s["published"])
        gauges["outbox_pending"].labels(svc).set(s["outbox_pending"] or 0)
        gauges["ready"].labels(svc).set(1 if s["ready"] else 0)
        return generate_latest(registry)

    return render


def create_app(
    runtime: ServiceRuntime,
    *,
    title: str,
    description: str,
    routers: list[APIRouter],
) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title=title, description=description, version="1.0.0", lifespan=lifespan)
    app.state.runtime = runtime
    render_metrics = _metrics(runtime)

    @app.get("/healthz", tags=["operations"], summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": runtime.settings.service}

    @app.get("/readyz", tags=["operations"], summary="Database, broker and consumer are up")
    async def readyz() -> JSONResponse:
        status = await runtime.status()
        return JSONResponse(status, status_code=200 if status["ready"] else 503)

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics")
    async def metrics() -> PlainTextResponse:
        return PlainTextResponse(await render_metrics(), media_type=CONTENT_TYPE_LATEST)

    for router in routers:
        app.include_router(router)
    return app


def serve(settings: ServiceSettings, app_factory: Callable[[ServiceSettings], FastAPI]) -> None:
    """Run one service until SIGINT/SIGTERM (uvicorn handles both and runs the lifespan)."""
    configure_logging(settings.service, settings.log_level)
    app = app_factory(settings)
    config = uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.port,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=5,
    )
    asyncio.run(uvicorn.Server(config).serve())
