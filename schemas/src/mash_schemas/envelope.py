"""The CloudEvents 1.0 envelope, structured JSON mode.

Every Kafka message in the hub is one of these: the whole event (attributes and data) is the
message value, so any Kafka tool shows a self-describing event. The Kafka key is the contact id.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

CONTENT_TYPE = "application/cloudevents+json"
SPEC_VERSION = "1.0"


def new_event_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(UTC)


class Envelope(BaseModel):
    """A CloudEvent whose `data` is still raw JSON (decoded into a model by the codec)."""

    # Readers ignore attributes they do not know (CloudEvents extensions included).
    model_config = ConfigDict(extra="allow")

    specversion: str = Field(SPEC_VERSION, description="CloudEvents spec version, always 1.0")
    id: str = Field(default_factory=new_event_id, min_length=1, description="Unique per event")
    source: str = Field(min_length=1, description="The producing service, e.g. /mash/intake")
    type: str = Field(
        min_length=1,
        description="Reverse-DNS, versioned event type, e.g. uk.mash.contact.received.v1",
    )
    subject: str = Field(min_length=1, description="The contact id this event is about")
    time: datetime = Field(default_factory=utcnow, description="When it happened, UTC")
    datacontenttype: str = "application/json"
    traceparent: str | None = Field(None, description="W3C trace context")
    data: dict[str, Any]

    @field_validator("specversion")
    @classmethod
    def _spec(cls, v: str) -> str:
        if v != SPEC_VERSION:
            raise ValueError(f"specversion must be {SPEC_VERSION!r}, got {v!r}")
        return v

    @field_validator("datacontenttype")
    @classmethod
    def _json(cls, v: str) -> str:
        if v != "application/json":
            raise ValueError(f"datacontenttype must be application/json, got {v!r}")
        return v

    @field_validator("time")
    @classmethod
    def _utc(cls, v: datetime) -> datetime:
        if v.tzinfo is None:
            raise ValueError("time must carry a timezone (UTC)")
        return v.astimezone(UTC)
