"""A client for the hub's HTTP APIs that walks a contact through the journey.

Used by the demo loader, the end-to-end tests and the benchmark: the same calls a MASH's staff
make through the console, and the same ones the README shows with curl. Each call carries a
staff token, signed as the console would sign it, for the person whose step it is (the decision
maker screens, the manager rates and decides); `as_staff` makes every call one named person's.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from .auth import DEV_TOKEN_PRIVATE_KEY, Caller, Role, TokenSigner

T = TypeVar("T")

# Who does each step when the client acts as nobody in particular.
DEMO_STAFF: dict[Role, str] = {
    Role.DECISION_MAKER: "staff:dm-demo",
    Role.MASH_MANAGER: "staff:mgr-demo",
    Role.AUDITOR: "staff:aud-demo",
    Role.ADMINISTRATOR: "staff:admin-demo",
    Role.AGENCY_PRACTITIONER: "staff:ap-demo",
}
_TOKEN_REUSE_S = 60.0  # well inside the signer's lifetime (DEFAULT_TTL_S)


class JourneyError(AssertionError):
    pass


def poll(probe: Callable[[], T | None], *, timeout: float = 30.0, what: str = "it") -> T:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(0.1)
    raise JourneyError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


def dev_agency_token(agency: str) -> str:
    """The agency gateway's development token for an agency (refused in production)."""
    return f"dev-{agency}-token"


class HubClient:
    def __init__(
        self, urls: dict[str, str], timeout: float = 30.0,
        agency_tokens: dict[str, str] | None = None,
        signer: TokenSigner | None = None,
        *,
        acting_as: Caller | None = None,
        http: httpx.Client | None = None,
    ) -> None:
        self.urls = urls
        self._owns_http = http is None
        self.http = http or httpx.Client(timeout=timeout)
        # Each agency's API token for the gateway's HTTP route; development tokens otherwise.
        self.agency_tokens = agency_tokens or {}
        # Signs staff tokens as the console does: with its key when the environment names one
        # (as `mash-token` does), else the development key.
        self.signer = signer or TokenSigner(
            os.environ.get("MASH_CONSOLE_TOKEN_PRIVATE_KEY", DEV_TOKEN_PRIVATE_KEY))
        # None: each step as the demo person whose step it is (DEMO_STAFF).
        self.acting_as = acting_as
        self._tokens: dict[Caller, tuple[float, dict[str, str]]] = {}

    def as_staff(self, role: str | Role, user: str | None = None,
                 agency: str | None = None) -> HubClient:
        """This client acting as one person for every call (sharing its connections): an
        agency practitioner's answers go with their staff token, not the agency's."""
        role = Role(role)
        if role is Role.AGENCY_PRACTITIONER and not agency:
            raise ValueError("an agency practitioner acts for one agency: name it")
        caller = Caller(user=user or DEMO_STAFF[role], role=role.value, agency=agency)
        return HubClient(self.urls, agency_tokens=self.agency_tokens, signer=self.signer,
                         acting_as=caller, http=self.http)

    def close(self) -> None:
        if self._owns_http:
            self.http.close()

    def staff_headers(self, role: Role) -> dict[str, str]:
        """Authorization for a step that is `role`'s, or the person this client acts as."""
        caller = self.acting_as or Caller(user=DEMO_STAFF[role], role=role.value)
        now = time.monotonic()
        cached = self._tokens.get(caller)
        if cached is None or now - cached[0] > _TOKEN_REUSE_S:
            cached = (now, self.signer.headers(caller))
            self._tokens[caller] = cached
        return cached[1]

    def _url(self, service: str, path: str) -> str:
        return self.urls[service] + path

    def post_contact(self, marf: dict[str, Any], idempotency_key: str | None = None) -> Any:
        headers = dict(self.staff_headers(Role.DECISION_MAKER))
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        r = self.http.post(self._url("intake", "/v1/contacts"), json=marf, headers=headers)
        if r.status_code != 202:
            raise JourneyError(f"intake answered {r.status_code}: {r.text}")
        return r.json()

    def _retry_until_known(self, call: Callable[[], httpx.Response], what: str) -> Any:
        """The next service learns of a contact through Kafka: 404 means 'not yet'."""

        def attempt() -> httpx.Response | None:
            r = call()
            return None if r.status_code == 404 else r

        r = poll(attempt, what=what)
        if r.status_code == 409:
            return None  # already done (e.g. the demo loaded twice)
        if r.status_code >= 400:
            raise JourneyError(f"{what}: {r.status_code} {r.text}")
        return r.json()

    def threshold_decision(
        self, contact_id: str, outcome: str = "mash", level_of_need: int = 3,
        rationale: str = "Concerns about neglect need information from partner agencies.",
    ) -> Any:
        return self._retry_until_known(
            lambda: self.http.post(
                self._url("triage", f"/v1/contacts/{contact_id}/threshold-decision"),
                json={"outcome": outcome, "level_of_need": level_of_need, "rationale": rationale},
                headers=self.staff_headers(Role.DECISION_MAKER),
            ),
            f"threshold decision for {contact_id}",
        )

    def rag_rating(
        self, contact_id: str, rating: str = "amber", agencies: list[str] | None = None,
        rationale: str = "Needs a same-day picture from police and health.",
    ) -> Any:
        body: dict[str, Any] = {"rating": rating, "rationale": rationale}
        if agencies is not None:
            body["agencies"] = agencies
        return self._retry_until_known(
            lambda: self.http.post(
                self._url("triage", f"/v1/contacts/{contact_id}/rag-rating"),
                json=body,
                headers=self.staff_headers(Role.MASH_MANAGER),
            ),
            f"RAG rating for {contact_id}",
        )

    def agency_requests(self, contact_id: str) -> list[dict[str, Any]]:
        r = self.http.get(self._url("agency-gateway", f"/v1/contacts/{contact_id}/requests"),
                          headers=self.staff_headers(Role.MASH_MANAGER))
        if r.status_code == 404:
            return []
        r.raise_for_status()
        body = r.json()
        return list(body["requests"] if isinstance(body, dict) else body)

    def wait_for_requests(self, contact_id: str, count: int) -> list[dict[str, Any]]:
        return poll(
            lambda: (lambda rs: rs if len(rs) >= count else None)(self.agency_requests(contact_id)),
            what=f"{count} agency requests for {contact_id}",
        )

    def answer_over_http(
        self, agency: str, request_id: str, *, known: bool, summary: str,
        responder: str = "Duty researcher",
    ) -> Any:
        """As the agency's system (its API token), or, when this client acts as a person, with
        their staff token (an agency practitioner of that agency is let in; anyone else not)."""
        if self.acting_as is None:
            token = self.agency_tokens.get(agency, dev_agency_token(agency))
            headers = {"Authorization": f"Bearer {token}"}
        else:
            headers = self.staff_headers(Role.AGENCY_PRACTITIONER)
        r = self.http.post(
            self._url("agency-gateway", f"/v1/agencies/{agency}/requests/{request_id}/response"),
            json={"known_to_agency": known, "summary": summary, "responder": responder},
            headers=headers,
        )
        if r.status_code >= 400:
            raise JourneyError(f"answer from {agency}: {r.status_code} {r.text}")
        return r.json()

    def decision_queue(self) -> list[dict[str, Any]]:
        r = self.http.get(self._url("decision", "/v1/queue"),
                          headers=self.staff_headers(Role.MASH_MANAGER))
        r.raise_for_status()
        body = r.json()
        return list(body["items"] if isinstance(body, dict) else body)

    def wait_in_decision_queue(self, contact_id: str, timeout: float = 30.0) -> dict[str, Any]:
        return poll(
            lambda: next((i for i in self.decision_queue() if i["contact_id"] == contact_id), None),
            timeout=timeout,
            what=f"{contact_id} in the decision queue",
        )

    def picture(self, contact_id: str) -> Any:
        r = self.http.get(self._url("decision", f"/v1/pictures/{contact_id}"),
                          headers=self.staff_headers(Role.MASH_MANAGER))
        r.raise_for_status()
        return r.json()

    def decide(
        self, contact_id: str, outcome: str = "social_care_s17", level_of_need: int = 3,
        receiving_team: str | None = "Assessment team north",
        rationale: str = "Needs a child and family assessment under section 17.",
        **extra: Any,
    ) -> Any:
        """`extra`: fields some outcomes require (strategy_discussion_agencies for section 47,
        signpost_service for a signpost)."""
        return self._retry_until_known(
            lambda: self.http.post(
                self._url("decision", f"/v1/contacts/{contact_id}/decision"),
                json={"outcome": outcome, "level_of_need": level_of_need,
                      "receiving_team": receiving_team, "rationale": rationale, **extra},
                headers=self.staff_headers(Role.MASH_MANAGER),
            ),
            f"decision for {contact_id}",
        )

    def feedback(self, contact_id: str) -> Any:
        r = self.http.get(self._url("feedback", f"/v1/feedback/{contact_id}"),
                          headers=self.staff_headers(Role.MASH_MANAGER))
        if r.status_code == 404:
            return None
        r.raise_for_status()
        return r.json()

    def wait_for_feedback(self, contact_id: str, timeout: float = 30.0) -> Any:
        return poll(lambda: self.feedback(contact_id), timeout=timeout,
                    what=f"feedback for {contact_id}")

    def dead_letters(self, service: str, limit: int = 100) -> dict[str, Any]:
        """A service's dead letters, newest first (an administrator's view: no payloads)."""
        r = self.http.get(self._url(service, "/v1/dead-letters"), params={"limit": limit},
                          headers=self.staff_headers(Role.ADMINISTRATOR))
        r.raise_for_status()
        return dict(r.json())

    def status(self, service: str) -> dict[str, Any]:
        return dict(self.http.get(self._url(service, "/readyz")).json())
