"""The audit log: every read of a child's record, from mash.audit into a hash chain auditors can
list and verify (real broker, both databases)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text

from mash_common.broker import EmbeddedBroker
from mash_common.codec import encode
from mash_common.db import Database, outbox_table
from mash_common.testing.auth import staff_headers
from mash_common.testing.service import produce, running, settings_for, wait_until
from mash_decision.adapters.tables import audit_log
from mash_decision.bootstrap import MIGRATIONS, build_app, build_runtime
from mash_decision.config import DecisionSettings
from mash_decision.entrypoints import replay as replay_command
from mash_decision.service_layer.audit import record_access, verify_chain
from mash_schemas.events import RecordAccessed
from mash_schemas.topics import AUDIT

pytestmark = pytest.mark.integration

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
AUDITOR = staff_headers("auditor")
CONTENT = ("seq", "event_id", "accessed_at", "accessed_by", "role", "agency", "contact_id",
           "service", "action")


class Reads:
    """Plays the services that publish a RecordAccessed whenever a person reads a record."""

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self.user = f"staff-{uuid.uuid4().hex[:8]}"  # this test's own reader
        self.sent: list[tuple[str, RecordAccessed]] = []

    def read(self, contact_id: str, n: int, *, service: str = "triage",
             action: str = "read triage record", role: str = "decision-maker",
             user: str | None = None, agency: str | None = None) -> RecordAccessed:
        return RecordAccessed(
            contact_id=contact_id, accessed_by=user or self.user, role=role, service=service,
            action=action, accessed_at=T0 + timedelta(minutes=n, microseconds=n), agency=agency,
        )

    async def send(self, data: RecordAccessed, *, event_id: str | None = None,
                   source: str | None = None) -> str:
        event_id, value = encode(data, source=source or f"/mash/{data.service}",
                                 subject=data.contact_id, event_id=event_id)
        await produce(self.bootstrap, AUDIT, value, key=data.contact_id.encode())
        self.sent.append((event_id, data))
        return event_id


async def listed(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    r = await client.get("/v1/audit", params=params, headers=AUDITOR)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def verified(client: httpx.AsyncClient) -> dict[str, Any]:
    r = await client.get("/v1/audit/verify", headers=AUDITOR)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def readme_hash(entry: dict[str, Any]) -> str:
    """The recipe in the decision README, verbatim: what an auditor runs on a listed entry."""
    content = {k: entry[k] for k in ("seq", "event_id", "accessed_at", "accessed_by", "role",
                                     "agency", "contact_id", "service", "action")}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((entry["prev_hash"] + canonical).encode()).hexdigest()


async def test_reads_are_logged_in_order_in_a_chain_that_verifies_until_a_row_is_changed(
    kafka_bootstrap: str, database_url: str
) -> None:
    settings = settings_for(DecisionSettings, bootstrap=kafka_bootstrap, db_url=database_url)
    reads = Reads(kafka_bootstrap)
    ava, ben = str(uuid.uuid4()), str(uuid.uuid4())
    app = build_app(settings)
    async with running(app) as client:
        for n in range(1, 6):
            await reads.send(reads.read(ava, n))
        await reads.send(reads.read(ben, 6, service="intake", action="read contact"))
        await reads.send(reads.read(ben, 7, service="decision", action="read picture",
                                    role="mash-manager"))
        mine = await wait_until(
            lambda: _total(listed(client, user=reads.user), 7), what="seven reads logged")
        entries = mine["entries"]

        # Newest first; the reads of one contact (one partition) in the order they were made.
        assert [e["seq"] for e in entries] == sorted((e["seq"] for e in entries), reverse=True)
        ava_ids = [e["event_id"] for e in entries if e["contact_id"] == ava]
        assert ava_ids == [event_id for event_id, _ in reversed(reads.sent[:5])]
        newest_ava = next(e for e in entries if e["contact_id"] == ava)
        assert newest_ava == {
            **newest_ava, "accessed_by": reads.user, "role": "decision-maker", "agency": None,
            "service": "triage", "action": "read triage record",
            "accessed_at": "2026-03-02T09:05:00.000005Z",
        }
        # Identifiers only: nothing about the child but the contact id.
        assert set(newest_ava) == {*CONTENT, "prev_hash", "hash"}
        # Each entry's hash is the README's recipe over what the API shows.
        assert all(readme_hash(e) == e["hash"] for e in entries)

        # Filters and pages.
        page1 = await listed(client, contact_id=ava, limit=2)
        page2 = await listed(client, contact_id=ava, limit=2, before=page1["next_before"])
        page3 = await listed(client, contact_id=ava, limit=2, before=page2["next_before"])
        assert [p["total"] for p in (page1, page2, page3)] == [5, 5, 5]
        assert page3["next_before"] is None
        paged = [e["event_id"] for p in (page1, page2, page3) for e in p["entries"]]
        assert paged == ava_ids
        window = await listed(client, user=reads.user, since="2026-03-02T09:02:00Z",
                              until="2026-03-02T09:06:00Z")
        assert window["total"] == 4
        assert {e["accessed_at"][:16] for e in window["entries"]} == {
            "2026-03-02T09:02", "2026-03-02T09:03", "2026-03-02T09:04", "2026-03-02T09:05"}
        assert (await client.get("/v1/audit", params={"limit": 501},
                                 headers=AUDITOR)).status_code == 422
        naive = await client.get("/v1/audit", params={"since": "2026-03-02T09:00:00"},
                                 headers=AUDITOR)
        assert naive.status_code == 422 and "timezone" in naive.text

        # A redelivered read is not logged twice (a later read on its partition shows the
        # redelivery was consumed first).
        first_id, first_data = reads.sent[0]
        await reads.send(first_data, event_id=first_id)
        await reads.send(reads.read(ava, 8))
        after = await wait_until(
            lambda: _total(listed(client, user=reads.user), 8), what="the later read")
        assert [e["event_id"] for e in after["entries"]].count(first_id) == 1

        # The whole chain verifies; its head is the last entry's hash.
        check = await verified(client)
        assert check["ok"] is True and check["first_broken"] is None
        last = await listed(client, before=check["entries"] + 1, limit=1)
        assert last["entries"][0]["seq"] == check["entries"]
        assert check["head"] == last["entries"][0]["hash"]

        # Someone changes one row behind the service's back.
        tampered = sorted(e["seq"] for e in entries)[2]
        async with app.state.runtime.db.transaction() as session:
            await session.execute(
                text("UPDATE audit_log SET action = 'read nothing' WHERE seq = :seq"),
                {"seq": tampered},
            )
        broken = await verified(client)
        assert broken["ok"] is False and broken["first_broken"] == tampered
        assert broken["entries"] >= check["entries"]


async def test_an_agency_practitioners_reads_carry_their_agency_and_can_be_listed_alone(
    kafka_bootstrap: str, database_url: str
) -> None:
    settings = settings_for(DecisionSettings, bootstrap=kafka_bootstrap, db_url=database_url)
    reads = Reads(kafka_bootstrap)
    cara = str(uuid.uuid4())
    async with running(build_app(settings)) as client:
        await reads.send(reads.read(cara, 1))  # MASH staff: no agency
        for n, agency in ((2, "police"), (3, "health"), (4, "police")):
            await reads.send(reads.read(
                cara, n, service="agency-gateway", role="agency-practitioner", agency=agency,
                action=f"read information request ({agency})"))
        await wait_until(lambda: _total(listed(client, contact_id=cara), 4),
                         what="four reads logged")
        police = await listed(client, contact_id=cara, agency="police")
        assert police["total"] == 2
        assert [e["accessed_at"][14:16] for e in police["entries"]] == ["04", "02"]
        assert {(e["agency"], e["role"]) for e in police["entries"]} == {
            ("police", "agency-practitioner")}
        # The agency is part of what each entry's hash binds.
        assert all(readme_hash(e) == e["hash"] for e in police["entries"])
        everyone = await listed(client, contact_id=cara)
        assert [e["agency"] for e in everyone["entries"]] == ["police", "health", "police", None]
        assert (await listed(client, contact_id=cara, agency="housing"))["total"] == 0
        assert (await verified(client))["ok"] is True


async def test_only_auditors_read_the_audit_log(kafka_bootstrap: str, tmp_path: Path) -> None:
    settings = settings_for(DecisionSettings, bootstrap=kafka_bootstrap,
                            db_url=f"sqlite+aiosqlite:///{tmp_path}/decision.db")
    async with running(build_app(settings)) as client:
        for path in ("/v1/audit", "/v1/audit/verify"):
            assert (await client.get(path)).status_code == 401
            assert (await client.get(
                path, headers={"Authorization": "Bearer not-a-token"})).status_code == 401
            for role in ("decision-maker", "mash-manager", "administrator"):
                r = await client.get(path, headers=staff_headers(role))
                assert r.status_code == 403, (path, role, r.text)
            r = await client.get(path, headers=staff_headers("agency-practitioner",
                                                             agency="police"))
            assert r.status_code == 403
            assert (await client.get(path, headers=AUDITOR)).status_code == 200
        spec = (await client.get("/openapi.json")).json()
    listing = spec["paths"]["/v1/audit"]["get"]
    assert listing["summary"] and listing["description"]
    assert {p["name"] for p in listing["parameters"]} >= {
        "contact_id", "user", "since", "until", "before", "limit"}
    assert spec["paths"]["/v1/audit/verify"]["get"]["summary"]


async def test_reads_logged_at_the_same_instant_make_one_unbroken_chain(
    kafka_bootstrap: str, database_url: str
) -> None:
    """As two copies of the service, or one consumer and another, appending at once: each
    append waits for the one before it, so no sequence number is taken twice."""
    settings = settings_for(DecisionSettings, bootstrap=kafka_bootstrap, db_url=database_url)
    runtime = build_runtime(settings)  # not started: the handler is called directly
    await runtime.db.migrate(MIGRATIONS)
    reads = Reads(kafka_bootstrap)
    contacts = [str(uuid.uuid4()) for _ in range(8)]

    async def log(n: int) -> bool:
        async with runtime.unit_of_work() as uow:
            return await record_access(uow.session, f"e-{n}", reads.read(contacts[n % 8], n))

    try:
        appended = await asyncio.gather(*(log(n) for n in range(40)))
        again = await asyncio.gather(*(log(n) for n in range(0, 40, 5)))  # redeliveries
        result = await verify_chain(runtime.db.sessions)
        async with runtime.db.sessions() as session:
            logged = (await session.execute(
                select(audit_log.c.seq, audit_log.c.event_id).order_by(audit_log.c.seq)
            )).all()
    finally:
        await runtime.db.dispose()
    assert all(appended) and not any(again)
    assert result.ok and result.entries == 40
    assert [r.seq for r in logged] == list(range(1, 41))
    assert sorted(r.event_id for r in logged) == sorted(f"e-{n}" for n in range(40))


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[EmbeddedBroker]:
    """A broker holding only this test's reads: the order the live service appends them in
    is then the order the replay reads them in."""
    from mash_common.broker import free_port

    with EmbeddedBroker(port=free_port(), log_path=tmp_path / "tansu.log") as broker:
        yield broker


async def test_the_audit_log_replayed_from_the_topic_equals_the_live_one_head_and_all(
    own_broker: EmbeddedBroker, database_url: str, another_database_url: str
) -> None:
    bootstrap = own_broker.bootstrap
    settings = settings_for(DecisionSettings, bootstrap=bootstrap, db_url=database_url)
    reads = Reads(bootstrap)
    ava = str(uuid.uuid4())  # one contact: one partition, one order
    async with running(build_app(settings)) as client:
        await wait_until(lambda: _ready(client), what="the service ready (topics created)")
        for n in range(1, 6):
            await reads.send(reads.read(ava, n))
        ours = await reads.send(reads.read(ava, 6, service="decision", action="read picture"))
        await reads.send(reads.sent[1][1], event_id=reads.sent[1][0])  # a redelivery
        await wait_until(lambda: _total(listed(client), 6), what="six reads logged")
        live = await verified(client)
    assert live["ok"] and live["entries"] == 6

    count = await replay_command.replay(bootstrap, another_database_url, idle_s=3.0)
    assert (count.audited, count.duplicates) == (6, 1)
    assert await rows(another_database_url) == await rows(database_url)

    rebuilt = Database(another_database_url)
    try:
        replayed = await verify_chain(rebuilt.sessions)
        async with rebuilt.sessions() as session:
            kept = (await session.execute(
                select(outbox_table.c.event_id, outbox_table.c.published_at)
            )).all()
    finally:
        await rebuilt.dispose()
    assert replayed.ok and replayed.entries == 6 and replayed.head == live["head"]
    # Decision's own read, like its other events, is in the rebuilt outbox, as published.
    assert [(r.event_id, r.published_at is not None) for r in kept] == [(ours, True)]

    # A service started on the rebuilt store serves the same verified chain.
    on_rebuilt = settings_for(DecisionSettings, bootstrap=bootstrap, db_url=another_database_url)
    async with running(build_app(on_rebuilt)) as client:
        assert await verified(client) == live


async def rows(url: str) -> list[dict[str, Any]]:
    db = Database(url)
    try:
        async with db.sessions() as session:
            result = await session.execute(select(audit_log).order_by(audit_log.c.seq))
            return [dict(r._mapping) for r in result]
    finally:
        await db.dispose()


async def _total(probe: Any, n: int) -> Any:
    found = await probe
    return found if found["total"] >= n else None


async def _ready(client: httpx.AsyncClient) -> bool:
    return bool((await client.get("/readyz")).json()["ready"])
