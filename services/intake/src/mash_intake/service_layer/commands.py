"""The Multi Agency Referral Form as a command, with the checks a caseworker would trust.

Every message here is what a referrer reads on a 422: it names the field in plain words.
(Issue 3 deepens the form; the walking skeleton takes its core.)
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from mash_schemas.codes import CIN_FACTORS, CONTACT_SOURCES, Channel, ContactType, ReferrerKind


class Referrer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ReferrerKind = Field(description="professional, public or anonymous")
    name: str | None = Field(None, max_length=200)
    role: str | None = Field(None, max_length=200)
    agency: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = Field(None, max_length=40)

    @model_validator(mode="after")
    def _who(self) -> Referrer:
        if self.kind == "professional" and not (self.name and self.agency):
            raise ValueError("a professional referrer must give their name and agency")
        if self.kind == "anonymous" and (self.name or self.email or self.phone):
            raise ValueError("an anonymous referral cannot carry the referrer's name or contact")
        return self


class Child(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    date_of_birth: date | None = None
    expected_due_date: date | None = Field(None, description="For an unborn child")
    gender: Literal["female", "male", "other", "unknown"] = "unknown"
    nhs_number: str | None = Field(None, description="10 digits", pattern=r"^\d{10}$")
    address: str | None = Field(None, max_length=500)
    postcode: str | None = Field(None, max_length=10)
    school: str | None = Field(None, max_length=200)
    gp: str | None = Field(None, max_length=200)

    @field_validator("date_of_birth")
    @classmethod
    def _dob_not_future(cls, v: date | None) -> date | None:
        if v is not None and v > datetime.now(UTC).date():
            raise ValueError("the date of birth cannot be in the future")
        return v

    @model_validator(mode="after")
    def _identifiable(self) -> Child:
        if not (self.nhs_number or self.first_name or self.last_name):
            raise ValueError("give at least the child's name or NHS number so we can find them")
        if self.date_of_birth is None and self.expected_due_date is None:
            raise ValueError("give the child's date of birth, or the due date for an unborn child")
        return self


class Concern(BaseModel):
    model_config = ConfigDict(extra="forbid")

    summary: str = Field(min_length=10, max_length=20_000, description="What happened")
    happened_on: date | None = None
    factors: list[str] = Field(default_factory=list, description="CIN factor codes")
    immediate_risk: bool = False
    referrer_level_of_need: int | None = Field(None, ge=1, le=5)

    @field_validator("factors")
    @classmethod
    def _known_factors(cls, v: list[str]) -> list[str]:
        unknown = [f for f in v if f not in CIN_FACTORS]
        if unknown:
            raise ValueError(f"unknown concern factor code(s): {', '.join(unknown)}")
        return v


class SubmitContact(BaseModel):
    """POST /v1/contacts: one contact about one or more children."""

    model_config = ConfigDict(extra="forbid")

    contact_type: ContactType = "concern"
    contact_source: str = Field(description="CIN contact source code, 1A to 10")
    channel: Channel = "web"
    referrer: Referrer
    parents_aware: bool
    parents_not_aware_reason: str | None = Field(None, max_length=2000)
    consent_given: bool | None = None
    consent_not_sought_reason: str | None = Field(None, max_length=2000)
    children: list[Child] = Field(min_length=1, max_length=20)
    concern: Concern

    @field_validator("contact_source")
    @classmethod
    def _source(cls, v: str) -> str:
        if v not in CONTACT_SOURCES:
            raise ValueError("contact source must be a CIN code from 1A to 10")
        return v

    @model_validator(mode="after")
    def _reasons(self) -> SubmitContact:
        if not self.parents_aware and not self.parents_not_aware_reason:
            raise ValueError("say why the parents or carers do not know about this contact")
        if not self.consent_given and not self.consent_not_sought_reason:
            raise ValueError("say why information is shared without consent")
        return self
