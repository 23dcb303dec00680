"""One contact's pages: the picture as a timeline, the manager's decision, and the feedback.

- `GET /contacts/{id}` (read-picture): everything known about the contact, oldest first, with
  where it stands and what this person may do next.
- `GET|POST /contacts/{id}/decision` (decide): the decision form, with the picture's key facts
  above it; on success, to the feedback page with a confirmation.
- `GET /contacts/{id}/feedback` (read-feedback): what the referrer was told and when, and the
  handover to the receiving team.

Each page reads the services on the person's behalf; each service records the read of a
child's record itself. A service that cannot be read is named on the page; the rest of the
page still shows what the others hold. Contact ids are UUIDs (`{contact_id:uuid}`), so other
pages under /contacts/ (e.g. /contacts/new) are never taken for a contact.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from mash_schemas.codes import AGENCIES

from ..adapters.upstream import Api, UpstreamError
from ..domain import contact_record as record
from ..domain import decision_form
from ..domain.form_fields import FORM, sentence
from ..domain.formatting import agency_name
from .web import Viewer, form, page, redirect, render, restore_draft

router = APIRouter(tags=["contacts"])

SERVICE_NAMES = {
    "intake": "intake",
    "triage": "triage (screening and rating)",
    "agency-gateway": "agency gateway (information requests)",
    "decision": "decision (the picture)",
    "feedback": "feedback",
}


class Loaded:
    """One service's answer, or why there is none."""

    def __init__(self, body: Any = None, error: UpstreamError | None = None) -> None:
        self.body = body
        self.error = error

    @property
    def missing(self) -> bool:
        """The service does not hold this contact (404)."""
        return self.error is not None and self.error.status == 404

    @property
    def problem(self) -> str | None:
        """Why the service could not be read, for the page (None: read, or simply not there)."""
        if self.error is None or self.missing:
            return None
        name = SERVICE_NAMES.get(self.error.service, self.error.service)
        if self.error.status is None:
            return f"The {name} service could not be reached."
        if self.error.status == 403:
            return f"The {name} service did not let you read this: {self.error.message}"
        return f"The {name} service could not be read: {self.error.message}"


async def _get(api: Api, service: str, path: str) -> Loaded:
    try:
        return Loaded(await api.get(service, path))
    except UpstreamError as exc:
        return Loaded(error=exc)


def _mapping(loaded: Loaded) -> dict[str, Any] | None:
    return loaded.body if isinstance(loaded.body, dict) else None


def _child(triage: dict[str, Any] | None) -> dict[str, Any] | None:
    """The child's name and age only: no more of the family's details than the page needs."""
    if not triage:
        return None
    found = triage.get("child")
    child: dict[str, Any] = found if isinstance(found, dict) else {}
    return {"first_name": child.get("first_name"), "last_name": child.get("last_name"),
            "expected_due_date": child.get("expected_due_date"),
            "age": triage.get("child_age_years")}


def _concern(triage: dict[str, Any] | None) -> str | None:
    concern = (triage or {}).get("concern")
    if isinstance(concern, dict) and isinstance(concern.get("summary"), str):
        return str(concern["summary"])
    return None


def _facts(contact_id: str, picture: dict[str, Any] | None,
           triage: dict[str, Any] | None) -> dict[str, Any]:
    """The key facts at the top of a contact's pages."""
    picture = picture or {}
    triage = triage or {}
    threshold = triage.get("threshold_decision") or picture.get("threshold") or {}
    decision = picture.get("decision") or triage.get("decision") or None
    repeats = picture.get("repeat_contacts") or {}
    return {
        "contact_id": contact_id,
        "reference": picture.get("reference") or triage.get("reference") or contact_id[:8],
        "received_at": picture.get("received_at") or triage.get("received_at"),
        "immediate_risk": picture.get("immediate_risk", triage.get("immediate_risk")),
        "stage": record.stage(picture or None, triage or None),
        "status": picture.get("status"),
        "rating": picture.get("rating") or triage.get("rating"),
        "deadline": picture.get("deadline") or triage.get("deadline"),
        "time_left_seconds": picture.get("time_left_seconds"),
        "threshold_outcome": record.THRESHOLD_OUTCOMES.get(str(threshold.get("outcome")))
        if threshold else None,
        "level_of_need": threshold.get("level_of_need") if threshold else None,
        "contacts_in_12_months": repeats.get("contacts_in_12_months"),
        "decision": decision,
        "decision_label": record.outcome_label((decision or {}).get("outcome")),
        "breaches": len(picture.get("breaches") or []),
        "completion": picture.get("completion"),
    }


# --- the picture, as a timeline ------------------------------------------------------------


@router.get("/contacts/{contact_id:uuid}", response_class=HTMLResponse,
            summary="A contact's picture, as a timeline")
async def picture_page(
    request: Request, contact_id: UUID,
    viewer: Annotated[Viewer, Depends(page("read-picture"))],
) -> HTMLResponse:
    cid = str(contact_id)
    api = viewer.api
    picture, triage, requests, feedback = await asyncio.gather(
        _get(api, "decision", f"/v1/pictures/{cid}"),
        _get(api, "triage", f"/v1/contacts/{cid}"),
        _get(api, "agency-gateway", f"/v1/contacts/{cid}/requests"),
        _get(api, "feedback", f"/v1/feedback/{cid}"),
    )
    loaded = (picture, triage, requests, feedback)
    if picture.missing and triage.missing:
        return render(request, "error.html", viewer, status_code=404,
                      title="Contact not found",
                      message="No service holds a contact with this id. Check the link, or "
                      "go back to the queues.")
    pic, tri, fb = _mapping(picture), _mapping(triage), _mapping(feedback)
    request_list: list[Mapping[str, Any]] | None = None
    if isinstance(requests.body, dict):
        request_list = [r for r in requests.body.get("requests") or [] if isinstance(r, dict)]
    problems = [p for p in (x.problem for x in loaded) if p]
    entries = record.timeline(pic, tri, request_list, fb)
    return render(
        request, "picture.html", viewer,
        facts=_facts(cid, pic, tri), child=_child(tri), concern=_concern(tri),
        entries=entries, problems=problems,
        requests=record.requests_table(request_list, pic),
        actions=record.actions(cid, viewer.can, pic, tri),
        picture_missing=picture.missing,
    )


# --- the decision --------------------------------------------------------------------------


async def _decision_context(api: Api, cid: str) -> tuple[Loaded, Loaded]:
    picture, triage = await asyncio.gather(
        _get(api, "decision", f"/v1/pictures/{cid}"),
        _get(api, "triage", f"/v1/contacts/{cid}"),
    )
    return picture, triage


def _decision_page(
    request: Request, viewer: Viewer, cid: str, picture: Loaded, triage: Loaded,
    values: dict[str, Any], errors: dict[str, str] | None = None, *,
    status_code: int = 200, draft_restored: bool = False,
) -> HTMLResponse:
    pic, tri = _mapping(picture), _mapping(triage)
    errors = errors or {}
    form_view = decision_form.view(values, errors)
    current = (pic or {}).get("decision")
    can_decide = pic is not None and pic.get("status") in ("ready", "decided")
    if pic is None and status_code == 200:
        status_code = 404 if picture.missing else 502
    return render(
        request, "decision.html", viewer, status_code=status_code,
        facts=_facts(cid, pic, tri), child=_child(tri), concern=_concern(tri),
        agencies=(pic or {}).get("agencies") or [],
        picture_problem=picture.problem, picture_missing=picture.missing,
        triage_problem=triage.problem,
        show_form=can_decide, current=current,
        supersedes=values.get("supersedes") or (current or {}).get("decision_id") or "",
        form=form_view, errors=form_view.summary(), form_problem=errors.get(FORM),
        outcomes=decision_form.OUTCOMES, team_labels=decision_form.TEAM_LABELS,
        strategy_core=decision_form.STRATEGY_CORE, agencies_all=_agency_choices(),
        draft_restored=draft_restored,
    )


def _agency_choices() -> list[tuple[str, str]]:
    return [(a, agency_name(a)) for a in AGENCIES]


@router.get("/contacts/{contact_id:uuid}/decision", response_class=HTMLResponse,
            summary="The manager's decision form")
async def decision_form_page(
    request: Request, contact_id: UUID,
    viewer: Annotated[Viewer, Depends(page("decide"))],
) -> HTMLResponse:
    cid = str(contact_id)
    draft = await restore_draft(request, viewer)
    picture, triage = await _decision_context(viewer.api, cid)
    return _decision_page(request, viewer, cid, picture, triage, draft or {},
                          draft_restored=draft is not None)


@router.post("/contacts/{contact_id:uuid}/decision", response_class=HTMLResponse,
             summary="Record the manager's decision")
async def decide(
    request: Request, contact_id: UUID,
    viewer: Annotated[Viewer, Depends(form("decide"))],
) -> Response:
    cid = str(contact_id)
    values = viewer.fields
    parsed = decision_form.parse(values)
    if not parsed.errors:
        try:
            await viewer.api.post("decision", f"/v1/contacts/{cid}/decision", parsed.body)
        except UpstreamError as exc:
            errors, status = _decision_problems(exc, str(values.get("outcome") or ""))
            picture, triage = await _decision_context(viewer.api, cid)
            return _decision_page(request, viewer, cid, picture, triage, values, errors,
                                  status_code=status)
        return redirect(f"/contacts/{cid}/feedback", decided=parsed.body["outcome"])
    picture, triage = await _decision_context(viewer.api, cid)
    return _decision_page(request, viewer, cid, picture, triage, values, parsed.errors,
                          status_code=422)


def _decision_problems(exc: UpstreamError, outcome: str) -> tuple[dict[str, str], int]:
    if exc.status == 422:
        return decision_form.problems(exc.detail, outcome), 422
    if exc.status == 409:
        return {FORM: sentence(exc.message)}, 409
    if exc.status == 404:
        return {FORM: "The decision service has no picture for this contact."}, 404
    if exc.status == 403:
        return {FORM: "The decision service did not let you record a decision: "
                      + exc.message}, 403
    if exc.status is None:
        return {FORM: "The decision could not be recorded: the decision service could not be "
                      "reached. Your answers are below; try again in a minute."}, 502
    return {FORM: f"The decision could not be recorded: {exc.message}"}, 502


# --- feedback ------------------------------------------------------------------------------


@router.get("/contacts/{contact_id:uuid}/feedback", response_class=HTMLResponse,
            summary="What was fed back to the referrer and the receiving team")
async def feedback_page(
    request: Request, contact_id: UUID,
    viewer: Annotated[Viewer, Depends(page("read-feedback"))],
) -> HTMLResponse:
    cid = str(contact_id)
    # The messages themselves name the child and the referrer, and the handover holds the
    # child's identifying details: only the MASH manager, who decided and hands the case over,
    # reads them. Others see what was sent, to whom and when. The handover (an audited read)
    # is not even asked for on their behalf.
    family_details = viewer.can("decide")
    feedback = await _get(viewer.api, "feedback", f"/v1/feedback/{cid}")
    handover = (await _get(viewer.api, "feedback", f"/v1/handover/{cid}")
                if family_details and feedback.body else Loaded())
    body = _mapping(feedback)
    waiting = None
    if feedback.missing:
        detail = feedback.error.detail if feedback.error else None
        status = detail.get("status") if isinstance(detail, dict) else None
        waiting = record.WAITING.get(str(status), record.WAITING["awaiting_decision"])
    handovers = handover.body if isinstance(handover.body, list) else None
    decided = request.query_params.get("decided")
    return render(
        request, "feedback.html", viewer,
        contact_id=cid, reference=(body or {}).get("reference") or cid[:8],
        referrer_kind=(body or {}).get("referrer_kind"),
        status=(body or {}).get("status"),
        decisions=record.feedback_view(body or {}, handovers),
        waiting=waiting, problem=feedback.problem or handover.problem,
        family_details=family_details,
        decided=record.outcome_label(decided) if decided in record.DECISION_OUTCOMES else None,
    )
