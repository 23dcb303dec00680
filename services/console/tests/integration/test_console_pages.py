"""The console over real HTTP services: up, not ready, slow, or not there at all."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from mash_common.broker import free_port
from mash_common.testing.service import running
from mash_console.bootstrap import build_app
from mash_console.config import ConsoleSettings
from mash_console.domain.staff import StaffMember
from mash_schemas.roles import Role

pytestmark = pytest.mark.integration

NOBODY = "http://127.0.0.1:{port}"  # a free port: nothing listens there


def stub_service(status_code: int, delay_s: float = 0.0) -> FastAPI:
    app = FastAPI()

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        await asyncio.sleep(delay_s)
        return JSONResponse({"ready": status_code == 200}, status_code=status_code)

    return app


class Served:
    """A real HTTP server on a free port, in a thread of its own."""

    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                           lifespan="off")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Served:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "the stub service did not start"
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="module")
def ready_service() -> Iterator[str]:
    with Served(stub_service(200)) as served:
        yield served.url


@pytest.fixture(scope="module")
def unready_service() -> Iterator[str]:
    with Served(stub_service(503)) as served:
        yield served.url


@pytest.fixture(scope="module")
def slow_service() -> Iterator[str]:
    with Served(stub_service(200, delay_s=3.0)) as served:
        yield served.url


PASSWORD = "a-long-enough-password"


def settings(**urls: str) -> ConsoleSettings:
    down = {f"{name}_url": NOBODY.format(port=free_port())
            for name in ("intake", "triage", "agency_gateway", "decision", "feedback")}
    data_dir = {"data_dir": urls.pop("data_dir")} if "data_dir" in urls else {}
    return ConsoleSettings.model_validate({**down, **urls, **data_dir, "probe_timeout_s": 0.5})


async def signed_in_status_page(client: httpx.AsyncClient, app: FastAPI) -> httpx.Response:
    """Sign in as an administrator (the page is for anyone signed in), then open it."""
    await app.state.store.add_member(
        StaffMember("admin.test", "Admin Test", Role.ADMINISTRATOR), PASSWORD,
        datetime.now(UTC), replace=True,
    )
    form = await client.get("/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    signed = await client.post("/sign-in", data={"username": "admin.test", "password": PASSWORD,
                                                 "csrf_token": token.group(1), "next": "/status"})
    assert signed.status_code == 303, signed.text
    return await client.get("/status")


def stage_status(html: str, service: str) -> str:
    """The text of one stage's status line, tags removed."""
    found = re.search(rf'id="stage-{service}".*?Status</dt>\s*<dd[^>]*>(.*?)</dd>', html,
                      re.DOTALL)
    assert found, f"no status for {service}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", found.group(1))).strip()


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MASH_CONSOLE_DATA_DIR", str(tmp_path))


async def test_every_service_down_renders_not_reachable_and_still_links_the_docs() -> None:
    s = settings()
    app = build_app(s)
    async with running(app) as client:
        page = await signed_in_status_page(client, app)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    for name, url in s.service_urls().items():
        assert stage_status(page.text, name) == f"Not reachable: nothing answers at {url}"
        assert (f'<a class="govuk-link" href="{url}/docs">API documentation'
                f'<span class="govuk-visually-hidden"> for {name}</span></a>') in page.text
    assert "Not every service is up" in page.text


async def test_each_service_is_shown_up_not_ready_or_not_reachable(
    ready_service: str, unready_service: str
) -> None:
    app = build_app(settings(intake_url=ready_service, triage_url=unready_service))
    async with running(app) as client:
        page = (await signed_in_status_page(client, app)).text
    assert stage_status(page, "intake") == "Up"
    assert stage_status(page, "triage") == "Not ready: its /readyz answered HTTP 503"
    assert stage_status(page, "decision").startswith("Not reachable")


async def test_a_service_too_slow_to_answer_is_not_reachable(slow_service: str) -> None:
    app = build_app(settings(feedback_url=slow_service))
    async with running(app) as client:
        started = time.monotonic()
        page = (await signed_in_status_page(client, app)).text
    assert time.monotonic() - started < 2.9  # every probe runs at once, each cut short
    assert stage_status(page, "feedback").startswith("Not reachable")


async def test_the_summary_says_so_when_every_service_is_up(ready_service: str) -> None:
    everyone = {f"{n}_url": ready_service
                for n in ("intake", "triage", "agency_gateway", "decision", "feedback")}
    app = build_app(ConsoleSettings.model_validate(everyone))
    async with running(app) as client:
        page = (await signed_in_status_page(client, app)).text
    assert "All 5 services are up." in page


async def test_the_page_is_gov_uk_frontend_html_that_loads_nothing_from_elsewhere() -> None:
    app = build_app(settings())
    async with running(app) as client:
        page = await signed_in_status_page(client, app)
        css = await client.get("/static/govuk/govuk-frontend.min.css")
        js = await client.get("/static/govuk/govuk-frontend.min.js")
    html = page.text
    assert '<html lang="en-GB" class="govuk-template">' in html
    assert 'href="#main-content"' in html and 'id="main-content"' in html
    assert html.count("<h1") == 1
    assert re.findall(r"<script[^>]*>", html) == [
        '<script type="module" src="/static/console.js">'
    ]  # no inline script: the CSP forbids it
    assert re.findall(r'<link rel="stylesheet" href="([^"]+)"', html) == [
        "/static/govuk/govuk-frontend.min.css", "/static/console.css"
    ]
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert js.status_code == 200
    assert "GDS Transport" not in css.text  # reserved for GOV.UK
    assert "govuk-header__logotype" not in html and "crown" not in html.lower()
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "script-src 'self'" in page.headers["content-security-policy"]


async def test_readyz_is_ready_when_it_renders_and_reports_the_others(
    ready_service: str,
) -> None:
    async with running(build_app(settings(intake_url=ready_service))) as client:
        ready = await client.get("/readyz")
        health = await client.get("/healthz")
        openapi = await client.get("/openapi.json")
    assert ready.status_code == 200
    body: dict[str, Any] = ready.json()
    assert body["ready"] is True
    assert body["upstreams"]["intake"]["status"] == "up"
    assert body["upstreams"]["triage"]["status"] == "unreachable"
    assert health.json() == {"status": "ok", "service": "console"}
    assert {"/", "/status", "/sign-in", "/healthz", "/readyz"} <= set(openapi.json()["paths"])


async def test_python_dash_m_mash_console_serves_on_its_port_and_stops_on_sigterm() -> None:
    port = free_port()
    env = {**os.environ, "MASH_CONSOLE_HTTP_PORT": str(port),
           "MASH_CONSOLE_DATA_DIR": os.environ["MASH_CONSOLE_DATA_DIR"],
           "MASH_CONSOLE_INTAKE_URL": NOBODY.format(port=free_port())}
    proc = subprocess.Popen([sys.executable, "-m", "mash_console"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        async with httpx.AsyncClient(timeout=5) as client:
            while True:
                assert proc.poll() is None, proc.stdout.read().decode()  # type: ignore[union-attr]
                try:
                    ready = await client.get(f"http://127.0.0.1:{port}/readyz")
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "the console did not start"
                    await asyncio.sleep(0.1)
        assert ready.status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(10)
    # uvicorn shuts down gracefully, then re-raises the signal it caught.
    assert code in (0, -signal.SIGTERM)
    assert "Application shutdown complete" in proc.stdout.read().decode()  # type: ignore[union-attr]
