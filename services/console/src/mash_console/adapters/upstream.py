"""The services the console renders over, called on a signed-in person's behalf.

Every call carries a staff token minted for that person (their username, role and agency), so
each service checks the caller itself: the console is not the only gate.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from mash_common.auth import Caller, TokenSigner

State = Literal["up", "not_ready", "unreachable"]
LABELS: dict[State, str] = {"up": "Up", "not_ready": "Not ready", "unreachable": "Not reachable"}


@dataclass(frozen=True)
class ServiceStatus:
    service: str
    url: str
    state: State
    http_status: int | None = None
    detail: str | None = None

    @property
    def label(self) -> str:
        return LABELS[self.state]

    @property
    def docs_url(self) -> str:
        return f"{self.url}/docs"

    def public(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "status": self.state,
            "http_status": self.http_status,
            "detail": self.detail,
        }


class UpstreamError(Exception):
    """A service answered with an error, or did not answer."""

    def __init__(self, service: str, status: int | None, detail: Any) -> None:
        super().__init__(f"{service}: {status} {detail}")
        self.service = service
        self.status = status
        self.detail = detail

    @property
    def field_errors(self) -> dict[str, str]:
        """A 422's errors by dotted field path (the `loc` after "body"), for the form."""
        errors: dict[str, str] = {}
        if self.status == 422 and isinstance(self.detail, list):
            for err in self.detail:
                loc = [str(p) for p in err.get("loc", []) if p != "body"]
                errors.setdefault(".".join(loc) or "form", str(err.get("msg", "is not valid")))
        return errors

    @property
    def message(self) -> str:
        if self.status is None:
            return f"The {self.service} service could not be reached. Try again in a minute."
        if isinstance(self.detail, str):
            return self.detail
        if self.field_errors:
            return "; ".join(f"{k}: {v}" for k, v in self.field_errors.items())
        return f"The {self.service} service answered {self.status}."


class Api:
    """One person's view of the services."""

    def __init__(self, upstreams: Upstreams, caller: Caller) -> None:
        self._up = upstreams
        self.caller = caller

    async def call(
        self,
        method: str,
        service: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        url = f"{self._up.urls[service]}{path}"
        all_headers = {**self._up.signer.headers(self.caller), **(headers or {})}
        try:
            response = await self._up.http().request(
                method, url, params=params, json=json, headers=all_headers
            )
        except httpx.HTTPError as exc:
            raise UpstreamError(service, None, type(exc).__name__) from exc
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail", response.text)
            except ValueError:
                detail = response.text
            raise UpstreamError(service, response.status_code, detail)
        return response.json() if response.content else None

    async def get(self, service: str, path: str, **params: Any) -> Any:
        clean = {k: v for k, v in params.items() if v is not None}
        return await self.call("GET", service, path, params=clean)

    async def get_kept(self, service: str, path: str, *, ttl_s: float) -> Any:
        """A read that seldom changes (a service's settings), kept for `ttl_s`. Kept per role:
        an answer is only reused for a role the service has already let read it. A failure is
        not kept."""
        key = (service, path, self.caller.role)
        now = self._up.clock()
        kept = self._up.kept.get(key)
        if kept is not None and now - kept[0] < ttl_s:
            return kept[1]
        value = await self.get(service, path)
        self._up.kept[key] = (now, value)
        return value

    async def post(self, service: str, path: str, body: Any,
                   headers: dict[str, str] | None = None) -> Any:
        return await self.call("POST", service, path, json=body, headers=headers)


class Upstreams:
    """The services the console renders over. Owns one pooled HTTP client."""

    def __init__(
        self, urls: dict[str, str], *, timeout_s: float, signer: TokenSigner | None = None,
        api_timeout_s: float = 10.0, transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.urls = urls
        self.timeout_s = timeout_s
        self.api_timeout_s = api_timeout_s
        self.signer = signer or TokenSigner()
        self._transport = transport  # unit tests put a fake of the services here
        self._client: httpx.AsyncClient | None = None
        self.clock = clock
        # (service, path, role) -> (when read, answer): see Api.get_kept.
        self.kept: dict[tuple[str, str, str], tuple[float, Any]] = {}

    def http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.api_timeout_s,
                                             transport=self._transport)
        return self._client

    def as_caller(self, caller: Caller) -> Api:
        return Api(self, caller)

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    async def check(self, service: str, url: str) -> ServiceStatus:
        try:
            response = await self.http().get(f"{url}/readyz", timeout=self.timeout_s)
        except httpx.HTTPError as exc:
            return ServiceStatus(service, url, "unreachable", detail=type(exc).__name__)
        if response.status_code == 200:
            return ServiceStatus(service, url, "up", response.status_code)
        return ServiceStatus(
            service, url, "not_ready", response.status_code, f"HTTP {response.status_code}"
        )

    async def check_all(self) -> list[ServiceStatus]:
        return list(
            await asyncio.gather(*(self.check(name, url) for name, url in self.urls.items()))
        )
