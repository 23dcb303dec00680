"""Feedback's composition root: the one place its parts are wired together."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from mash_common.crypto import Sealer
from mash_common.http import create_app
from mash_common.runtime import Clock, ServiceRuntime, Wiring
from mash_schemas.envelope import utcnow

from .config import FeedbackSettings
from .entrypoints.api import router
from .entrypoints.consumers import TOPICS, subscriptions

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def build_runtime(settings: FeedbackSettings, clock: Clock = utcnow) -> ServiceRuntime:
    sealer = Sealer(settings.data_key.get_secret_value())
    wiring = Wiring(
        migrations_dir=MIGRATIONS,
        handlers=subscriptions(sealer, clock),
        topics=TOPICS,
    )
    return ServiceRuntime(settings, wiring, clock=clock, sealer=sealer)


def build_app(settings: FeedbackSettings | None = None, clock: Clock = utcnow) -> FastAPI:
    settings = settings or FeedbackSettings()
    return create_app(
        build_runtime(settings, clock),
        title="MASH feedback",
        description=(
            "The outcome for the referrer and the summary for the receiving team, recorded "
            "once for every decision."
        ),
        routers=[router],
    )
