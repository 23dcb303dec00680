"""The shared runtime against the real broker and both databases, through a tiny echo service.

The echo service answers each agency response on `mash.agency.police.responses` with an
`InformationProvided`; a response whose summary says "reject" is refused (dead letter).
"""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from mash_common.auth import Role
from mash_common.broker import EmbeddedBroker
from mash_common.codec import Decoded, DecodeError, decode, encode
from mash_common.consumer import Rejected
from mash_common.crypto import contact_kid
from mash_common.http import create_app
from mash_common.kafka import ensure_topics
from mash_common.outbox import UnitOfWork
from mash_common.runtime import Lane, ServiceRuntime, Wiring
from mash_common.settings import ServiceSettings
from mash_common.testing.auth import staff_headers
from mash_common.testing.service import produce, read_topic, settings_for, wait_until
from mash_schemas.envelope import utcnow
from mash_schemas.events import AgencyResponse, InformationProvided
from mash_schemas.topics import INFORMATION, agency_responses, dead_letters

pytestmark = pytest.mark.integration

MIGRATIONS = Path(__file__).parent / "echo_migrations"
RESPONSES = agency_responses("police")


class EchoSettings(ServiceSettings):
    service: ClassVar[str] = "echo"


async def answer(uow: UnitOfWork, event: Decoded) -> None:
    data = event.data
    assert isinstance(data, AgencyResponse)
    if data.summary == "reject":
        raise Rejected("the echo service refuses this one", ["summary: reject"])
    sealer_kid = contact_kid(event.subject)
    await uow.publish(
        InformationProvided(
            contact_id=event.subject, request_id=data.request_id, agency="police",
            known_to_agency=data.known_to_agency, received_at=utcnow(), late=False,
            summary={"alg": "A256GCM", "kid": sealer_kid, "iv": "x", "ct": "y"},  # type: ignore[arg-type]
        ),
        subject=event.subject,
    )


def wiring() -> Wiring:
    return Wiring(
        migrations_dir=MIGRATIONS,
        handlers={AgencyResponse.event_type: answer},
        topics=[RESPONSES],
    )


@pytest.fixture
async def echo(kafka_bootstrap: str, database_url: str) -> AsyncIterator[ServiceRuntime]:
    await ensure_topics(kafka_bootstrap)
    runtime = ServiceRuntime(
        settings_for(
            EchoSettings, bootstrap=kafka_bootstrap, db_url=database_url,
            consumer_group_id=f"echo-{uuid.uuid4()}",
        ),
        wiring(),
    )
    await runtime.start()
    yield runtime
    await runtime.stop()


def response(request_id: str, summary: str = "nothing known") -> tuple[str, bytes]:
    return encode(
        AgencyResponse(request_id=request_id, known_to_agency=False, summary=summary),
        source="/agency/police", subject=f"contact-{request_id}",
    )


async def provided_for(bootstrap: str, request_id: str) -> list[InformationProvided]:
    out = []
    for m in await read_topic(bootstrap, INFORMATION, timeout_ms=300):
        try:  # other suites put deliberately malformed messages on the shared broker
            d = decode(m.value).data
        except DecodeError:
            continue
        if isinstance(d, InformationProvided) and d.request_id == request_id:
            out.append(d)
    return out


async def test_a_redelivered_event_is_applied_once(echo: ServiceRuntime) -> None:
    bootstrap = echo.settings.kafka_bootstrap
    rid = f"r-{uuid.uuid4()}"
    _, value = response(rid)
    await produce(bootstrap, RESPONSES, value, key=b"k")
    await produce(bootstrap, RESPONSES, value, key=b"k")  # the same event id again

    async def two_seen() -> bool:
        assert echo.consumer is not None
        return echo.consumer.applied + echo.consumer.duplicates >= 2

    await wait_until(two_seen, what="both deliveries handled")
    await wait_until(lambda: provided_for(bootstrap, rid), what="the answer published")
    await asyncio.sleep(0.5)
    assert len(await provided_for(bootstrap, rid)) == 1
    assert echo.consumer is not None and echo.consumer.duplicates >= 1


async def test_bad_messages_are_dead_lettered_with_the_reason_and_the_consumer_carries_on(
    echo: ServiceRuntime,
) -> None:
    bootstrap = echo.settings.kafka_bootstrap
    tag = str(uuid.uuid4())
    await produce(bootstrap, RESPONSES, b"this is not json " + tag.encode(), key=b"k1")
    _, refused = response(f"r-{tag}-refused", summary="reject")
    await produce(bootstrap, RESPONSES, refused, key=b"k2")
    _, good = response(f"r-{tag}-good")
    await produce(bootstrap, RESPONSES, good, key=b"k3")

    await wait_until(lambda: provided_for(bootstrap, f"r-{tag}-good"), what="good one applied")

    async def letters() -> list[dict[str, object]]:
        # Every echo runtime in this module reads the topic from the start (each in a group
        # and a database of its own), so the same message may be dead-lettered by several:
        # one letter per source message.
        found: dict[tuple[int, int], dict[str, object]] = {}
        for m in await read_topic(bootstrap, dead_letters("echo"), timeout_ms=300):
            data = json.loads(m.value)["data"]
            if tag.encode() in base64.b64decode(data["original"]):
                found[(data["source_partition"], data["source_offset"])] = data
        return list(found.values()) if len(found) >= 2 else []

    found = await wait_until(letters, what="two dead letters")
    reasons = sorted(d["reason"] for d in found)
    assert reasons[0].startswith("not JSON")
    assert reasons[1] == "the echo service refuses this one"
    assert all(d["source_topic"] == RESPONSES and d["consumer"] == "echo" for d in found)


async def test_an_empty_broker_gets_the_outbox_republished(
    embedded_broker: EmbeddedBroker, tmp_path: Path
) -> None:
    settings = settings_for(EchoSettings, bootstrap=embedded_broker.bootstrap, data_dir=tmp_path)
    runtime = ServiceRuntime(settings, wiring())
    await runtime.start()
    try:
        rid = "before-restart"
        _, value = response(rid)
        await wait_until(lambda: asyncio.sleep(0, result=runtime.watch.ready), what="epoch")
        await produce(embedded_broker.bootstrap, RESPONSES, value, key=b"k")
        await wait_until(lambda: provided_for(embedded_broker.bootstrap, rid), what="answer")
        first_epoch = runtime.watch.epoch

        await asyncio.to_thread(embedded_broker.restart)  # memory storage: everything is gone

        async def back() -> list[InformationProvided]:
            if runtime.watch.epoch == first_epoch:
                return []
            return await provided_for(embedded_broker.bootstrap, rid)

        [again] = await wait_until(back, timeout=60, what="the outbox republished")
        assert again.request_id == rid
        # The response itself was lost with the broker; the inbox still knows it was applied.
        await produce(embedded_broker.bootstrap, RESPONSES, value, key=b"k")
        await asyncio.sleep(2)
        assert len(await provided_for(embedded_broker.bootstrap, rid)) == 1
    finally:
        await runtime.stop()


async def test_an_administrator_lists_the_dead_letters_without_their_payloads(
    echo: ServiceRuntime,
) -> None:
    """GET /v1/dead-letters, which create_app gives every service, over the echo service's own
    outbox: newest first, with the reason and where each came from, never the message."""
    bootstrap = echo.settings.kafka_bootstrap
    tag = uuid.uuid4().hex
    odd_type = f"uk.mash.test-{tag}.v1"  # JSON that names a type but is no CloudEvent
    invalid = json.dumps({"type": odd_type, "data": {"name": f"Ava Brook {tag}"}}).encode()
    # One key, so one partition, applied in this order: once the last two are listed, the
    # first is too (it names nothing to wait for).
    await produce(bootstrap, RESPONSES, b"not json at all " + tag.encode(), key=tag.encode())
    await produce(bootstrap, RESPONSES, invalid, key=tag.encode())
    _, refused = response(f"r-{tag}", summary="reject")
    await produce(bootstrap, RESPONSES, refused, key=tag.encode())

    app = create_app(echo, title="echo", description="the shared runtime's test service",
                     routers=[])
    transport = httpx.ASGITransport(app=app)  # the runtime is already running: no lifespan
    async with httpx.AsyncClient(transport=transport, base_url="http://echo") as client:
        admin = staff_headers(Role.ADMINISTRATOR, "staff:ops-1")

        async def ours() -> dict[str, Any] | None:
            r = await client.get("/v1/dead-letters", params={"limit": 1000}, headers=admin)
            assert r.status_code == 200, r.text
            body: dict[str, Any] = r.json()
            mine = [i for i in body["items"] if i["event_type"] == odd_type
                    or i["contact_id"] == f"contact-r-{tag}"]
            return body if len(mine) == 2 and all(i["published"] for i in mine) else None

        body = await wait_until(ours, what="both dead letters listed and published")
        text = json.dumps(body)
        assert body["service"] == "echo" and body["topic"] == dead_letters("echo")
        assert body["total"] >= 3 and len(body["items"]) == body["total"]
        items = body["items"]
        [bad] = [i for i in items if i["event_type"] == odd_type]
        [rejected] = [i for i in items if i["contact_id"] == f"contact-r-{tag}"]
        assert items.index(rejected) < items.index(bad)  # newest first
        assert bad["reason"] == "not a valid CloudEvent envelope" and bad["errors"]
        assert bad["contact_id"] is None
        assert rejected["reason"] == "the echo service refuses this one"
        assert rejected["errors"] == ["summary: reject"]
        assert rejected["event_type"] == AgencyResponse.event_type
        for item in (bad, rejected):
            assert item["source_topic"] == RESPONSES and item["source_offset"] >= 0
            assert item["source_partition"] >= 0 and item["published_at"] and item["id"]
            assert item["dead_lettered_at"]
            assert set(item) == {
                "id", "dead_lettered_at", "reason", "errors", "source_topic",
                "source_partition", "source_offset", "event_type", "contact_id", "published",
                "published_at"}
        garbage = [i for i in items if i["reason"].startswith("not JSON")]
        assert garbage and all(i["event_type"] is None for i in garbage)
        # Never the original message: no payload, no personal data.
        assert "original" not in text and "Ava Brook" not in text and "not json at all" not in text

        # The echo consumer may still be dead-lettering other tests' messages: the newest is
        # the one listed first above, or a later one.
        newest = (await client.get("/v1/dead-letters", params={"limit": 1},
                                   headers=admin)).json()["items"]
        assert len(newest) == 1
        assert newest[0]["id"] == items[0]["id"] or newest[0]["id"] not in {
            i["id"] for i in items}
        assert newest[0]["dead_lettered_at"] >= items[0]["dead_lettered_at"]
        assert (await client.get("/v1/dead-letters", params={"limit": 0},
                                 headers=admin)).status_code == 422
        # Operators only: no token 401; case workers and auditors 403.
        assert (await client.get("/v1/dead-letters")).status_code == 401
        for role in (Role.DECISION_MAKER, Role.MASH_MANAGER, Role.AUDITOR):
            r = await client.get("/v1/dead-letters", headers=staff_headers(role))
            assert r.status_code == 403, role


async def test_a_lane_has_a_consumer_of_its_own_so_its_backlog_never_holds_up_the_rest(
    kafka_bootstrap: str, database_url: str
) -> None:
    """Decision reads mash.audit in a lane. Here the lane has a backlog of BACKLOG slow events
    (at least 12 s of work) waiting when the service starts: the main consumer answers its one
    event long before the lane is through, and the lane then catches up."""
    await ensure_topics(kafka_bootstrap)
    backlog = 400
    slow_topic = agency_responses("health")
    seen: list[str] = []

    async def slow(uow: UnitOfWork, event: Decoded) -> None:
        await asyncio.sleep(0.03)
        seen.append(event.event_id)

    tag = str(uuid.uuid4())
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        for i in range(backlog):
            await producer.send(slow_topic, response(f"r-{tag}-slow-{i}")[1], key=b"k")
        await producer.flush()
    finally:
        await producer.stop()

    group = f"echo-{uuid.uuid4()}"
    runtime = ServiceRuntime(
        settings_for(EchoSettings, bootstrap=kafka_bootstrap, db_url=database_url,
                     consumer_group_id=group),
        Wiring(**{**wiring().__dict__,
                  "lanes": [Lane("slow", [slow_topic], {AgencyResponse.event_type: slow})]}),
    )
    await runtime.start()
    try:
        _, value = response(f"r-{tag}-main")
        await produce(kafka_bootstrap, RESPONSES, value, key=b"k")
        await wait_until(lambda: provided_for(kafka_bootstrap, f"r-{tag}-main"),
                         what="the main consumer's answer behind the lane's backlog")
        assert len(seen) < backlog
        async def caught_up() -> bool:
            return len(seen) >= backlog

        await wait_until(caught_up, timeout=120, what="the lane caught up")

        status = await runtime.status()
        assert status["consumers"]["main"]["group"] == group
        assert status["consumers"]["slow"]["group"] == f"{group}.slow"
        assert status["consumers"]["slow"]["applied"] >= backlog
        assert status["applied"] == sum(c["applied"] for c in status["consumers"].values())
    finally:
        await runtime.stop()


def test_a_topic_is_read_by_one_consumer_only_and_a_lane_name_fits_a_group_id() -> None:
    handlers = {AgencyResponse.event_type: answer}
    with pytest.raises(ValueError, match="two consumers"):
        Wiring(migrations_dir=MIGRATIONS, handlers=handlers, topics=[RESPONSES],
               lanes=[Lane("again", [RESPONSES], handlers)])
    with pytest.raises(ValueError, match="group id"):
        Wiring(migrations_dir=MIGRATIONS, lanes=[Lane("not a name", ["t"], handlers)])
