"""The deadline clock: runs every few seconds in the worker, reads its state from the database,
so a deadline that passed while the service was down fires as soon as it is back."""

from __future__ import annotations

from datetime import datetime

from mash_common.logging import get_logger
from mash_common.runtime import ServiceRuntime

from ..service_layer import handlers

log = get_logger("mash.decision.timers")


async def complete_overdue_pictures(runtime: ServiceRuntime, now: datetime) -> None:
    async with runtime.db.sessions() as session:
        due = await handlers.contacts_due(session, now=now)
    for contact_id in due:
        # One transaction per contact: one failure does not hold back the others.
        async with runtime.unit_of_work() as uow:
            completed = await handlers.complete_if_ready(uow, contact_id, now=now)
        if completed:
            log.info("picture.completed", contact_id=contact_id, reason="deadline_passed")
