"""What the decision maker and the MASH manager ask triage to do.

Every message here is what a member of staff reads on a 422: it names the field in plain words.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from mash_schemas.codes import AGENCIES, RagRating, ThresholdOutcome


def _rationale(v: str) -> str:
    if not v.strip():
        raise ValueError("a rationale is required: say why, in words the next reader can follow")
    return v.strip()


Rationale = Annotated[str, Field(max_length=20_000), AfterValidator(_rationale)]


class Consent(BaseModel):
    """The consent decision: sharing rests on consent, or on another lawful basis with the
    reason consent is overridden (DfE "Information sharing", May 2024)."""

    model_config = ConfigDict(extra="forbid")

    lawful_basis: Literal["public_task", "legal_obligation", "vital_interests", "consent"]
    override_reason: str | None = Field(
        None, max_length=20_000,
        description="Required unless the basis is consent: why information is shared without it",
    )


class RecordThresholdDecision(BaseModel):
    """POST /v1/contacts/{id}/threshold-decision: the decision maker screens the contact."""

    model_config = ConfigDict(extra="forbid")

    outcome: ThresholdOutcome = Field(
        description="mash (into information sharing), social_care, early_help, signpost, "
        "advice or nfa"
    )
    level_of_need: int = Field(ge=1, description="The level in the local Levels of Need")
    rationale: Rationale = Field(description="Why; required")
    consent: Consent | None = Field(None, description="The consent decision for sharing")
    social_care_response: Literal["strategy_discussion", "section_47", "section_17"] | None = (
        Field(None, description="With outcome social_care: what it starts (immediate risk: "
              "strategy_discussion or section_47)")
    )


class RateContact(BaseModel):
    """POST /v1/contacts/{id}/rag-rating: the MASH manager rates (or re-rates) the urgency."""

    model_config = ConfigDict(extra="forbid")

    rating: RagRating
    rationale: Rationale = Field(description="Why this urgency; required")
    agencies: list[str] | None = Field(
        None,
        min_length=1,
        description="Agencies to consult (first rating only); default: by level of need",
    )

    @field_validator("agencies")
    @classmethod
    def _known_agencies(cls, v: list[str] | None) -> list[str] | None:
        if v is None:
            return v
        unknown = [a for a in v if a not in AGENCIES]
        if unknown:
            raise ValueError(
                f"unknown agency {', '.join(unknown)}; choose from {', '.join(AGENCIES)}"
            )
        return v
