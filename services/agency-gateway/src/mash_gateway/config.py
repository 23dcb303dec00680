from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from mash_common.settings import ServiceSettings
from mash_schemas.codes import AGENCIES

from .domain.chasers import ChaserPolicy
from .domain.profiles import AGENCY_EXTRA_FIELDS, DEFAULT_FIELDS, NeedToKnowProfiles
from .entrypoints.credentials import AgencyCredentials, dev_token


class AgencyConfig(BaseModel):
    """One agency the hub consults. Adding an agency is one of these (plus its topics)."""

    model_config = ConfigDict(extra="forbid")

    need_to_know: list[str] = Field(
        default_factory=list,
        description="Fields sent to this agency on top of need_to_know_default (dotted paths)",
    )
    deadline_fraction: float = Field(
        1.0, gt=0, le=1,
        description="The agency's own deadline, as a fraction of the time from the request to "
        "the contact's respond_by (1: the same deadline)",
    )
    reminder_fraction: float | None = Field(
        None, gt=0, lt=1,
        description="When to remind the agency, as a fraction of its time to answer (default: "
        "chaser_reminder_fraction)",
    )


def default_agencies() -> dict[str, AgencyConfig]:
    return {a: AgencyConfig(need_to_know=list(AGENCY_EXTRA_FIELDS.get(a, ()))) for a in AGENCIES}


class GatewaySettings(ServiceSettings):
    """MASH_AGENCY_GATEWAY_<FIELD> (or MASH_<FIELD>); lists and maps are JSON, e.g.
    MASH_AGENCY_GATEWAY_AGENCIES='{"police": {"need_to_know": ["child.address"]}}'."""

    service: ClassVar[str] = "agency-gateway"
    default_port: ClassVar[int] = 8003

    agencies: dict[str, AgencyConfig] = Field(
        default_factory=default_agencies,
        description="Agencies the hub consults, each with its need-to-know fields and chasers; "
        "each has requests, responses and rejections topics. A JSON list of names is taken as "
        "those agencies with their default profiles.",
    )
    need_to_know_default: list[str] = Field(
        default_factory=lambda: list(DEFAULT_FIELDS),
        description="Fields every agency is sent (dotted paths into the need-to-know record)",
    )
    chaser_reminder_fraction: float = Field(
        0.75, gt=0, lt=1,
        description="Remind an agency once this fraction of its time to answer has gone",
    )
    chasers_per_tick: int = Field(200, ge=1)
    agency_credentials: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="Bearer token per agency for the HTTP route, as 'sha256:<hex>' (the hash of "
        "the token, recommended) or the token itself. Outside production an agency without "
        "one accepts its development token 'dev-<agency>-token'.",
    )

    @field_validator("agencies", mode="before")
    @classmethod
    def _names_take_default_profiles(cls, v: Any) -> Any:
        if isinstance(v, list | tuple):
            defaults = default_agencies()
            return {a: defaults.get(a, AgencyConfig()) for a in v}
        return v

    @model_validator(mode="after")
    def _credentials_and_profiles(self) -> "GatewaySettings":
        unknown = sorted(set(self.agency_credentials) - set(self.agencies))
        if unknown:
            raise ValueError(f"credentials for unknown agency: {', '.join(unknown)}")
        if self.env == "production":
            missing = sorted(set(self.agencies) - set(self.agency_credentials))
            if missing:
                raise ValueError(f"set agency_credentials for {', '.join(missing)} in production")
            weak = sorted(
                a for a, token in self.agency_credentials.items()
                if AgencyCredentials.is_dev_default(a, token.get_secret_value())
            )
            if weak:
                raise ValueError(
                    f"agency_credentials for {', '.join(weak)} are development tokens; set real "
                    "ones in production"
                )
        return self

    def profiles(self) -> NeedToKnowProfiles:
        return NeedToKnowProfiles(
            default=tuple(self.need_to_know_default),
            extra={a: tuple(c.need_to_know) for a, c in self.agencies.items()},
        )

    def chaser_policy(self) -> ChaserPolicy:
        return ChaserPolicy(
            reminder_fraction=self.chaser_reminder_fraction,
            agency_reminder_fraction={
                a: c.reminder_fraction for a, c in self.agencies.items()
                if c.reminder_fraction is not None
            },
            agency_deadline_fraction={a: c.deadline_fraction for a, c in self.agencies.items()},
        )

    def credentials(self) -> AgencyCredentials:
        tokens = {a: t.get_secret_value() for a, t in self.agency_credentials.items()}
        if self.env != "production":
            tokens = {a: tokens.get(a, dev_token(a)) for a in self.agencies}
        return AgencyCredentials(tokens)

    def public(self) -> dict[str, Any]:
        return self.model_dump(exclude={"data_key", "agency_credentials"}, mode="json")
