from typing import ClassVar

from pydantic import Field

from mash_common.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    """Environment: MASH_INTAKE_<FIELD>, e.g. MASH_INTAKE_WRITTEN_FORM_HOURS=48."""

    service: ClassVar[str] = "intake"
    default_port: ClassVar[int] = 8001

    # A phone contact is followed by a written form, commonly within 24-48 hours (DOMAIN.md).
    written_form_hours: float = Field(24.0, gt=0)
    # "Third contact in 12 months": how far back repeat contacts are counted.
    repeat_window_days: int = Field(365, ge=1)
    # At most this many earlier contacts are compared with each child (blocking keeps it small).
    max_match_candidates: int = Field(500, ge=1)
    reminders_per_tick: int = Field(200, ge=1)
