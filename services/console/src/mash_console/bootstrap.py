"""The console's composition root: the one place its parts are wired together."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from .adapters.upstream import Upstreams
from .config import ConsoleSettings
from .entrypoints.pages import router

HERE = Path(__file__).resolve().parent


def build_app(settings: ConsoleSettings | None = None) -> FastAPI:
    settings = settings or ConsoleSettings()
    upstreams = Upstreams(settings.service_urls(), timeout_s=settings.probe_timeout_s)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await upstreams.aclose()

    app = FastAPI(
        title="MASH console",
        description="The staff web UI: pages over the other services' HTTP APIs; no case data "
        "of its own.",
        version="1.0.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.upstreams = upstreams
    app.state.templates = Jinja2Templates(directory=HERE / "templates")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(router)
    return app
