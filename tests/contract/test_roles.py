"""Every service refuses, by itself, a caller whose staff token does not allow the route.

Each app is built through its service's composition root and driven over ASGI without its
lifespan: no broker, no migrations. That works because the guard refuses before the handler
runs (and before the body is validated: the bodies sent here are empty). Walking `app.routes`
means a new `/v1` route without a guard fails this file, and a route's refusals follow the
capability table (`mash_schemas.roles.CAN`) whatever it says tomorrow.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

from mash_common.auth import CAN, Role, TokenSigner, generate_key_pair
from mash_common.testing.auth import staff_headers
from mash_decision.bootstrap import build_app as decision_app
from mash_decision.config import DecisionSettings
from mash_feedback.bootstrap import build_app as feedback_app
from mash_feedback.config import FeedbackSettings
from mash_gateway.bootstrap import build_app as gateway_app
from mash_gateway.config import GatewaySettings
from mash_intake.bootstrap import build_app as intake_app
from mash_intake.config import IntakeSettings
from mash_triage.bootstrap import build_app as triage_app
from mash_triage.config import TriageSettings

SERVICES: dict[str, tuple[Callable[[Any], FastAPI], type[Any]]] = {
    "intake": (intake_app, IntakeSettings),
    "triage": (triage_app, TriageSettings),
    "agency-gateway": (gateway_app, GatewaySettings),
    "decision": (decision_app, DecisionSettings),
    "feedback": (feedback_app, FeedbackSettings),
}
# The only unguarded /v1 route: the referrer checks their contact with its reference and the
# secret status token they were given.
PUBLIC = {("intake", "/v1/contact-status/{reference}")}
PATH_VALUES = {
    "contact_id": "0b9c2f52-6a3e-4c1e-9d55-0f1e2d3c4b5a",
    "request_id": "5d2f8a10-3b7c-4e9a-8f61-2c4d6e8fa0b1",
    "link_id": "7e1a3c5b-9d2f-4a6e-b8c0-1f3e5a7c9b2d",
    "reference": "MASH-2026-000001",
}
AGENCY = "police"
OTHER_AGENCY = "health"


@dataclass(frozen=True)
class Guarded:
    service: str
    method: str
    path: str  # as declared, e.g. /v1/contacts/{contact_id}
    capability: str
    agency_scoped: bool  # the path names an agency; only that agency's practitioners pass

    def url(self, agency: str = AGENCY) -> str:
        return re.sub(r"\{(\w+)\}", lambda m: agency if m[1] == "agency"
                      else PATH_VALUES.get(m[1], "x"), self.path)

    def __str__(self) -> str:
        return f"{self.service} {self.method} {self.path}"


def guards(dependant: Dependant) -> Iterator[Any]:
    """Every dependency callable named require_* under a route, however deep."""
    for sub in dependant.dependencies:
        if getattr(sub.call, "__name__", "").startswith("require_"):
            yield sub.call
        yield from guards(sub)


def build(service: str, data_dir: Path) -> FastAPI:
    factory, settings_cls = SERVICES[service]
    settings = settings_cls(
        env="test", data_dir=data_dir, database_url=f"sqlite+aiosqlite:///{data_dir}/roles.db",
        kafka_bootstrap="127.0.0.1:1",  # never reached: the lifespan does not run
    )
    return factory(settings)


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, FastAPI]:
    return {s: build(s, tmp_path_factory.mktemp(s)) for s in SERVICES}


def v1_routes(apps: dict[str, FastAPI]) -> Iterator[tuple[str, RouteContext]]:
    """Every /v1 route as served: included routers' routes with their effective dependencies
    (what the router and the include add, as well as the route's own)."""
    for service, app in apps.items():
        for route in iter_route_contexts(app.routes):
            if isinstance(route.original_route, APIRoute) and (route.path or "").startswith(
                    "/v1/"):
                yield service, route


def guarded_routes(apps: dict[str, FastAPI]) -> list[Guarded]:
    found = []
    for service, route in v1_routes(apps):
        for call in guards(route.dependant):
            for method in sorted(route.methods or ()):
                found.append(Guarded(service, method, str(route.path), call.capability,
                                     bool(getattr(call, "agency_scoped", False))))
    return found


async def call(
    app: FastAPI, method: str, url: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    """One request straight into the ASGI app (no lifespan: no broker, no database)."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
        body = {} if method in {"POST", "PUT", "PATCH"} else None
        return await client.request(method, url, json=body, headers=headers)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_every_v1_route_but_the_referrers_status_check_is_guarded(
    apps: dict[str, FastAPI],
) -> None:
    unguarded = sorted(
        f"{service} {sorted(route.methods or ())} {route.path}"
        for service, route in v1_routes(apps)
        if (service, route.path) not in PUBLIC and not any(guards(route.dependant))
    )
    assert not unguarded, f"routes without a require_* guard: {unguarded}"
    for service, route in v1_routes(apps):
        named = [c.capability for c in guards(route.dependant)]
        assert len(named) <= 1, f"{service} {route.path} names several capabilities: {named}"
        assert all(c in CAN for c in named), (service, route.path, named)


def test_the_walk_finds_the_routes_it_should(apps: dict[str, FastAPI]) -> None:
    found = {(g.service, g.method, g.path): g.capability for g in guarded_routes(apps)}
    # A sample, so that a broken walk cannot pass vacuously.
    assert found[("intake", "POST", "/v1/contacts")] == "record-contact"
    assert found[("triage", "POST", "/v1/contacts/{contact_id}/threshold-decision")] == "screen"
    assert found[("triage", "POST", "/v1/contacts/{contact_id}/rag-rating")] == "rate"
    assert found[("decision", "POST", "/v1/contacts/{contact_id}/decision")] == "decide"
    assert found[("agency-gateway", "POST",
                  "/v1/agencies/{agency}/requests/{request_id}/response")] == "answer-request"
    for service in SERVICES:  # the shared operations route, on every service
        assert found[(service, "GET", "/v1/dead-letters")] == "read-dead-letters"
    assert len(found) >= 25


async def test_every_role_the_capability_does_not_allow_is_refused(
    apps: dict[str, FastAPI],
) -> None:
    checked = 0
    for route in guarded_routes(apps):
        app = apps[route.service]
        allowed = CAN[route.capability]
        for role in Role:
            if role in allowed:
                continue  # (an agency's own practitioner: see the agency tests below)
            # An agency claim in the token changes nothing for a role that is not allowed.
            agency = AGENCY if role is Role.AGENCY_PRACTITIONER or route.agency_scoped else None
            r = await call(app, route.method, route.url(), staff_headers(role, agency=agency))
            assert r.status_code == 403, f"{route} as {role}: {r.status_code} {r.text}"
            checked += 1
    assert checked >= 50


@pytest.mark.parametrize("problem", ["no token", "another key", "expired", "not a token",
                                     "the old headers"])
async def test_a_missing_or_bad_token_is_401_everywhere(
    apps: dict[str, FastAPI], problem: str
) -> None:
    other_key, _ = generate_key_pair()
    for route in guarded_routes(apps):
        # The role would be allowed: only the token itself is wrong.
        role = sorted(CAN[route.capability])[0]
        agency = AGENCY if role == Role.AGENCY_PRACTITIONER else None
        headers = {
            "no token": {},
            "another key": bearer(TokenSigner(other_key).mint("staff:x", role, agency)),
            "expired": bearer(TokenSigner(ttl_s=60, clock=lambda: time.time() - 3600)
                              .mint("staff:x", role, agency)),
            "not a token": bearer("eyJhbGciOiJFZERTQSJ9.e30.c2ln"),
            "the old headers": {"X-Mash-User": "staff:x", "X-Mash-Role": str(role),
                                "X-Mash-Agency": AGENCY},
        }[problem]
        r = await call(apps[route.service], route.method, route.url(), headers)
        assert r.status_code == 401, f"{route} with {problem}: {r.status_code} {r.text}"
        assert r.headers.get("www-authenticate") == "Bearer", route


async def test_an_agency_practitioner_opens_only_their_own_agencys_requests(
    apps: dict[str, FastAPI],
) -> None:
    scoped = [g for g in guarded_routes(apps) if g.agency_scoped]
    assert {g.path for g in scoped} == {
        "/v1/agencies/{agency}/requests",
        "/v1/agencies/{agency}/requests/{request_id}",
        "/v1/agencies/{agency}/requests/{request_id}/response",
    }
    agencies = list(apps["agency-gateway"].state.runtime.settings.agencies)
    assert AGENCY in agencies and OTHER_AGENCY in agencies
    for route in scoped:
        for theirs in agencies:
            for mine in agencies:
                if mine == theirs:
                    continue
                practitioner = staff_headers(Role.AGENCY_PRACTITIONER, f"staff:{mine}-1",
                                             agency=mine)
                r = await call(apps[route.service], route.method, route.url(theirs), practitioner)
                assert r.status_code == 403, f"{route} for {theirs} as {mine}'s practitioner"
        # ...and another agency's system token likewise.
        r = await call(apps[route.service], route.method, route.url(AGENCY),
                 bearer(f"dev-{OTHER_AGENCY}-token"))
        assert r.status_code == 403, route


async def test_the_guard_runs_before_the_body_is_validated(apps: dict[str, FastAPI]) -> None:
    """The refusals above are the guard's, not a 422 in disguise: with an allowed role the
    same empty body is refused by validation instead."""
    app = apps["triage"]
    url = f"/v1/contacts/{PATH_VALUES['contact_id']}/threshold-decision"
    assert (await call(app, "POST", url, staff_headers(Role.MASH_MANAGER))).status_code == 403
    assert (await call(app, "POST", url, staff_headers(Role.DECISION_MAKER))).status_code == 422
    gateway = apps["agency-gateway"]
    answer = f"/v1/agencies/{AGENCY}/requests/{PATH_VALUES['request_id']}/response"
    own = staff_headers(Role.AGENCY_PRACTITIONER, agency=AGENCY)
    assert (await call(gateway, "POST", answer, own)).status_code == 422
