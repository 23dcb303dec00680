"""Bytes <-> CloudEvent envelope <-> event model, with errors that say what is wrong."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from mash_schemas.envelope import CONTENT_TYPE, Envelope, new_event_id, utcnow
from mash_schemas.events import EVENT_TYPES, EventData
from mash_schemas.upcasters import upcast


class DecodeError(ValueError):
    """The message is not a valid hub event. `errors` lists each problem in words."""

    def __init__(self, reason: str, errors: list[str] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.errors = errors or []


@dataclass(frozen=True)
class Decoded:
    envelope: Envelope
    data: EventData
    topic: str | None = None  # set by the consumer: where the message came from

    @property
    def event_id(self) -> str:
        return self.envelope.id

    @property
    def type(self) -> str:
        return self.envelope.type

    @property
    def subject(self) -> str:
        return self.envelope.subject


def _pydantic_errors(exc: ValidationError, prefix: str = "") -> list[str]:
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        out.append(f"{prefix}{loc}: {err['msg']}" if loc else f"{prefix}{err['msg']}")
    return out


def encode(
    data: EventData,
    *,
    source: str,
    subject: str,
    event_id: str | None = None,
    time: datetime | None = None,
    traceparent: str | None = None,
) -> tuple[str, bytes]:
    """Returns (event id, message value)."""
    env = Envelope(
        id=event_id or new_event_id(),
        source=source,
        type=data.event_type,
        subject=subject,
        time=time or utcnow(),
        traceparent=traceparent,
        data=data.model_dump(mode="json"),
    )
    return env.id, env.model_dump_json(exclude_none=True).encode()


def decode_envelope(value: bytes | None) -> Envelope:
    if value is None:
        raise DecodeError("empty message (a tombstone is not an event)")
    try:
        raw: Any = json.loads(value)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DecodeError(f"not JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise DecodeError("not a CloudEvent: the message is JSON but not an object")
    try:
        return Envelope.model_validate(raw)
    except ValidationError as exc:
        raise DecodeError(
            "not a valid CloudEvent envelope", _pydantic_errors(exc, "envelope.")
        ) from None


def decode(value: bytes | None) -> Decoded:
    env = decode_envelope(value)
    data_raw = upcast(env.type, env.data)
    event_type = data_raw.pop("__type__", env.type)
    model = EVENT_TYPES.get(event_type)
    if model is None:
        raise DecodeError(f"unknown event type {env.type!r}")
    try:
        data = model.model_validate(data_raw)
    except ValidationError as exc:
        raise DecodeError(
            f"data does not match {event_type}", _pydantic_errors(exc, "data.")
        ) from None
    return Decoded(env, data)


__all__ = ["CONTENT_TYPE", "DecodeError", "Decoded", "decode", "decode_envelope", "encode"]
