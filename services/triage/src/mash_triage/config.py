from typing import ClassVar

from pydantic import Field, field_validator, model_validator

from mash_common.settings import ServiceSettings
from mash_schemas.codes import AGENCIES

RATINGS = ("red", "amber", "green")


class TriageSettings(ServiceSettings):
    """Local practice is configuration (DOMAIN.md): levels, timescales, agencies to consult.

    Environment: MASH_TRIAGE_<FIELD>, dicts as JSON, e.g.
    MASH_TRIAGE_RAG_TIMESCALE_HOURS='{"red": 4, "amber": 24, "green": 72}'.
    """

    service: ClassVar[str] = "triage"
    default_port: ClassVar[int] = 8002

    levels_of_need: int = Field(4, ge=1, description="How many levels the local document has")
    # Wall-clock hours for now (Surrey Police's MASH grading); working hours come in issue 4.
    rag_timescale_hours: dict[str, float] = Field(
        default_factory=lambda: {"red": 4.0, "amber": 24.0, "green": 72.0}
    )
    deadline_warning_fraction: float = Field(0.75, gt=0, lt=1)
    # Agencies consulted by default, by level of need; a level without an entry takes the
    # highest configured level below it.
    default_agencies: dict[int, list[str]] = Field(
        default_factory=lambda: {
            1: ["health", "education"],
            2: ["health", "education", "childrens-social-care"],
            3: ["police", "health", "education", "childrens-social-care"],
        }
    )
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

    @field_validator("default_agencies")
    @classmethod
    def _known_agencies(cls, v: dict[int, list[str]]) -> dict[int, list[str]]:
        unknown = sorted({a for agencies in v.values() for a in agencies} - set(AGENCIES))
        if unknown:
            raise ValueError(f"unknown agencies {unknown}; known: {list(AGENCIES)}")
        if any(not agencies for agencies in v.values()):
            raise ValueError("each level of need must consult at least one agency")
        return v

    @model_validator(mode="after")
    def _every_level_has_agencies(self) -> "TriageSettings":
        if 1 not in self.default_agencies:
            raise ValueError("default_agencies needs an entry for level 1 (levels above it "
                             "inherit from the level below)")
        return self
