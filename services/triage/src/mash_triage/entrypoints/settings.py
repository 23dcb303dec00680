"""The local practice triage applies, as staff need to see it: `GET /v1/settings`.

The Levels of Need, the RAG timescales, MASH working hours and the agencies consulted are each
council's own (TriageSettings); the console words its screening and rating forms from this
answer instead of guessing. Nothing secret or about the infrastructure is in it (no keys, no
database, no broker, no paging or timer tuning).
"""

from __future__ import annotations

from datetime import date, time
from typing import cast

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from mash_common.auth import require
from mash_common.http import RuntimeDep
from mash_schemas.codes import RagRating

from ..config import RATINGS, TriageSettings
from ..domain.triage import agencies_for

router = APIRouter(prefix="/v1", tags=["triage"])



class LevelOfNeed(BaseModel):
    level: int = Field(description="1 the lowest, in order up to `levels_of_need`.")
    name: str | None = Field(
        description="The local document's name for the level; null when it gives none "
                    "(staff then see the number only)."
    )
    default_agencies: list[str] = Field(
        description="The agencies asked for information by default at this level (a level "
                    "without its own entry takes the highest configured level below it); the "
                    "concern types add their own, and the manager may change the set."
    )


class RatingTimescale(BaseModel):
    rating: RagRating
    hours: float = Field(description="The deadline, this many hours after the contact was "
                                     "received.")
    around_the_clock: bool = Field(
        description="true: every hour counts, day and night; false: only MASH working hours "
                    "(`working_hours`) count."
    )


class WorkingHours(BaseModel):
    timezone: str = Field(description="The MASH's own time zone (IANA name).")
    opens: time = Field(description="Local time the working day starts.")
    closes: time = Field(description="Local time the working day ends.")
    days: list[int] = Field(description="Working weekdays, ISO: 1 = Monday ... 7 = Sunday.")
    bank_holidays_closed: bool = Field(
        description="England and Wales bank holidays are not working days."
    )
    closed_days: list[date] = Field(description="Local closures besides the bank holidays.")


class AgencyDeadlines(BaseModel):
    share: float = Field(
        description="Each agency answers within this share of the MASH time left between the "
                    "request and the RAG deadline; the hub keeps the rest."
    )
    by_agency: dict[str, float] = Field(description="Agencies with a share of their own.")


class LocalPractice(BaseModel):
    levels_of_need: list[LevelOfNeed] = Field(description="Every level, lowest first.")
    ratings: list[RatingTimescale] = Field(description="Red, amber and green, in that order.")
    deadline_warning_fraction: float = Field(
        description="A deadline is warned of once this share of its time has passed."
    )
    working_hours: WorkingHours
    agencies_by_concern: dict[str, list[str]] = Field(
        description="CIN factor code -> agencies added to the level's defaults when the "
                    "contact names that concern."
    )
    agency_deadlines: AgencyDeadlines


def local_practice(settings: TriageSettings) -> LocalPractice:
    return LocalPractice(
        levels_of_need=[
            LevelOfNeed(level=level, name=settings.level_names.get(level),
                        default_agencies=agencies_for(level, settings.default_agencies))
            for level in range(1, settings.levels_of_need + 1)
        ],
        ratings=[
            RatingTimescale(rating=rating, hours=settings.rag_timescale_hours[rating],
                            around_the_clock=rating in settings.around_the_clock)
            for rating in RATINGS
        ],
        deadline_warning_fraction=settings.deadline_warning_fraction,
        working_hours=WorkingHours(
            timezone=settings.timezone,
            opens=settings.working_day_opens,
            closes=settings.working_day_closes,
            days=sorted(settings.working_days),
            bank_holidays_closed=settings.bank_holidays,
            closed_days=sorted(settings.closed_days),
        ),
        agencies_by_concern=dict(settings.agencies_by_concern),
        agency_deadlines=AgencyDeadlines(share=settings.agency_response_share,
                                         by_agency=dict(settings.agency_response_shares)),
    )


@router.get(
    "/settings",
    summary="The local practice triage applies",
    description="The local Levels of Need (number and name, lowest first, each with the "
    "agencies asked by default), each RAG rating's timescale in hours and whether it counts "
    "every hour or only MASH working hours, the working hours and closures, the agencies the "
    "concern types add, and the agencies' share of the time. Each council sets these "
    "(MASH_TRIAGE_*); the console shows them on the screening and rating forms.",
    response_model=LocalPractice,
    # The capability of a contact's triage record: the decision maker and the MASH manager,
    # who screen and rate against these settings, and auditors, who check the work by them.
    dependencies=[Depends(require("read-triage"))],
)
async def local_practice_route(runtime: RuntimeDep) -> LocalPractice:
    return local_practice(cast(TriageSettings, runtime.settings))
