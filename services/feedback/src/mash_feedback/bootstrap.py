"""Feedback's composition root: the one place its parts are wired together."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI

from mash_common.crypto import Sealer
from mash_common.http import create_app
from mash_common.runtime import Clock, ServiceRuntime, Timer, Wiring
from mash_schemas.envelope import utcnow

from .adapters.email import EmailSender, SmtpSender
from .config import FeedbackSettings
from .domain.feedback import RetryPolicy
from .entrypoints.api import router
from .entrypoints.consumers import TOPICS, subscriptions
from .entrypoints.timers import email_timer

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def smtp_sender(settings: FeedbackSettings) -> EmailSender | None:
    if not settings.smtp_host:
        return None
    return SmtpSender(
        settings.smtp_host,
        settings.smtp_port,
        sender=settings.smtp_from,
        starttls=settings.smtp_starttls,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        timeout_s=settings.smtp_timeout_s,
    )


def build_runtime(
    settings: FeedbackSettings, clock: Clock = utcnow, sender: EmailSender | None = None
) -> ServiceRuntime:
    sealer = Sealer(settings.data_key.get_secret_value())
    sender = sender or smtp_sender(settings)
    timers: list[Timer] = []
    if sender is not None:
        policy = RetryPolicy(
            first=timedelta(seconds=settings.email_retry_first_s),
            longest=timedelta(seconds=settings.email_retry_longest_s),
            max_attempts=settings.email_max_attempts,
        )
        timers.append(email_timer(sender, policy, timedelta(seconds=settings.email_lease_s)))
    wiring = Wiring(
        migrations_dir=MIGRATIONS,
        handlers=subscriptions(sealer, clock, email=sender is not None),
        topics=TOPICS,
        timers=timers,
    )
    return ServiceRuntime(settings, wiring, clock=clock, sealer=sealer)


def build_app(settings: FeedbackSettings | None = None, clock: Clock = utcnow) -> FastAPI:
    settings = settings or FeedbackSettings()
    return create_app(
        build_runtime(settings, clock),
        title="MASH feedback",
        description=(
            "The outcome for the referrer (emailed, with retries) and the summary for the "
            "receiving team (on the handover topic), recorded once for every decision."
        ),
        routers=[router],
    )
