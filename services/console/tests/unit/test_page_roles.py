"""Every console page and form is refused to each role that should not reach it.

The test walks the app's routes, so a page added later is covered (or fails the test if it has
no role guard at all). The services refuse the same roles themselves: tests/contract/test_roles.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from mash_console.bootstrap import build_app
from mash_console.domain.staff import DEMO_STAFF
from mash_schemas.roles import CAN, Role

PUBLIC = {"/sign-in", "/healthz", "/readyz"}
ONE_OF_EACH_ROLE = {m.role: m.username for m in reversed(DEMO_STAFF)}  # first of each role


def api_routes(routes: list[Any]) -> list[APIRoute]:
    """The app's routes, looking inside included routers (the console's have no prefix)."""
    out: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            out.append(route)
        elif hasattr(route, "original_router"):
            out.extend(api_routes(route.original_router.routes))
    return out


def guarded_routes() -> list[tuple[str, str, str | None]]:
    """(method, path, capability) for every page and form; fails on an unguarded page."""
    found = []
    for route in api_routes(build_app().routes):
        if not isinstance(route, APIRoute) or route.path in PUBLIC:
            continue
        guards = [d.call for d in route.dependant.dependencies
                  if hasattr(d.call, "capability")]
        assert guards, f"{route.path} has no page()/form() role guard"
        for method in sorted(route.methods - {"HEAD"}):
            found.append((method, route.path, guards[0].capability))  # type: ignore[attr-defined]
    return found


ROUTES = guarded_routes()


def fill(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "c0ffee00-0000-4000-8000-000000000001", path)


def test_there_are_pages_for_every_role() -> None:
    capabilities = {cap for _, _, cap in ROUTES}
    for role in Role:
        assert any(cap is None or role in CAN[cap] for cap in capabilities), role


@pytest.mark.parametrize(("method", "path", "capability"),
                         [r for r in ROUTES if r[2] is not None],
                         ids=lambda v: v if isinstance(v, str) else "")
def test_each_role_that_may_not_is_refused(
    method: str, path: str, capability: str, signed_in: Callable[[str], TestClient],
    csrf: Callable[[str], str], services: Any,
) -> None:
    refused = [r for r in Role if r not in CAN[capability]]
    for role in refused:
        console = signed_in(ONE_OF_EACH_ROLE[role])
        token = csrf(console.get("/status").text)
        calls_before = len(services.calls)
        if method == "GET":
            response = console.get(fill(path), follow_redirects=False)
        else:
            response = console.post(fill(path), data={"csrf_token": token},
                                    follow_redirects=False)
        assert response.status_code == 403, (role, method, path, response.status_code)
        assert "You cannot use this page" in response.text
        # Refused before anything was asked of the services.
        assert [c for c in services.calls[calls_before:] if c["path"] != "/readyz"] == []


@pytest.mark.parametrize(("method", "path", "capability"), ROUTES,
                         ids=lambda v: v if isinstance(v, str) else "")
def test_nobody_signed_in_is_sent_to_sign_in(
    method: str, path: str, capability: str | None, console: TestClient
) -> None:
    console.cookies.clear()
    response = console.request(method, fill(path), follow_redirects=False,
                               headers={"accept": "text/html"})
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in?next=")
