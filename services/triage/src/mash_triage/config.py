from datetime import date, time
from typing import ClassVar
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator, model_validator

from mash_common.settings import ServiceSettings
from mash_schemas.codes import AGENCIES, CIN_FACTORS

RATINGS = ("red", "amber", "green")


class TriageSettings(ServiceSettings):
    """Local practice is configuration (DOMAIN.md): levels, timescales, agencies to consult.

    Environment: MASH_TRIAGE_<FIELD>, dicts as JSON, e.g.
    MASH_TRIAGE_RAG_TIMESCALE_HOURS='{"red": 4, "amber": 24, "green": 72}'.
    """

    service: ClassVar[str] = "triage"
    default_port: ClassVar[int] = 8002

    levels_of_need: int = Field(4, ge=1, description="How many levels the local document has")
    # The names staff see beside each level; a level without a name is shown as its number.
    level_names: dict[int, str] = Field(
        default_factory=lambda: {
            1: "universal",
            2: "early help / additional needs",
            3: "targeted / complex",
            4: "specialist / acute (statutory)",
        }
    )
    # MASH working hours (Surrey Police's MASH grading), counted in working time except for
    # the ratings worked around the clock.
    rag_timescale_hours: dict[str, float] = Field(
        default_factory=lambda: {"red": 4.0, "amber": 24.0, "green": 72.0}
    )
    around_the_clock: list[str] = Field(
        default_factory=lambda: ["red"],
        description="Ratings worked to completion outside working hours: every hour counts",
    )
    deadline_warning_fraction: float = Field(0.75, gt=0, lt=1)
    timezone: str = "Europe/London"
    working_day_opens: time = time(9, 0)
    working_day_closes: time = time(17, 0)
    working_days: list[int] = Field(
        default_factory=lambda: [1, 2, 3, 4, 5], description="ISO weekdays, 1 = Monday"
    )
    bank_holidays: bool = Field(True, description="England and Wales bank holidays are closed")
    closed_days: list[date] = Field(
        default_factory=list, description="Local closures besides the bank holidays"
    )
    # Agencies consulted by default, by level of need; a level without an entry takes the
    # highest configured level below it.
    default_agencies: dict[int, list[str]] = Field(
        default_factory=lambda: {
            1: ["health", "education"],
            2: ["health", "education", "childrens-social-care"],
            3: ["police", "health", "education", "childrens-social-care"],
        }
    )
    # Agencies added by concern: CIN factor code -> agencies, on top of the level's.
    agencies_by_concern: dict[str, list[str]] = Field(
        default_factory=lambda: {
            **{code: ["police"] for code in ("3A", "3B", "3C", "11A", "12A", "18C", "19C",
                                             "22A")},
            **{code: ["health"] for code in ("1B", "2B", "4B", "6A")},
            "4A": ["camhs"],
            "15A": ["camhs", "health"],
            "10A": ["police"],
            "13A": ["police", "youth-offending"],
            "24A": ["police", "youth-offending"],
            "14A": ["youth-offending"],
            "1A": ["health"],
            "2A": ["health", "youth-offending"],
        }
    )
    # Each agency's deadline: this share of the MASH time left between the request and the
    # RAG deadline (per-agency overrides in agency_response_shares).
    agency_response_share: float = Field(0.75, gt=0, le=1)
    agency_response_shares: dict[str, float] = Field(default_factory=dict)
    queue_page_size: int = Field(100, ge=1, le=1000)
    deadlines_per_tick: int = Field(200, ge=1)

    @field_validator("rag_timescale_hours")
    @classmethod
    def _every_rating(cls, v: dict[str, float]) -> dict[str, float]:
        missing = [r for r in RATINGS if r not in v]
        unknown = [r for r in v if r not in RATINGS]
        if missing or unknown:
            raise ValueError(f"give hours for exactly red, amber and green (missing {missing}, "
                             f"unknown {unknown})")
        if any(h <= 0 for h in v.values()):
            raise ValueError("every RAG timescale must be positive")
        return v

    @field_validator("default_agencies", "agencies_by_concern")
    @classmethod
    def _known_agencies(cls, v: dict[int, list[str]]) -> dict[int, list[str]]:
        unknown = sorted({a for agencies in v.values() for a in agencies} - set(AGENCIES))
        if unknown:
            raise ValueError(f"unknown agencies {unknown}; known: {list(AGENCIES)}")
        if any(not agencies for agencies in v.values()):
            raise ValueError("each entry must consult at least one agency")
        return v

    @field_validator("agencies_by_concern")
    @classmethod
    def _known_concerns(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = sorted(set(v) - set(CIN_FACTORS))
        if unknown:
            raise ValueError(f"unknown CIN factor codes {unknown}")
        return v

    @field_validator("agency_response_shares")
    @classmethod
    def _shares(cls, v: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(v) - set(AGENCIES))
        if unknown:
            raise ValueError(f"unknown agencies {unknown}; known: {list(AGENCIES)}")
        if any(not 0 < share <= 1 for share in v.values()):
            raise ValueError("an agency's share of the time must lie in (0, 1]")
        return v

    @field_validator("around_the_clock")
    @classmethod
    def _ratings(cls, v: list[str]) -> list[str]:
        unknown = [r for r in v if r not in RATINGS]
        if unknown:
            raise ValueError(f"unknown ratings {unknown}; choose from {list(RATINGS)}")
        return v

    @field_validator("working_days")
    @classmethod
    def _weekdays(cls, v: list[int]) -> list[int]:
        if not v or any(not 1 <= d <= 7 for d in v):
            raise ValueError("working days are ISO weekdays 1 (Monday) to 7 (Sunday)")
        return v

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (KeyError, ValueError):
            raise ValueError(f"unknown time zone {v!r}") from None
        return v

    @model_validator(mode="after")
    def _consistent(self) -> "TriageSettings":
        if 1 not in self.default_agencies:
            raise ValueError("default_agencies needs an entry for level 1 (levels above it "
                             "inherit from the level below)")
        if self.working_day_opens >= self.working_day_closes:
            raise ValueError("working_day_opens must come before working_day_closes")
        beyond = sorted(lvl for lvl in self.level_names if not 1 <= lvl <= self.levels_of_need)
        if beyond and "level_names" in self.model_fields_set:  # the defaults simply go unused
            raise ValueError(f"level_names names levels {beyond} outside 1.."
                             f"{self.levels_of_need}")
        return self
