"""The console under test: its own SQLite store with the demo staff, and a fake of the other
services behind httpx.MockTransport (the services are our own port; the e2e browser tests
drive the real ones)."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from mash_common.auth import TokenVerifier
from mash_console.bootstrap import MIGRATIONS, build_app, build_store
from mash_console.config import ConsoleSettings
from mash_console.domain.staff import DEMO_PASSWORD, DEMO_STAFF

Handler = Callable[[httpx.Request], httpx.Response | dict[str, Any] | list[Any] | None]


@dataclass
class FakeServices:
    """Routes (method, service, path regex) -> handler; records every call with its caller."""

    routes: list[tuple[str, str, re.Pattern[str], Handler]] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)
    urls: dict[str, str] = field(default_factory=dict)

    def on(self, method: str, service: str, path: str, handler: Handler | Any) -> None:
        fn = handler if callable(handler) else (lambda _req, _v=handler: _v)
        self.routes.insert(0, (method, service, re.compile(f"^{path}$"), fn))

    def transport(self) -> httpx.MockTransport:
        verifier = TokenVerifier()
        by_port = {httpx.URL(u).port: name for name, u in self.urls.items()}

        def handle(request: httpx.Request) -> httpx.Response:
            service = by_port.get(request.url.port, "?")
            auth = request.headers.get("authorization", "")
            caller = verifier.verify(auth.split(" ", 1)[1]) if auth.startswith("Bearer ") else None
            body = json.loads(request.content) if request.content else None
            self.calls.append({"method": request.method, "service": service,
                               "path": request.url.path, "caller": caller, "json": body,
                               "params": dict(request.url.params)})
            if request.url.path == "/readyz":
                return httpx.Response(200, json={"ready": True})
            for method, svc, pattern, fn in self.routes:
                if method == request.method and svc == service and pattern.match(request.url.path):
                    result = fn(request)
                    if isinstance(result, httpx.Response):
                        return result
                    return httpx.Response(200, json=result)
            return httpx.Response(404, json={"detail": f"no fake for {request.method} "
                                                       f"{service} {request.url.path}"})

        return httpx.MockTransport(handle)


# Triage's `GET /v1/settings` as it answers with its default settings.
TRIAGE_SETTINGS: dict[str, Any] = {
    "levels_of_need": [
        {"level": 1, "name": "universal", "default_agencies": ["health", "education"]},
        {"level": 2, "name": "early help / additional needs",
         "default_agencies": ["health", "education", "childrens-social-care"]},
        {"level": 3, "name": "targeted / complex",
         "default_agencies": ["police", "health", "education", "childrens-social-care"]},
        {"level": 4, "name": "specialist / acute (statutory)",
         "default_agencies": ["police", "health", "education", "childrens-social-care"]},
    ],
    "ratings": [
        {"rating": "red", "hours": 4.0, "around_the_clock": True},
        {"rating": "amber", "hours": 24.0, "around_the_clock": False},
        {"rating": "green", "hours": 72.0, "around_the_clock": False},
    ],
    "deadline_warning_fraction": 0.75,
    "working_hours": {"timezone": "Europe/London", "opens": "09:00:00",
                      "closes": "17:00:00", "days": [1, 2, 3, 4, 5],
                      "bank_holidays_closed": True, "closed_days": []},
    "agencies_by_concern": {"3A": ["police"], "4A": ["camhs"]},
    "agency_deadlines": {"share": 0.75, "by_agency": {}},
}


@pytest.fixture
def services() -> FakeServices:
    fake = FakeServices()
    # Triage's local practice, which the screening and rating forms are worded from; a test
    # may serve another (a later `on` comes first).
    fake.on("GET", "triage", "/v1/settings", TRIAGE_SETTINGS)
    return fake


@pytest.fixture
def console_settings(tmp_path: Path) -> ConsoleSettings:
    return ConsoleSettings(data_dir=tmp_path, env="test", queue_refresh_s=5)


@pytest.fixture(scope="session")
def staff_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A console database with the demo staff, made once (argon2 is slow on purpose) and
    copied for each test."""
    settings = ConsoleSettings(data_dir=tmp_path_factory.mktemp("console-staff"), env="test")

    async def go() -> None:
        store = build_store(settings)
        await store.db.migrate(MIGRATIONS)
        for member in DEMO_STAFF:
            await store.add_member(member, DEMO_PASSWORD, datetime.now(UTC), replace=True)
        await store.db.dispose()

    asyncio.run(go())
    return settings.data_dir / "console.db"


@pytest.fixture
def console(
    console_settings: ConsoleSettings, services: FakeServices, staff_database: Path
) -> Iterator[TestClient]:
    """A TestClient on the console (lifespan run, migrations applied, demo staff present)."""
    shutil.copyfile(staff_database, console_settings.data_dir / "console.db")
    services.urls = console_settings.service_urls()
    app = build_app(console_settings, transport=services.transport())
    with TestClient(app, base_url="http://console.test") as client:
        yield client


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no csrf_token on the page"
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str = DEMO_PASSWORD,
            next_path: str = "/") -> httpx.Response:
    page = client.get("/sign-in", params={"next": next_path})
    return client.post(
        "/sign-in",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text),
              "next": next_path},
        follow_redirects=False,
    )


@pytest.fixture
def csrf() -> Callable[[str], str]:
    """csrf(html) -> the page's CSRF token, to post a form as the browser would."""
    return csrf_of


@pytest.fixture
def signed_in(console: TestClient) -> Callable[[str], TestClient]:
    """signed_in("dm.patel") -> the console client with that person's session cookie."""

    def as_user(username: str) -> TestClient:
        console.cookies.clear()
        response = sign_in(console, username)
        assert response.status_code == 303, response.text
        return console

    return as_user
