"""The console's composition root: the one place its parts are wired together."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader

from mash_common.auth import TokenSigner
from mash_common.crypto import Sealer
from mash_common.db import Database

from .adapters.store import StaffStore
from .adapters.upstream import Upstreams
from .config import ConsoleSettings
from .domain import formatting
from .entrypoints import (
    agency_pages,
    contact_pages,
    contacts,
    dashboard,
    oversight,
    sign_in,
    status,
    triage_pages,
)
from .entrypoints.web import (
    NotAllowed,
    SignInRequired,
    not_allowed_handler,
    sign_in_required_handler,
)

HERE = Path(__file__).resolve().parent
MIGRATIONS = HERE.parents[1] / "migrations"

# Every page router, in one place. A page's role is declared where the page is.
ROUTERS = (sign_in.router, dashboard.router, contacts.router, triage_pages.router,
           status.router, agency_pages.router, oversight.router, contact_pages.router)


def build_templates() -> Jinja2Templates:
    templates = Jinja2Templates(
        env=Environment(
            loader=ChoiceLoader([
                FileSystemLoader(HERE / "templates"),
                PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
            ]),
            autoescape=True,
        )
    )
    templates.env.filters.update(
        time_left=formatting.time_left,
        time_left_until=formatting.time_left_until,
        agency_name=formatting.agency_name,
        when=formatting.when,
    )
    return templates


def build_store(settings: ConsoleSettings) -> StaffStore:
    return StaffStore(Database(settings.db_url), Sealer(settings.data_key.get_secret_value()))


def build_app(
    settings: ConsoleSettings | None = None, *, transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    """`transport` replaces the network to the services (unit tests pass a fake of them)."""
    settings = settings or ConsoleSettings()
    store = build_store(settings)
    upstreams = Upstreams(
        settings.service_urls(),
        timeout_s=settings.probe_timeout_s,
        api_timeout_s=settings.api_timeout_s,
        signer=TokenSigner(settings.token_private_key.get_secret_value()),
        transport=transport,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await store.db.migrate(MIGRATIONS)
        try:
            yield
        finally:
            await upstreams.aclose()
            await store.db.dispose()

    app = FastAPI(
        title="MASH console",
        description="The staff web UI: pages over the other services' HTTP APIs; no case data "
        "of its own (only staff accounts, sessions and sealed form drafts).",
        version="1.0.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.upstreams = upstreams
    app.state.templates = build_templates()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_exception_handler(SignInRequired, sign_in_required_handler)
    app.add_exception_handler(NotAllowed, not_allowed_handler)
    for router in ROUTERS:
        app.include_router(router)
    return app
