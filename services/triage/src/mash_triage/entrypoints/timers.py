"""The clock's timer: the runtime calls `tick` every `timer_interval_s` with its clock's now."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from mash_common.logging import get_logger
from mash_common.runtime import ServiceRuntime

from ..config import TriageSettings
from ..service_layer import clock

log = get_logger("mash.triage.clock")


async def tick(runtime: ServiceRuntime, now: datetime) -> None:
    """Fire every deadline that has come, each in a transaction of its own, so one that fails
    neither holds back the others nor undoes the ones already fired."""
    limit = cast(TriageSettings, runtime.settings).deadlines_per_tick
    async with runtime.db.transaction() as session:
        due = await clock.due_deadlines(session, now, limit)
    for deadline_id in due:
        try:
            async with runtime.unit_of_work() as uow:
                contact_id = await clock.fire(uow, deadline_id, now=now)
        except Exception as exc:
            log.warning("deadline.fire_failed", error=type(exc).__name__, reason=str(exc)[:200])
            continue
        if contact_id is not None:
            log.info("deadline.fired", contact_id=contact_id)
