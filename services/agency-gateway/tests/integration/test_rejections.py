"""An answer the hub cannot take goes to the dead letter AND the agency is told why, on its own
rejections topic, with ids only (no personal data)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from mash_common.testing.service import produce, running, wait_until
from mash_gateway.bootstrap import build_app
from mash_schemas.events import AgencyRejection
from mash_schemas.topics import agency_responses

pytestmark = pytest.mark.integration


async def test_an_answer_to_an_unknown_request_is_dead_lettered_and_the_agency_told(
    hub: Any,
) -> None:
    app = build_app(hub.settings)
    async with running(app):
        contact_id = await hub.information_requested(["police", "health"])
        sent = await hub.requests_sent(contact_id, ["police", "health"])
        police = hub.request_of(sent["police"][0])
        health = hub.request_of(sent["health"][0])
        unknown = str(uuid.uuid4())
        unknown_id, _ = await hub.answer("police", police, request_id=unknown)
        # Health's request answered on police's topic: police are told, health hear nothing.
        misrouted_id, _ = await hub.answer("police", health)
        garbage = f"not json {uuid.uuid4()}".encode()
        await produce(hub.bootstrap, agency_responses("police"), garbage,
                      key=contact_id.encode())

        async def told() -> dict[str, AgencyRejection]:
            found = {}
            for event in await hub.rejections("police"):
                data = event.data
                assert isinstance(data, AgencyRejection)
                if data.rejected_event_id in (unknown_id, misrouted_id):
                    found[data.rejected_event_id] = data
                elif data.rejected_event_id is None and event.subject == "unknown" and (
                        data.reason.startswith("not JSON")):
                    found["garbage"] = data
            return found if len(found) == 3 else {}

        rejections = await wait_until(told, what="three rejections told to police")
        letters = await hub.dead_letters()
    assert rejections[unknown_id].reason == f"no information request {unknown}"
    assert rejections[unknown_id].request_id == unknown
    assert rejections[unknown_id].agency == "police"
    assert rejections[unknown_id].source_topic == agency_responses("police")
    assert rejections[misrouted_id].reason == (
        f"request {health.request_id} is addressed to health, not police")
    assert any(unknown_id.encode() in original for _, original in letters)
    assert not [e for e in await hub.rejections("health") if e.subject == contact_id]
    # The agency is told only ids and the reason.
    assert "Brook" not in rejections[unknown_id].model_dump_json()
