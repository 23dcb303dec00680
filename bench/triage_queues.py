"""Triage's queues under load: how long `GET /v1/screening` and `GET /v1/rating-queue` take to
answer with 10,000 open contacts waiting in each (the goal: under 50 ms), beside two baselines
measured in the same run: `GET /healthz` through the same app, and a plain `SELECT 1`.

The service runs in-process (its full runtime on an embedded broker) and is asked over ASGI,
so the figures are the service's own time without a network hop. The contacts are written
straight into triage's tables, sealed as intake seals them.

    .venv/bin/python bench/triage_queues.py
    BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/<empty db> ...

Environment: BENCH_OPEN (default 10000 per queue), BENCH_REQUESTS (default 50),
BENCH_DATABASE_URL (default: SQLite in a temporary directory).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert, text

from mash_common.auth import Role
from mash_common.broker import EmbeddedBroker, free_port
from mash_common.crypto import Sealer, contact_kid
from mash_common.testing.auth import staff_headers
from mash_common.testing.service import running, settings_for
from mash_triage.adapters.tables import contacts
from mash_triage.bootstrap import build_app
from mash_triage.config import TriageSettings

OPEN = int(os.environ.get("BENCH_OPEN", "10000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "50"))
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def contact_rows(sealer: Sealer, n: int, status: str) -> list[dict[str, Any]]:
    rows = []
    for i in range(n):
        contact_id = str(uuid.uuid4())
        personal = {
            "child": {"first_name": f"Child{i}", "last_name": "Bench", "date_of_birth":
                      "2017-05-01", "address": "1 Oak Road", "postcode": "MK9 1AA"},
            "concern": {"summary": "came to school hungry", "factors": ["16A"]},
            "referrer": {"kind": "professional", "name": "Jo Class"},
        }
        rows.append({
            "contact_id": contact_id, "reference": f"MASH-2026-{i:06d}",
            "family_group_id": str(uuid.uuid4()),
            "received_at": T0 - timedelta(minutes=i), "channel": "web",
            "contact_type": "concern", "contact_source": "2A", "referrer_kind": "professional",
            "immediate_risk": i % 17 == 0, "concern_factors": ["16A", "3A"][: 1 + i % 2],
            "child_age_years": 8,
            "personal": sealer.seal(contact_kid(contact_id), personal).model_dump(),
            "status": status, "event_id": str(uuid.uuid4()), "version": 1,
            "outcome": "mash" if status == "awaiting_rating" else None,
            "level_of_need": 3 if status == "awaiting_rating" else None,
            "decision_due_by": T0 - timedelta(minutes=i) + timedelta(hours=8),
        })
    return rows


async def timed(call: Callable[[], Awaitable[Any]]) -> tuple[float, float]:
    for _ in range(5):  # warm up: caches, prepared statements, the first-use imports
        await call()
    samples = []
    for _ in range(REQUESTS):
        t = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        broker = EmbeddedBroker(port=free_port(), log_path=Path(tmp) / "broker.log").start()
        try:
            db_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite+aiosqlite:///{tmp}/t.db"
            settings = settings_for(TriageSettings, bootstrap=broker.bootstrap, db_url=db_url,
                                    data_dir=Path(tmp))
            app = build_app(settings, clock=lambda: T0)
            # As the decision maker the console would sign for: the guard is part of the cost.
            async with running(app, headers=staff_headers(Role.DECISION_MAKER)) as client:
                runtime = app.state.runtime
                t = time.perf_counter()
                async with runtime.db.transaction() as session:
                    for status in ("awaiting_threshold", "awaiting_rating"):
                        rows = contact_rows(runtime.sealer, OPEN, status)
                        for start in range(0, len(rows), 1000):
                            await session.execute(insert(contacts), rows[start:start + 1000])
                seeded = time.perf_counter() - t

                async def get(path: str) -> None:
                    r: httpx.Response = await client.get(path)
                    r.raise_for_status()

                async def select_one() -> None:
                    async with runtime.db.sessions() as session:
                        await session.execute(text("SELECT 1"))

                screening = (await client.get("/v1/screening")).json()
                assert screening["waiting"] == OPEN, screening["waiting"]
                figures = {
                    "GET /healthz (baseline)": await timed(lambda: get("/healthz")),
                    "SELECT 1 (baseline)": await timed(select_one),
                    "GET /v1/screening": await timed(lambda: get("/v1/screening")),
                    "GET /v1/rating-queue": await timed(lambda: get("/v1/rating-queue")),
                    "GET /v1/screening?limit=20": await timed(
                        lambda: get("/v1/screening?limit=20")),
                }
        finally:
            broker.stop()

    engine = db_url.split(":", 1)[0]
    print(f"triage queues: {OPEN} open contacts in each queue, {engine}, "
          f"page {settings.queue_page_size}, {REQUESTS} requests each "
          f"(seeded in {seeded:.1f} s)")
    base = figures["GET /healthz (baseline)"][0]
    for name, (median, p95) in figures.items():
        verdict = ""
        if name.startswith("GET /v1"):
            verdict = "  goal < 50 ms: " + ("met" if median < 50 else "MISSED")
        print(f"  {name:<28} median {median:7.2f} ms  p95 {p95:7.2f} ms  "
              f"x{median / base:6.1f} healthz{verdict}")


if __name__ == "__main__":
    asyncio.run(main())
