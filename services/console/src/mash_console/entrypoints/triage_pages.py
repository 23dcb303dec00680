"""Screening (the decision maker's threshold decision, with the contact's repeat contacts to
confirm or reject) and the MASH manager's RAG rating, each over triage's and intake's APIs.

Each form posts to the page that shows it, so a form kept across a session time-out comes back
as it was left (`restore_draft`). The levels of need and the RAG timescales on the forms are
triage's own settings (`GET /v1/settings`), read with the person's token and kept a minute.
"""

from __future__ import annotations

import asyncio
import re
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from mash_common.logging import get_logger
from mash_schemas.codes import AGENCIES, CIN_FACTORS, CONTACT_SOURCES

from ..adapters.upstream import UpstreamError
from ..domain import marf, screening
from ..domain.form_fields import FORM, text
from ..domain.formatting import agency_name
from .web import Viewer, form, page, redirect, render, restore_draft

router = APIRouter(tags=["triage"])
log = get_logger("mash.console.triage")

ID = re.compile(r"^[0-9A-Za-z][0-9A-Za-z-]{0,63}$")
DECISIONS = ("confirmed", "rejected")
# Triage's settings change only when it restarts with new ones: a minute's staleness at most.
PRACTICE_TTL_S = 60.0


class Missing(Exception):
    """The contact (or link) is not there, or the address was not an id."""


def _checked(*ids: str) -> None:
    if not all(ID.match(i) for i in ids):
        raise Missing()


async def _both(*calls: Any) -> list[Any]:
    """Several reads at once; each one's UpstreamError is returned in its place."""
    return list(await asyncio.gather(*calls, return_exceptions=True))


def _labels() -> dict[str, Any]:
    return {
        "outcomes": screening.OUTCOMES, "outcome_hints": screening.OUTCOME_HINTS,
        "social_care_responses": screening.SOCIAL_CARE_RESPONSES,
        "lawful_bases": screening.LAWFUL_BASES,
        "lawful_basis_hints": screening.LAWFUL_BASIS_HINTS,
        "statuses": screening.STATUSES, "strengths": screening.STRENGTHS,
        "bases": screening.BASES, "link_statuses": screening.LINK_STATUSES,
        "link_decisions": screening.LINK_DECISIONS, "sources": CONTACT_SOURCES,
        "factors": CIN_FACTORS, "genders": marf.GENDERS, "referrer_kinds": marf.REFERRER_KINDS,
        "referrer_levels": marf.REFERRER_LEVELS, "long_date": long_date,
    }


async def _local_practice(viewer: Viewer) -> screening.LocalPractice:
    """Triage's levels of need and RAG timescales, worded for the forms."""
    answer = await viewer.api.get_kept("triage", "/v1/settings", ttl_s=PRACTICE_TTL_S)
    return screening.local_practice(answer)


def _practice_labels(practice: screening.LocalPractice) -> dict[str, Any]:
    return {"levels": practice.levels, "ratings": practice.ratings,
            "working_hours": practice.working_hours}


def long_date(value: Any) -> str:
    """'2017-05-01' -> '1 May 2017' (a date as a person reads it)."""
    try:
        return date.fromisoformat(str(value)[:10]).strftime("%-d %B %Y")
    except ValueError:
        return str(value or "")


def _trouble(request: Request, viewer: Viewer, exc: Exception, what: str = "contact"
             ) -> HTMLResponse:
    """A page that cannot be shown: the contact is not there, or a service did not answer."""
    if isinstance(exc, Missing) or (isinstance(exc, UpstreamError) and exc.status == 404):
        return render(request, "error.html", viewer, status_code=404,
                      title=f"{what.capitalize()} not found",
                      message=f"There is no {what} at this address. It may have been typed "
                              "wrongly; find it from the queues instead.")
    message = exc.message if isinstance(exc, UpstreamError) else "Something went wrong."
    return render(request, "error.html", viewer, status_code=502,
                  title="This contact cannot be shown just now", message=message)


def _no_practice(request: Request, viewer: Viewer, exc: Exception) -> HTMLResponse:
    """Triage's settings could not be read: the form is not worded from guesses instead."""
    log.warning("triage.settings_unavailable", error=str(exc))
    if isinstance(exc, UpstreamError) and exc.status is None:
        message = exc.message
    else:
        message = ("The local levels of need and RAG timescales could not be read from "
                   "triage. Try again in a minute.")
    return render(request, "error.html", viewer, status_code=502,
                  title="This contact cannot be shown just now", message=message)


# --- screening -------------------------------------------------------------------------------


async def _screening_page(
    request: Request, viewer: Viewer, contact_id: str, values: dict[str, Any],
    problems: dict[str, str] | None = None, status_code: int = 200,
    notice: str | None = None,
) -> HTMLResponse:
    try:
        _checked(contact_id)
    except Missing as exc:
        return _trouble(request, viewer, exc)
    record, referral, links, practice = await _both(
        viewer.api.get("triage", f"/v1/contacts/{contact_id}"),
        viewer.api.get("intake", f"/v1/contacts/{contact_id}"),
        viewer.api.get("intake", f"/v1/contacts/{contact_id}/links"),
        _local_practice(viewer),
    )
    if isinstance(record, Exception):
        return _trouble(request, viewer, record)
    if isinstance(practice, Exception):
        return _no_practice(request, viewer, practice)
    return render(
        request, "screening.html", viewer, status_code=status_code,
        contact=record, contact_id=contact_id,
        referral=None if isinstance(referral, Exception) else referral,
        referral_error=referral.message if isinstance(referral, UpstreamError) else None,
        links=None if isinstance(links, Exception) else links,
        links_error=links.message if isinstance(links, UpstreamError) else None,
        form=screening.view(values, problems, screening.THRESHOLD_ORDER),
        notice=notice, **_labels(), **_practice_labels(practice),
    )


LINK_NOTICES = {
    "confirmed": "Link confirmed: the two contacts are recorded as being about the same child.",
    "rejected": "Link rejected: the two contacts are recorded as being about different "
                "children.",
}


@router.get("/contacts/{contact_id}/screening", response_class=HTMLResponse,
            summary="Screen a contact: the threshold decision")
async def screening_page(
    request: Request, contact_id: str, viewer: Annotated[Viewer, Depends(page("screen"))]
) -> HTMLResponse:
    draft = await restore_draft(request, viewer)
    notice = LINK_NOTICES.get(request.query_params.get("link", ""))
    return await _screening_page(request, viewer, contact_id, dict(draft or {}), notice=notice)


@router.post("/contacts/{contact_id}/screening", response_class=HTMLResponse,
             summary="Record the threshold decision with triage")
async def screen(
    request: Request, contact_id: str, viewer: Annotated[Viewer, Depends(form("screen"))]
) -> Response:
    values = dict(viewer.fields)
    built = screening.threshold_decision(values)
    if built.problems:
        return await _screening_page(request, viewer, contact_id, values, built.problems, 422)
    try:
        _checked(contact_id)
        decided = await viewer.api.post(
            "triage", f"/v1/contacts/{contact_id}/threshold-decision", built.body)
    except Missing as exc:
        return _trouble(request, viewer, exc)
    except UpstreamError as exc:
        if exc.status == 404:
            return _trouble(request, viewer, exc)
        problems = (screening.problems_of(exc.detail, screening.THRESHOLD_ORDER)
                    if exc.status == 422 else {FORM: _not_recorded(exc)})
        return await _screening_page(request, viewer, contact_id, values, problems,
                                     422 if exc.status in (409, 422) else 502)
    log.info("triage.screened", contact_id=contact_id, outcome=built.body.get("outcome"),
             by=viewer.member.username)
    return redirect("/", done="screened", ref=str(decided.get("reference") or ""))


def _not_recorded(exc: UpstreamError) -> str:
    if exc.status is None:
        return "Not recorded: triage could not be reached. Try again in a minute."
    return f"Not recorded: {exc.message}"


# --- repeat contacts: confirm or reject a candidate link -------------------------------------


async def _link_page(
    request: Request, viewer: Viewer, contact_id: str, link_id: str, values: dict[str, Any],
    problems: dict[str, str] | None = None, status_code: int = 200,
    notice: str | None = None,
) -> HTMLResponse:
    try:
        _checked(contact_id, link_id)
        found = await viewer.api.get("intake", f"/v1/contacts/{contact_id}/links")
        link = next((lk for lk in found.get("links", []) if lk.get("link_id") == link_id), None)
        if link is None:
            raise Missing()
        _checked(str(link.get("other_contact_id", "")))
    except (Missing, UpstreamError) as exc:
        return _trouble(request, viewer, exc, "possible match")
    this, other = await _both(
        viewer.api.get("intake", f"/v1/contacts/{contact_id}"),
        viewer.api.get("intake", f"/v1/contacts/{link['other_contact_id']}"),
    )
    return render(
        request, "link_decision.html", viewer, status_code=status_code,
        contact_id=contact_id, link=link, back=_back(values.get("back"), contact_id, link_id),
        this=None if isinstance(this, Exception) else this,
        other=None if isinstance(other, Exception) else other,
        form=screening.view(values, problems, ("decision",)), notice=notice, **_labels(),
    )


def _back(value: Any, contact_id: str, link_id: str) -> str:
    """Where to go once decided: the page the buttons were on, if it is this contact's."""
    allowed = {f"/contacts/{contact_id}/screening", f"/contacts/{contact_id}/rating",
               f"/contacts/{contact_id}"}
    return value if isinstance(value, str) and value in allowed else (
        f"/contacts/{contact_id}/links/{link_id}")


@router.get("/contacts/{contact_id}/links/{link_id}", response_class=HTMLResponse,
            summary="Is an earlier contact about the same child?")
async def link_page(
    request: Request, contact_id: str, link_id: str,
    viewer: Annotated[Viewer, Depends(page("decide-link"))],
) -> HTMLResponse:
    draft = await restore_draft(request, viewer)
    notice = LINK_NOTICES.get(request.query_params.get("link", ""))
    return await _link_page(request, viewer, contact_id, link_id, dict(draft or {}),
                            notice=notice)


@router.post("/contacts/{contact_id}/links/{link_id}", response_class=HTMLResponse,
             summary="Confirm or reject that two contacts are about the same child")
async def decide_link(
    request: Request, contact_id: str, link_id: str,
    viewer: Annotated[Viewer, Depends(form("decide-link"))],
) -> Response:
    values = dict(viewer.fields)
    decision = text(values, "decision")
    if decision not in DECISIONS:
        return await _link_page(request, viewer, contact_id, link_id, values,
                                {"decision": "Say whether it is the same child"}, 422)
    try:
        _checked(contact_id, link_id)
        await viewer.api.post("intake", f"/v1/links/{link_id}/decision",
                              {"decision": decision})
    except Missing as exc:
        return _trouble(request, viewer, exc, "possible match")
    except UpstreamError as exc:
        if exc.status == 404:
            return _trouble(request, viewer, exc, "possible match")
        return await _link_page(request, viewer, contact_id, link_id, values,
                                {FORM: _not_recorded(exc)}, 422 if exc.status == 409 else 502)
    log.info("intake.link_decided", contact_id=contact_id, link_id=link_id,
             decision=decision, by=viewer.member.username)
    return redirect(_back(values.get("back"), contact_id, link_id), link=decision)


# --- RAG rating ------------------------------------------------------------------------------


async def _rating_page(
    request: Request, viewer: Viewer, contact_id: str, values: dict[str, Any],
    problems: dict[str, str] | None = None, status_code: int = 200,
) -> HTMLResponse:
    try:
        _checked(contact_id)
    except Missing as exc:
        return _trouble(request, viewer, exc)
    record, practice = await _both(
        viewer.api.get("triage", f"/v1/contacts/{contact_id}"), _local_practice(viewer))
    if isinstance(record, Exception):
        return _trouble(request, viewer, record)
    if isinstance(practice, Exception):
        return _no_practice(request, viewer, practice)
    first = record.get("status") == "awaiting_rating"
    if first and "agencies" not in values and not problems:
        # The agencies proposed for the level of need and concern, ticked; the manager may
        # change them.
        values = {**values, "agencies": list(record.get("proposed_agencies") or [])}
    return render(
        request, "rating.html", viewer, status_code=status_code,
        contact=record, contact_id=contact_id, first=first,
        can_rate=record.get("status") in ("awaiting_rating", "rated"),
        agencies=[(a, agency_name(a)) for a in AGENCIES],
        form=screening.view(values, problems, screening.RATING_ORDER), **_labels(),
        **_practice_labels(practice),
    )


@router.get("/contacts/{contact_id}/rating", response_class=HTMLResponse,
            summary="Rate (or re-rate) a contact's urgency")
async def rating_page(
    request: Request, contact_id: str, viewer: Annotated[Viewer, Depends(page("rate"))]
) -> HTMLResponse:
    draft = await restore_draft(request, viewer)
    return await _rating_page(request, viewer, contact_id, dict(draft or {}))


@router.post("/contacts/{contact_id}/rating", response_class=HTMLResponse,
             summary="Record the RAG rating with triage")
async def rate(
    request: Request, contact_id: str, viewer: Annotated[Viewer, Depends(form("rate"))]
) -> Response:
    values = dict(viewer.fields)
    first = text(values, "first") == "yes"
    current = text(values, "current_rating") or None
    built = screening.rag_rating(values, current=current, first=first)
    if built.problems:
        return await _rating_page(request, viewer, contact_id, values, built.problems, 422)
    try:
        _checked(contact_id)
        rated = await viewer.api.post("triage", f"/v1/contacts/{contact_id}/rag-rating",
                                      built.body)
    except Missing as exc:
        return _trouble(request, viewer, exc)
    except UpstreamError as exc:
        if exc.status == 404:
            return _trouble(request, viewer, exc)
        problems = (screening.problems_of(exc.detail, screening.RATING_ORDER)
                    if exc.status == 422 else {FORM: _not_recorded(exc)})
        return await _rating_page(request, viewer, contact_id, values, problems,
                                  422 if exc.status in (409, 422) else 502)
    log.info("triage.rated", contact_id=contact_id, rating=built.body.get("rating"),
             by=viewer.member.username)
    return redirect("/", done="rated", ref=str(rated.get("reference") or ""))
