"""Recording a phone contact: the whole Multi Agency Referral Form, posted to intake.

The form carries an idempotency key made when it was first shown, so a double submit (or a
retry after a time-out) returns the same contact instead of making two. intake's 422 comes back
beside each field; every value typed stays in the form.
"""

from __future__ import annotations

import re
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from mash_common.logging import get_logger

from ..adapters.upstream import UpstreamError
from ..domain import marf
from ..domain.form_fields import FORM, text
from .web import Viewer, form, page, redirect, render, restore_draft

router = APIRouter(tags=["contacts"])
log = get_logger("mash.console.contacts")

NEW = "/contacts/new"
RECORDED = "/contacts/new/recorded"
REFERENCE = re.compile(r"^MASH-\d{4}-\d{6}$")
CONTACT_ID = re.compile(r"^[0-9a-f-]{36}$")
KEY = re.compile(r"^[A-Za-z0-9_-]{16,100}$")


def new_idempotency_key() -> str:
    return secrets.token_urlsafe(24)


def _form_page(
    request: Request, viewer: Viewer, values: dict[str, Any],
    problems: dict[str, str] | None = None, status_code: int = 200,
) -> HTMLResponse:
    return render(
        request, "contact_new.html", viewer, status_code=status_code,
        form=marf.view(values, problems), counts=marf.counts(values),
        idempotency_key=text(values, "idempotency_key"),
        limits=marf.LIMITS, nouns=marf.NOUN,
        contact_types=marf.CONTACT_TYPES, sources=marf.source_items(),
        referrer_kinds=marf.REFERRER_KINDS, genders=marf.GENDERS, consent=marf.CONSENT,
        factors=marf.factor_items(), referrer_levels=marf.REFERRER_LEVELS,
    )


def _with_key(values: dict[str, Any]) -> dict[str, Any]:
    """Each form shown once gets its own key; it travels with the form until it is recorded."""
    if not KEY.match(text(values, "idempotency_key")):
        values["idempotency_key"] = new_idempotency_key()
    return values


@router.get(NEW, response_class=HTMLResponse, summary="The referral form for a phone contact")
async def new_contact(
    request: Request, viewer: Annotated[Viewer, Depends(page("record-contact"))]
) -> HTMLResponse:
    draft = await restore_draft(request, viewer)
    values: dict[str, Any] = dict(draft) if draft else {"contact_type": "concern"}
    values.pop("action", None)
    return _form_page(request, viewer, _with_key(values))


@router.post(NEW, response_class=HTMLResponse, summary="Record the phone contact with intake")
async def record_contact(
    request: Request, viewer: Annotated[Viewer, Depends(form("record-contact"))]
) -> Response:
    values = _with_key(dict(viewer.fields))
    action = text(values, "action")
    values.pop("action", None)
    if action and action != "submit":
        # "Add another child", "Remove this person": the same form back, one block more or less.
        return _form_page(request, viewer, marf.apply_action(values, action))

    built = marf.build(values)
    try:
        accepted = await viewer.api.post(
            "intake", "/v1/contacts", built.body,
            headers={"Idempotency-Key": text(values, "idempotency_key")},
        )
    except UpstreamError as exc:
        if exc.status == 422:
            problems = marf.problems_of(exc.detail, built)
        else:
            problems = {FORM: _refused(exc), **built.problems}
        return _form_page(request, viewer, values, problems,
                          status_code=422 if exc.status in (400, 422) else 502)
    if built.problems:  # cannot happen: what the console could not read is never valid
        log.error("contacts.accepted_with_problems", fields=sorted(built.problems))
    contacts = accepted.get("contacts") or [accepted]
    log.info("contacts.recorded", contact_id=accepted.get("contact_id"),
             children=len(contacts), by=viewer.member.username)
    return redirect(RECORDED, contact_id=str(accepted.get("contact_id", "")),
                    refs=",".join(str(c.get("reference", "")) for c in contacts))


def _refused(exc: UpstreamError) -> str:
    if exc.status is None:
        return ("The contact was not recorded: intake could not be reached. Nothing you typed "
                "is lost; try again in a minute.")
    return f"The contact was not recorded: {exc.message}"


@router.get(RECORDED, response_class=HTMLResponse, summary="The contact was recorded")
async def contact_recorded(
    request: Request, viewer: Annotated[Viewer, Depends(page("record-contact"))]
) -> HTMLResponse:
    # Only references and an id travel in the address: never anything about the child.
    refs = [r for r in request.query_params.get("refs", "").split(",") if REFERENCE.match(r)]
    contact_id = request.query_params.get("contact_id", "")
    return render(request, "contact_recorded.html", viewer, references=refs,
                  contact_id=contact_id if CONTACT_ID.match(contact_id) else None)
