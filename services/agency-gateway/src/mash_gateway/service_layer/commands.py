"""What the gateway is asked to do: record one agency's answer (over Kafka or HTTP)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


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


class AnswerBody(BaseModel):
    """POST /v1/agencies/{agency}/requests/{request_id}/response."""

    model_config = ConfigDict(extra="forbid")

    known_to_agency: bool = Field(description="Is the child (or family) known to the agency?")
    summary: str = Field(
        min_length=1, max_length=20_000, description="What the agency knows, or 'nothing known'"
    )
    responder: str | None = Field(
        None, max_length=200, description="The responding practitioner (staff identifier)"
    )
