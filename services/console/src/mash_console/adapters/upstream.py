"""Asking the other services whether they are up: GET <service>/readyz, with a short timeout."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Literal

import httpx

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


class Upstreams:
    """The services the console renders over. Owns one pooled HTTP client."""

    def __init__(self, urls: dict[str, str], *, timeout_s: float) -> None:
        self.urls = urls
        self.timeout_s = timeout_s
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.timeout_s)
        return self._client

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    async def check(self, service: str, url: str) -> ServiceStatus:
        try:
            response = await self._http().get(f"{url}/readyz")
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
