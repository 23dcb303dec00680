"""The agency gateway's composition root: the one place its parts are wired together."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from mash_common.crypto import Sealer
from mash_common.http import create_app
from mash_common.runtime import Clock, ServiceRuntime, Wiring
from mash_schemas.envelope import utcnow

from .config import GatewaySettings
from .entrypoints import consumers, timers
from .entrypoints.api import router

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def build_runtime(settings: GatewaySettings, clock: Clock = utcnow) -> ServiceRuntime:
    sealer = Sealer(settings.data_key.get_secret_value())
    agencies = list(settings.agencies)
    wiring = Wiring(
        migrations_dir=MIGRATIONS,
        handlers=consumers.subscriptions(
            sealer, settings.profiles(), agencies, clock, settings.chaser_policy()
        ),
        topics=consumers.topics(agencies),
        timers=[timers.tick],
        rejection_hook=consumers.rejection_hook(agencies, clock),
    )
    return ServiceRuntime(settings, wiring, clock=clock, sealer=sealer)


def build_app(settings: GatewaySettings | None = None, clock: Clock = utcnow) -> FastAPI:
    settings = settings or GatewaySettings()
    app = create_app(
        build_runtime(settings, clock),
        title="MASH agency gateway",
        description=(
            "Information requests to agencies (need to know only), their answers over Kafka "
            "or HTTP, and each agency's time left."
        ),
        routers=[router],
    )
    app.state.agency_credentials = settings.credentials()
    return app
