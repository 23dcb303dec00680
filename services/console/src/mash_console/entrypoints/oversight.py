"""Oversight: dead letters for administrators, and the audit log for auditors.

Dead letters come from each service's own `GET /v1/dead-letters` (identifiers, reasons and
where the message came from; never the message itself). The audit log comes from decision's
`GET /v1/audit` and its hash chain's check, `GET /v1/audit/verify`. Neither page shows a
child's personal data: both hold identifiers only.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from mash_schemas.codes import AGENCIES
from mash_schemas.roles import Role

from ..adapters.upstream import Api, UpstreamError
from ..domain.formatting import parse_time
from .web import Viewer, page, render

router = APIRouter(tags=["oversight"])

# The five services, in the order of the journey (the console's Upstreams names).
SERVICES: tuple[str, ...] = ("intake", "triage", "agency-gateway", "decision", "feedback")
DEAD_LETTER_LIMIT = 100
AUDIT_PAGE = 50
MAX_TRAIL = 50


# --- dead letters -----------------------------------------------------------------------

def _unreachable(exc: UpstreamError) -> str:
    if exc.status is None:
        return f"The {exc.service} service could not be reached."
    return f"The {exc.service} service answered {exc.status}: {exc.message}"


async def _dead_letters_of(api: Api, service: str, limit: int) -> dict[str, Any]:
    try:
        body = await api.get(service, "/v1/dead-letters", limit=limit)
    except UpstreamError as exc:
        return {"service": service, "error": _unreachable(exc), "total": None, "items": [],
                "topic": f"mash.dlq.{service}"}
    body = body if isinstance(body, dict) else {}
    items = [dict(i, service=service) for i in body.get("items", []) if isinstance(i, dict)]
    return {"service": service, "error": None, "total": int(body.get("total", len(items))),
            "items": items, "topic": body.get("topic") or f"mash.dlq.{service}"}


def _newest_first(item: dict[str, Any]) -> float:
    try:
        moment = parse_time(item.get("dead_lettered_at"))
    except ValueError:
        moment = None
    return -moment.timestamp() if moment else float("inf")


@router.get("/dead-letters", response_class=HTMLResponse,
            summary="Every service's dead letters, newest first")
async def dead_letters(
    request: Request, viewer: Annotated[Viewer, Depends(page("read-dead-letters"))]
) -> HTMLResponse:
    wanted = request.query_params.get("service") or None
    chosen = wanted if wanted in SERVICES else None
    per_service = await asyncio.gather(
        *(_dead_letters_of(viewer.api, s, DEAD_LETTER_LIMIT) for s in SERVICES)
    )
    shown = [s for s in per_service if chosen is None or s["service"] == chosen]
    letters = sorted((i for s in shown for i in s["items"]), key=_newest_first)
    truncated = [s for s in shown if s["total"] is not None and s["total"] > len(s["items"])]
    return render(
        request, "dead_letters.html", viewer,
        services=per_service, chosen=chosen, unknown_service=wanted if wanted and not chosen
        else None, letters=letters, truncated=truncated,
        unreachable=[s for s in shown if s["error"]],
        total=sum(s["total"] or 0 for s in per_service),
    )


# --- the audit log ----------------------------------------------------------------------

ROLE_LABELS: dict[str, str] = {
    **{r.value: r.label for r in Role},
    "agency-system": "Agency system",
}


@dataclass
class AuditQuery:
    """The audit page's filters, read from the query string and checked."""

    contact_id: str = ""
    user: str = ""
    agency: str = ""
    dates: dict[str, dict[str, str]] = field(default_factory=dict)  # "since"/"until" d/m/y
    since: date | None = None
    until: date | None = None
    before: int | None = None
    trail: list[int] = field(default_factory=list)  # the `before` of each newer page
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, params: Any) -> AuditQuery:
        q = cls(contact_id=params.get("contact_id", "").strip()[:64],
                user=params.get("user", "").strip()[:100])
        agency = params.get("agency", "").strip()
        if agency and agency not in AGENCIES:
            q.errors["agency"] = "Select an agency from the list"
        else:
            q.agency = agency
        for name, label in (("since", "From"), ("until", "To")):
            parts = {p: params.get(f"{name}-{p}", "").strip()[:4] for p in ("day", "month", "year")}
            q.dates[name] = parts
            if not any(parts.values()):
                continue
            try:
                setattr(q, name, date(int(parts["year"]), int(parts["month"]), int(parts["day"])))
            except ValueError:
                q.errors[f"{name}-day"] = (
                    f"The ‘{label}’ date must be a real date, for example 2 3 2026")
        if q.since and q.until and q.until < q.since:
            q.errors["until-day"] = "The ‘To’ date must be the same as or after the ‘From’ date"
        q.before = _positive(params.get("before"))
        q.trail = [n for n in (_positive(t, zero=True) for t in
                               params.get("trail", "").split(",")[:MAX_TRAIL]) if n is not None]
        return q

    def filters(self) -> dict[str, str]:
        """The filters as the page's own query string (for the paging links)."""
        out: dict[str, str] = {}
        if self.contact_id:
            out["contact_id"] = self.contact_id
        if self.user:
            out["user"] = self.user
        if self.agency:
            out["agency"] = self.agency
        for name, parts in self.dates.items():
            if any(parts.values()):
                out.update({f"{name}-{p}": v for p, v in parts.items()})
        return out

    def api_params(self) -> dict[str, Any]:
        def midnight(d: date) -> str:
            return datetime(d.year, d.month, d.day, tzinfo=UTC).isoformat().replace(
                "+00:00", "Z")

        return {
            "contact_id": self.contact_id or None,
            "user": self.user or None,
            "agency": self.agency or None,
            "since": midnight(self.since) if self.since else None,
            # "To" is the whole of that day: the API's `until` is exclusive.
            "until": midnight(self.until + timedelta(days=1)) if self.until else None,
            "before": self.before,
            "limit": AUDIT_PAGE,
        }

    def link(self, before: int | None, trail: list[int]) -> str:
        query = self.filters()
        if before:
            query["before"] = str(before)
        if trail:
            query["trail"] = ",".join(str(t) for t in trail[-MAX_TRAIL:])
        return "/audit" + ("?" + urlencode(query) if query else "")


def _positive(value: Any, zero: bool = False) -> int | None:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if number > 0 or (zero and number == 0) else None


async def _verify(api: Api) -> dict[str, Any]:
    try:
        body = await api.get("decision", "/v1/audit/verify")
    except UpstreamError as exc:
        return {"state": "unknown", "error": _unreachable(exc)}
    body = body if isinstance(body, dict) else {}
    head = body.get("head") or ""
    return {
        "state": "intact" if body.get("ok") else "broken",
        "entries": body.get("entries", 0),
        "first_broken": body.get("first_broken"),
        "head": head,
        "head_prefix": head[:12],
    }


async def _entries(api: Api, query: AuditQuery) -> dict[str, Any]:
    if query.errors:
        return {"entries": [], "total": None, "next_before": None, "error": None}
    try:
        body = await api.get("decision", "/v1/audit", **query.api_params())
    except UpstreamError as exc:
        return {"entries": [], "total": None, "next_before": None, "error": _unreachable(exc)}
    body = body if isinstance(body, dict) else {}
    entries = [dict(e, role_label=ROLE_LABELS.get(str(e.get("role")), e.get("role")))
               for e in body.get("entries", []) if isinstance(e, dict)]
    return {"entries": entries, "total": body.get("total", len(entries)),
            "next_before": _positive(body.get("next_before")), "error": None}


@router.get("/audit", response_class=HTMLResponse,
            summary="The audit log: who read which child's record, and whether it is intact")
async def audit(
    request: Request, viewer: Annotated[Viewer, Depends(page("read-audit"))]
) -> HTMLResponse:
    query = AuditQuery.read(request.query_params)
    verification, found = await asyncio.gather(_verify(viewer.api), _entries(viewer.api, query))
    older = newer = None
    if found["next_before"]:
        older = query.link(found["next_before"], [*query.trail, query.before or 0])
    if query.before:
        newer = query.link(query.trail[-1] if query.trail else None, query.trail[:-1])
    order = ["contact_id", "user", "agency", "since-day", "until-day"]
    errors = [{"text": query.errors[k], "href": f"#{k}"} for k in order if k in query.errors]
    return render(
        request, "audit.html", viewer, status_code=400 if errors else 200,
        query=query, verification=verification, errors=errors, error_for=query.errors,
        filtered=bool(query.filters()), older=older, newer=newer, agencies=AGENCIES, **found,
    )
