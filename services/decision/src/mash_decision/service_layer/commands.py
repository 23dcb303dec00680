"""What the manager asks of the decision service, with the checks a manager would trust.

Every message here is what the manager reads on a 422: it names the field in plain words.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from mash_schemas.codes import DecisionOutcome

from ..domain.decisions import needs_receiving_team


class MakeDecision(BaseModel):
    """POST /v1/contacts/{contact_id}/decision: what happens next for the child."""

    model_config = ConfigDict(extra="forbid")

    outcome: DecisionOutcome = Field(
        description="social_care_s17, social_care_s47, early_help, signpost, nfa or advice"
    )
    level_of_need: int = Field(ge=1, description="On the local levels-of-need scale")
    rationale: str = Field(min_length=10, max_length=20_000, description="Why, for the record")
    receiving_team: str | None = Field(
        None, min_length=1, max_length=200, validate_default=True,
        description="The team that takes the case: required for social care and early help",
    )
    supersedes: str | None = Field(
        None, max_length=64, description="The decision this one replaces, when changing one"
    )

    @field_validator("receiving_team")
    @classmethod
    def _receiving_team(cls, v: str | None, info: ValidationInfo) -> str | None:
        outcome = info.data.get("outcome")
        if outcome and needs_receiving_team(outcome) and not (v and v.strip()):
            raise ValueError(f"name the receiving team for a {outcome} outcome")
        return v
