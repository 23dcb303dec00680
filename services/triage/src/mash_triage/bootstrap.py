"""Triage's composition root: the one place its parts are wired together."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from fastapi import FastAPI

from mash_common.crypto import Sealer
from mash_common.http import create_app
from mash_common.runtime import Clock, ServiceRuntime, Wiring
from mash_schemas.envelope import utcnow
from mash_schemas.events import ContactLinkDecided, ContactLinked, ContactReceived, DecisionMade
from mash_schemas.topics import CONTACTS, DECISIONS

from .adapters.bank_holidays import ClosedDays
from .config import TriageSettings
from .domain.clock import ClockPolicy, WorkingHours
from .entrypoints import timers
from .entrypoints.api import router
from .entrypoints.settings import router as settings_router
from .service_layer import handlers
from .service_layer.handlers import TriageRules

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def rules_from(settings: TriageSettings) -> TriageRules:
    working_hours = WorkingHours(
        zone=settings.timezone,
        opens=settings.working_day_opens,
        closes=settings.working_day_closes,
        weekdays=frozenset(settings.working_days),
        closed=ClosedDays(bank_holidays=settings.bank_holidays, extra=settings.closed_days),
    )
    return TriageRules(
        levels_of_need=settings.levels_of_need,
        level_names={lvl: name for lvl, name in settings.level_names.items()
                     if lvl <= settings.levels_of_need},
        clock=ClockPolicy(
            timescale_hours=settings.rag_timescale_hours,
            warning_fraction=settings.deadline_warning_fraction,
            calendar=working_hours,
            around_the_clock=frozenset(settings.around_the_clock),
        ),
        working_hours=working_hours,
        default_agencies=settings.default_agencies,
        agencies_by_concern=settings.agencies_by_concern,
        agency_response_share=settings.agency_response_share,
        agency_response_shares=settings.agency_response_shares,
    )


def build_runtime(settings: TriageSettings, clock: Clock = utcnow) -> ServiceRuntime:
    # One sealer for the consumer handlers and the API (handed to the runtime below).
    sealer = Sealer(settings.data_key.get_secret_value())
    rules = rules_from(settings)
    wiring = Wiring(
        migrations_dir=MIGRATIONS,
        handlers={
            ContactReceived.event_type: partial(handlers.contact_received, sealer=sealer,
                                                rules=rules),
            DecisionMade.event_type: handlers.decision_made,
            ContactLinked.event_type: handlers.contact_linked,
            ContactLinkDecided.event_type: handlers.contact_link_decided,
        },
        topics=[CONTACTS, DECISIONS],
        timers=[timers.tick],
    )
    return ServiceRuntime(settings, wiring, clock=clock, sealer=sealer)


def build_app(settings: TriageSettings | None = None, *, clock: Clock = utcnow) -> FastAPI:
    settings = settings or TriageSettings()
    app = create_app(
        build_runtime(settings, clock),
        title="MASH triage",
        description="Screening, the threshold decision, the RAG rating and the clock it starts.",
        routers=[router, settings_router],
    )
    app.state.rules = rules_from(settings)
    return app
