"""Upcasters: small functions that lift an old event version's data to the current one.

A breaking change is published as a new type (`...v2`); readers register here how a `v1`
payload becomes a `v2` one, so every consumer sees only the current model. None exist yet; the
registry is exercised by the tests with an example.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]

# old type -> (new type, function)
UPCASTERS: dict[str, tuple[str, Upcaster]] = {}


def upcast(event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    """Apply upcasters until the type is current. The result names its type in '__type__'."""
    current, payload = event_type, dict(data)
    seen = set()
    while current in UPCASTERS and current not in seen:
        seen.add(current)
        current, fn = UPCASTERS[current][0], UPCASTERS[current][1]
        payload = fn(payload)
    payload["__type__"] = current
    return payload
