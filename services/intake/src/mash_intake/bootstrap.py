"""Intake's composition root: the one place its parts are wired together."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from mash_common.http import create_app
from mash_common.runtime import Clock, ServiceRuntime, Wiring
from mash_schemas.envelope import utcnow

from .config import IntakeSettings
from .entrypoints.api import router

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def build_runtime(settings: IntakeSettings, clock: Clock = utcnow) -> ServiceRuntime:
    # Intake consumes nothing yet: contacts arrive over HTTP (agency systems over Kafka: issue 3).
    return ServiceRuntime(settings, Wiring(migrations_dir=MIGRATIONS), clock=clock)


def build_app(settings: IntakeSettings | None = None) -> FastAPI:
    settings = settings or IntakeSettings()
    return create_app(
        build_runtime(settings),
        title="MASH intake",
        description="Contacts and the Multi Agency Referral Form.",
        routers=[router],
    )
