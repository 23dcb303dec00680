"""The agency simulator answers the gateway's requests on the real broker, as agencies would."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from mash_common.testing.service import running, wait_until
from mash_gateway.bootstrap import build_app
from mash_gateway.simulator import AgencySimulator, SimOptions
from mash_schemas.events import InformationProvided

pytestmark = pytest.mark.integration

SIM = Path(sys.executable).parent / "mash-agency-sim"


def sim_command() -> list[str]:
    return [str(SIM)] if SIM.exists() else [sys.executable, "-m", "mash_gateway.simulator"]


async def answered_agencies(client: Any, contact_id: str) -> dict[str, str]:
    status = (await client.get(f"/v1/contacts/{contact_id}/requests")).json()
    return {r["agency"]: r["status"] for r in status["requests"]}


async def test_the_simulator_answers_every_agency_but_the_silent_ones(sqlite_hub: Any) -> None:
    hub = sqlite_hub
    app = build_app(hub.settings)
    async with running(app, headers=hub.STAFF) as client:
        contact_id = await hub.information_requested(["police", "health", "education"])
        simulator = AgencySimulator(
            hub.bootstrap,
            SimOptions(delay_seconds=0.2, silent_agencies=frozenset({"education"}), seed=3,
                       known_fraction=1.0),
            data_key=hub.settings.data_key.get_secret_value(),
            group_id=f"agency-sim-{uuid.uuid4()}",
            session_timeout_ms=3_000,
        )
        stop = asyncio.Event()
        task = asyncio.create_task(simulator.run(stop))
        try:
            provided = await hub.provided(contact_id, count=2)
            assert sorted(e.data.agency for e in provided) == ["health", "police"]
            for event in provided:
                assert isinstance(event.data, InformationProvided)
                assert event.data.channel == "kafka" and event.data.late is False
                assert event.data.known_to_agency is True
                # The simulator opened its request with the agency's key: it names the child.
                answer = hub.opened(event)
                assert answer["responder"].startswith(f"{event.data.agency}:")
            statuses = await answered_agencies(client, contact_id)
            assert statuses == {"police": "answered", "health": "answered",
                                "education": "open"}
            assert simulator.answered >= 2 and simulator.left_silent >= 1
            assert simulator.unopened == 0  # each request opened with its agency's key
        finally:
            stop.set()
            await asyncio.wait_for(task, 15)


async def test_the_simulator_command_answers_and_stops_cleanly_on_a_signal(
    sqlite_hub: Any, tmp_path: Path
) -> None:
    hub = sqlite_hub
    env = {**os.environ, "MASH_DATA_KEY": hub.settings.data_key.get_secret_value()}
    key = subprocess.run([*sim_command(), "key", "police"], env=env, capture_output=True,
                         text=True, check=True)
    assert key.stdout.strip() == hub.agency_key("police")

    app = build_app(hub.settings)
    async with running(app, headers=hub.STAFF) as client:
        contact_id = await hub.information_requested(["housing"])
        log = tmp_path / "sim.log"
        with open(log, "wb") as out:
            sim = subprocess.Popen(
                [*sim_command(), "--bootstrap", hub.bootstrap, "--delay-seconds", "0.1",
                 "--seed", "11", "--group", f"agency-sim-{uuid.uuid4()}",
                 "--session-timeout-ms", "3000"],
                env=env, stdout=out, stderr=subprocess.STDOUT,
            )
        try:
            async def housing_answered() -> bool:
                return (await answered_agencies(client, contact_id)) == {"housing": "answered"}

            await wait_until(housing_answered, what="the simulator's answer")
        finally:
            sim.send_signal(signal.SIGTERM)
            rc = await asyncio.to_thread(sim.wait, 20)
        assert rc == 0, log.read_text()
        assert "sim.stopped" in log.read_text()

    # Ctrl-C stops it too, even before it has joined its group.
    with open(log, "ab") as out:
        sim = subprocess.Popen(
            [*sim_command(), "--bootstrap", hub.bootstrap, "--group",
             f"agency-sim-{uuid.uuid4()}"], env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    await wait_until(lambda: asyncio.to_thread(lambda: "sim.started" in log.read_text()
                                               .split("sim.stopped")[-1]),
                     what="the second simulator to start")
    sim.send_signal(signal.SIGINT)
    assert await asyncio.to_thread(sim.wait, 20) == 0
