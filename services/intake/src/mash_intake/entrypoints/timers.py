"""The written-form reminder: the runtime calls `tick` every `timer_interval_s` with its clock."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from mash_common.logging import get_logger
from mash_common.outbox import UnitOfWork
from mash_common.runtime import ServiceRuntime

from ..config import IntakeSettings
from ..service_layer import handlers

log = get_logger("mash.intake.reminders")


async def tick(runtime: ServiceRuntime, now: datetime) -> None:
    """Fire each overdue reminder in a transaction of its own (one failing holds back none)."""
    limit = cast(IntakeSettings, runtime.settings).reminders_per_tick
    async with runtime.db.transaction() as session:
        due = await handlers.due_reminders(UnitOfWork(session, runtime.source), now, limit)
    for family_group_id in due:
        try:
            async with runtime.unit_of_work() as uow:
                contact_id = await handlers.fire_reminder(uow, family_group_id, now=now)
        except Exception as exc:
            log.warning("reminder.fire_failed", error=type(exc).__name__, reason=str(exc)[:200])
            continue
        if contact_id is not None:
            log.info("reminder.fired", contact_id=contact_id)
