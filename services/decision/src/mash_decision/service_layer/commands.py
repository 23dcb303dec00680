"""What the manager asks of the decision service, with the checks a manager would trust.

Every message here is what the manager reads on a 422: it names the field in plain words.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from mash_schemas.codes import Agency, DecisionOutcome

from ..domain.decisions import (
    needs_receiving_team,
    signpost_problem,
    strategy_discussion_problem,
)


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
    strategy_discussion_agencies: list[Agency] | None = Field(
        None, validate_default=True,
        description="social_care_s47 only, required: the agencies that took part in the "
        "strategy discussion (at least childrens-social-care, police and health)",
    )
    strategy_discussion_at: datetime | None = Field(
        None, description="social_care_s47 only: when the strategy discussion was held"
    )
    signpost_service: str | None = Field(
        None, max_length=200, validate_default=True,
        description="signpost only, required: the service the family is pointed to",
    )

    @field_validator("receiving_team")
    @classmethod
    def _receiving_team(cls, v: str | None, info: ValidationInfo) -> str | None:
        outcome = info.data.get("outcome")
        if outcome and needs_receiving_team(outcome) and not (v and v.strip()):
            raise ValueError(f"name the receiving team for a {outcome} outcome")
        return v

    @field_validator("strategy_discussion_agencies")
    @classmethod
    def _strategy_discussion(cls, v: list[Agency] | None, info: ValidationInfo
                             ) -> list[Agency] | None:
        outcome = info.data.get("outcome")
        if outcome:
            problem = strategy_discussion_problem(outcome, [str(a) for a in v or []])
            if problem:
                raise ValueError(problem)
        return sorted(set(v), key=str) if v else None

    @field_validator("signpost_service")
    @classmethod
    def _signpost(cls, v: str | None, info: ValidationInfo) -> str | None:
        outcome = info.data.get("outcome")
        if outcome:
            problem = signpost_problem(outcome, v)
            if problem:
                raise ValueError(problem)
        return v.strip() if v else None
