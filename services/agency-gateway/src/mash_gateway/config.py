from typing import ClassVar

from pydantic import Field, model_validator

from mash_common.settings import ServiceSettings
from mash_schemas.codes import AGENCIES

from .domain.profiles import AGENCY_EXTRA_FIELDS, DEFAULT_FIELDS, NeedToKnowProfiles


class GatewaySettings(ServiceSettings):
    """MASH_AGENCY_GATEWAY_<FIELD> (or MASH_<FIELD>); lists and maps are JSON, e.g.
    MASH_AGENCY_GATEWAY_NEED_TO_KNOW_EXTRA='{"police": ["child.address"]}'."""

    service: ClassVar[str] = "agency-gateway"
    default_port: ClassVar[int] = 8003

    agencies: list[str] = Field(
        default_factory=lambda: list(AGENCIES),
        description="Agencies the hub consults; each has a requests and a responses topic",
    )
    need_to_know_default: list[str] = Field(
        default_factory=lambda: list(DEFAULT_FIELDS),
        description="Fields every agency is sent (dotted paths into the need-to-know record)",
    )
    need_to_know_extra: dict[str, list[str]] = Field(
        default_factory=lambda: {a: list(f) for a, f in AGENCY_EXTRA_FIELDS.items()},
        description="Further fields per agency, on top of the default",
    )

    @model_validator(mode="after")
    def _profiles_name_known_agencies(self) -> "GatewaySettings":
        unknown = sorted(set(self.need_to_know_extra) - set(self.agencies))
        if unknown:
            raise ValueError(f"need-to-know profile for unknown agency: {', '.join(unknown)}")
        return self

    def profiles(self) -> NeedToKnowProfiles:
        return NeedToKnowProfiles(
            default=tuple(self.need_to_know_default),
            extra={a: tuple(f) for a, f in self.need_to_know_extra.items()},
        )
