"""The agency gateway's composition root: the one place its parts are wired together."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from mash_common.crypto import Sealer
from mash_common.http import create_app
from mash_common.runtime import Clock, ServiceRuntime, Wiring
from mash_schemas.envelope import utcnow

from .config import GatewaySettings
from .entrypoints import consumers
from .entrypoints.api import router

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def build_runtime(settings: GatewaySettings, clock: Clock = utcnow) -> ServiceRuntime:
    sealer = Sealer(settings.data_key.get_secret_value())
    wiring = Wiring(
        migrations_dir=MIGRATIONS,
        handlers=consumers.subscriptions(sealer, settings.profiles(), settings.agencies, clock),
        topics=consumers.topics(settings.agencies),
    )
    return ServiceRuntime(settings, wiring, clock=clock, sealer=sealer)


def build_app(settings: GatewaySettings | None = None, clock: Clock = utcnow) -> FastAPI:
    settings = settings or GatewaySettings()
    return create_app(
        build_runtime(settings, clock),
        title="MASH agency gateway",
        description=(
            "Information requests to agencies (need to know only), their answers over Kafka "
            "or HTTP, and each agency's time left."
        ),
        routers=[router],
    )
