"""What the gateway is asked to do: record one agency's answer (over Kafka or HTTP)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mash_schemas.events import AttachmentRef, Practitioner, RelevantDate

# The optional parts of an answer (issue 5), travelling sealed with the summary.
DETAIL_FIELDS = (
    "involvement_summary",
    "risk_information",
    "relevant_dates",
    "responding_practitioner",
    "attachments",
)


@dataclass(frozen=True)
class RecordAnswer:
    """One agency answers one request. `contact_id` is what the answer claims it is about
    (the CloudEvent subject on Kafka; unknown over HTTP, where the path names the request)."""

    request_id: str
    agency: str
    contact_id: str | None
    known_to_agency: bool
    summary: str
    responder: str | None
    channel: Literal["kafka", "http"]
    nothing_known: bool | None = None
    # involvement summary, risk information, relevant dates, the responding practitioner and
    # attachments by reference, as JSON; only what the agency gave.
    details: Mapping[str, Any] = field(default_factory=dict)


def answer_details(answer: BaseModel) -> dict[str, Any]:
    """The optional parts an answer (AgencyResponse or AnswerBody) actually carries, as JSON."""
    dumped = answer.model_dump(mode="json", include=set(DETAIL_FIELDS))
    return {k: v for k, v in dumped.items() if v not in (None, [], "")}


class AnswerBody(BaseModel):
    """POST /v1/agencies/{agency}/requests/{request_id}/response: the same fields as
    `uk.mash.agency.response.v1`."""

    model_config = ConfigDict(extra="forbid")

    known_to_agency: bool = Field(description="Is the child (or family) known to the agency?")
    summary: str = Field(
        min_length=1, max_length=20_000, description="What the agency knows, or 'nothing known'"
    )
    responder: str | None = Field(
        None, max_length=200, description="The responding practitioner (staff identifier)"
    )
    nothing_known: bool | None = Field(
        None, description="True: the records were searched and hold nothing (then not known)"
    )
    involvement_summary: str | None = Field(None, max_length=20_000)
    risk_information: str | None = Field(None, max_length=20_000)
    relevant_dates: list[RelevantDate] = Field(default_factory=list, max_length=200)
    responding_practitioner: Practitioner | None = None
    attachments: list[AttachmentRef] = Field(default_factory=list, max_length=100)
