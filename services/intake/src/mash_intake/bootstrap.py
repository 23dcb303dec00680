"""Intake's composition root: the one place its parts are wired together."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from fastapi import FastAPI

from mash_common.crypto import Sealer
from mash_common.http import create_app
from mash_common.runtime import Clock, ServiceRuntime, Wiring
from mash_schemas.envelope import utcnow
from mash_schemas.events import ContactSubmitted, FeedbackSent
from mash_schemas.topics import FEEDBACK, SUBMISSIONS

from .config import IntakeSettings
from .entrypoints import timers
from .entrypoints.api import router
from .service_layer import handlers, identity
from .service_layer.handlers import IntakeRules

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def rules_from(settings: IntakeSettings) -> IntakeRules:
    return IntakeRules(
        written_form_hours=settings.written_form_hours,
        matching=identity.Policy(
            window_days=settings.repeat_window_days,
            max_candidates=settings.max_match_candidates,
        ),
    )


def build_runtime(settings: IntakeSettings, clock: Clock = utcnow) -> ServiceRuntime:
    # One sealer for the consumer handlers and the API (handed to the runtime below).
    sealer = Sealer(settings.data_key.get_secret_value())
    rules = rules_from(settings)
    wiring = Wiring(
        migrations_dir=MIGRATIONS,
        handlers={
            ContactSubmitted.event_type: partial(
                handlers.contact_submitted, sealer=sealer, rules=rules, clock=clock
            ),
            FeedbackSent.event_type: partial(handlers.feedback_sent, clock=clock),
        },
        topics=[SUBMISSIONS, FEEDBACK],
        timers=[timers.tick],
        rejection_hook=handlers.submission_rejected,
    )
    return ServiceRuntime(settings, wiring, clock=clock, sealer=sealer)


def build_app(settings: IntakeSettings | None = None, *, clock: Clock = utcnow) -> FastAPI:
    settings = settings or IntakeSettings()
    app = create_app(
        build_runtime(settings, clock),
        title="MASH intake",
        description="Contacts and the Multi Agency Referral Form: over HTTP and from agency "
        "systems over Kafka; identity and repeat contacts; phone contacts.",
        routers=[router],
    )
    app.state.rules = rules_from(settings)
    return app
