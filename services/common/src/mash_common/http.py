"""The FastAPI side of a service: app factory, health, readiness, metrics, and serving."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

import uvicorn
from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest
from pydantic import ValidationError
from sqlalchemy import func, select

from mash_schemas.events import DeadLetter
from mash_schemas.topics import dead_letters

from .auth import require
from .db import Database, outbox_table
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


def _original_type(original: str) -> str | None:
    """The event type named in a dead letter's original bytes, when they are JSON that names
    one. The bytes themselves are never returned: they may hold personal data."""
    try:
        raw = json.loads(base64.b64decode(original, validate=True))
    except (binascii.Error, ValueError):
        return None
    kind = raw.get("type") if isinstance(raw, dict) else None
    return kind[:200] if isinstance(kind, str) else None


def _dead_letter_view(row: Any) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": row.event_id,
        "published": row.published_at is not None,
        "published_at": row.published_at,
    }
    try:
        envelope = json.loads(row.value)
        letter = DeadLetter.model_validate(envelope["data"])
    except (ValueError, KeyError, TypeError, ValidationError):
        # Written by this service's own consumer, so this should not happen; say so, not 500.
        return {**view, "dead_lettered_at": row.created_at, "reason": "unreadable dead letter",
                "errors": [], "source_topic": None, "source_partition": None,
                "source_offset": None, "event_type": None, "contact_id": None}
    subject = envelope.get("subject")
    return {
        **view,
        "dead_lettered_at": letter.dead_lettered_at,
        "reason": letter.reason,
        "errors": letter.errors,
        "source_topic": letter.source_topic,
        "source_partition": letter.source_partition,
        "source_offset": letter.source_offset,
        "event_type": _original_type(letter.original),
        # The subject of a message that decoded (a contact id); None when it did not.
        "contact_id": subject if isinstance(subject, str) and subject != "unknown" else None,
    }


async def list_dead_letters(db: Database, service: str, limit: int) -> dict[str, Any]:
    """This service's dead letters, newest first, from its outbox (where the consumer writes
    them before the relay publishes them on mash.dlq.<service>)."""
    topic = dead_letters(service)
    t = outbox_table.c
    async with db.sessions() as session:
        total = (await session.execute(
            select(func.count()).select_from(outbox_table).where(t.topic == topic)
        )).scalar_one()
        rows = (await session.execute(
            select(t.event_id, t.value, t.created_at, t.published_at)
            .where(t.topic == topic)
            .order_by(t.seq.desc())
            .limit(limit)
        )).all()
    return {"service": service, "topic": topic, "total": int(total),
            "items": [_dead_letter_view(r) for r in rows]}


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

    @app.get(
        "/v1/dead-letters",
        tags=["operations"],
        summary="This service's dead letters, newest first",
        description=(
            "Each message this service's consumer could not decode or apply: when, why (the "
            "reason and each field error), where it came from (topic, partition, offset), its "
            "event type when the message named one, and whether the dead letter has been "
            f"published on `{dead_letters(runtime.settings.service)}`. Never the original "
            "message, which may hold personal data: read it from the dead-letter topic."
        ),
        dependencies=[Depends(require("read-dead-letters"))],
    )
    async def dead_letters_route(
        limit: Annotated[int, Query(ge=1, le=1000, description="How many to show")] = 100,
    ) -> dict[str, Any]:
        return await list_dead_letters(runtime.db, runtime.settings.service, limit)

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
