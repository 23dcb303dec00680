"""Decision's composition root: the one place its parts are wired together."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from mash_common.http import create_app
from mash_common.runtime import Clock, Lane, ServiceRuntime, Wiring
from mash_schemas.envelope import utcnow

from .config import DecisionSettings
from .entrypoints.api import router
from .entrypoints.audit import router as audit_router
from .entrypoints.board import router as board_router
from .entrypoints.consumers import (
    AUDIT_TOPICS,
    PICTURE_TOPICS,
    audit_subscriptions,
    subscriptions,
)
from .entrypoints.timers import complete_overdue_pictures

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def build_runtime(settings: DecisionSettings, clock: Clock = utcnow) -> ServiceRuntime:
    wiring = Wiring(
        migrations_dir=MIGRATIONS,
        handlers=subscriptions(clock),
        topics=PICTURE_TOPICS,
        # The audit log reads mash.audit on a consumer of its own (group mash.decision.audit).
        lanes=[Lane("audit", AUDIT_TOPICS, audit_subscriptions())],
        timers=[complete_overdue_pictures],
    )
    return ServiceRuntime(settings, wiring, clock=clock)


def build_app(settings: DecisionSettings | None = None, clock: Clock = utcnow) -> FastAPI:
    settings = settings or DecisionSettings()
    return create_app(
        build_runtime(settings, clock),
        title="MASH decision",
        description=(
            "The picture of each contact folded from its events, the queue of pictures ready "
            "for decision, the manager's decision, and the audit log of every read of a "
            "child's record (auditors only)."
        ),
        routers=[router, audit_router, board_router],
    )
