"""The chasers' timer: the runtime calls `tick` every `timer_interval_s` with its clock's now."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from mash_common.logging import get_logger
from mash_common.runtime import ServiceRuntime

from ..config import GatewaySettings
from ..service_layer import handlers

log = get_logger("mash.gateway.chasers")


async def tick(runtime: ServiceRuntime, now: datetime) -> None:
    """Fire every chaser that has come, each in a transaction of its own, so one that fails
    neither holds back the others nor undoes the ones already fired."""
    limit = cast(GatewaySettings, runtime.settings).chasers_per_tick
    async with runtime.unit_of_work() as uow:
        due = await handlers.due_chasers(uow, now, limit)
    for request_id, kind in due:
        try:
            async with runtime.unit_of_work() as uow:
                fired = await handlers.fire_chaser(uow, request_id, kind, now=now)
        except Exception as exc:
            log.warning("chaser.fire_failed", error=type(exc).__name__, reason=str(exc)[:200])
            continue
        if fired is not None:
            log.info(f"chaser.{kind.value}", request_id=request_id, agency=fired.agency,
                     contact_id=fired.contact_id)
