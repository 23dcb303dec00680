"""The email clock: runs every few seconds in the worker and reads what is due from the
database, so a retry that fell due while the service was down goes out once it is back."""

from __future__ import annotations

from datetime import datetime, timedelta

from mash_common.runtime import ServiceRuntime, Timer

from ..adapters.email import EmailSender
from ..domain.feedback import RetryPolicy
from ..service_layer import handlers


def email_timer(sender: EmailSender, policy: RetryPolicy, lease: timedelta) -> Timer:
    async def deliver_due_emails(runtime: ServiceRuntime, now: datetime) -> None:
        await handlers.deliver_due_emails(runtime, sender, policy, lease, now=now)

    return deliver_due_emails
