"""An agency practitioner's pages: their agency's open requests, and the form to answer one.

Only the signed-in practitioner's own agency (`member.agency`) is ever asked for: the gateway
checks the same from the staff token (a practitioner of another agency is refused there too).
The answer form follows the gateway's answer contract (`AnswerBody`,
docs/agency-integration.md); the gateway's field errors come back onto the form's fields.
"""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from ..adapters.upstream import Api, UpstreamError
from ..domain.formatting import agency_name, parse_time, when
from .web import NotAllowed, Viewer, form, page, redirect, render, restore_draft

router = APIRouter(tags=["agency"])

ANSWER = "answer-request"
GATEWAY = "agency-gateway"

# Every read of the list is an audited read of each child on it (the gateway logs one
# RecordAccessed per contact), so the list refreshes less often than the hub's own queues.
MIN_REFRESH_S = 60
# The one request's page finds it among the agency's open requests (the gateway has no route
# for a single request): at most this many are read.

DATE_ROWS = 3
ATTACHMENT_ROWS = 2
MAX_TEXT = 20_000
REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/_-]{0,63}$")
REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")

# What the MASH asks every agency: the questions of the answer contract.
QUESTIONS: tuple[str, ...] = (
    "Is the child or their family known to your agency?",
    "What does your agency know? If your records hold nothing, say so.",
    "What has your agency's involvement with the child or family been?",
    "What risks do you know of?",
    "Which dates matter (incidents, arrests, appointments)?",
)

# The need-to-know fields, as the referral form names them (only those sent are shown).
CHILD_LABELS: dict[str, str] = {
    "first_name": "First name",
    "last_name": "Last name",
    "other_names": "Other names",
    "date_of_birth": "Date of birth",
    "expected_due_date": "Expected due date",
    "gender": "Gender",
    "nhs_number": "NHS number",
    "address": "Address",
    "postcode": "Postcode",
    "gp": "GP practice",
    "school": "School or nursery",
}
PERSON_LABELS: dict[str, str] = {
    "name": "Name",
    "first_name": "First name",
    "last_name": "Last name",
    "relationship": "Relationship to the child",
    "date_of_birth": "Date of birth",
    "address": "Address",
    "postcode": "Postcode",
    "parental_responsibility": "Parental responsibility",
}
GROUPS: tuple[tuple[str, str], ...] = (
    ("household", "Household member"),
    ("significant_adults", "Significant adult"),
)

PRACTITIONER_FIELDS: tuple[tuple[str, str, int], ...] = (
    ("name", "Practitioner's name", 200),
    ("role", "Practitioner's role", 200),
    ("team", "Team", 200),
    ("phone", "Phone number", 40),
    ("email", "Email address", 320),
)


# --- the list ---------------------------------------------------------------------------

def _agency_of(viewer: Viewer) -> str:
    agency = viewer.member.agency
    if not agency:
        raise NotAllowed(ANSWER, "Your account does not name an agency, so there are no "
                         "requests to show. Ask your MASH administrator to set your agency.")
    return agency


def _show(value: Any) -> str:
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value).strftime("%-d %B %Y")
        except ValueError:
            return value
    return str(value)


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _rows(record: dict[str, Any], labels: dict[str, str]) -> list[tuple[str, str]]:
    keys = [k for k in labels if k in record] + [k for k in record if k not in labels]
    return [(labels.get(k, _label(k)), _show(record[k])) for k in keys
            if record[k] not in (None, "", [], {}) and not isinstance(record[k], dict | list)]


def detail_sections(details: Any) -> list[dict[str, Any]]:
    """The need-to-know record, as summary lists: the child, then each person sent."""
    if not isinstance(details, dict):
        return []
    sections: list[dict[str, Any]] = []
    child = details.get("child")
    if isinstance(child, dict) and _rows(child, CHILD_LABELS):
        sections.append({"key": "child", "heading": "The child",
                         "rows": _rows(child, CHILD_LABELS)})
    for key, title in GROUPS:
        people = details.get(key) or []
        for n, person in enumerate(p for p in people if isinstance(p, dict)):
            rows = _rows(person, PERSON_LABELS)
            if rows:
                relationship = person.get("relationship")
                sections.append({
                    "key": f"{key}-{n + 1}",
                    "heading": f"{title} {n + 1}" + (f": {relationship}" if relationship else ""),
                    "rows": rows,
                })
    return sections


def _child(item: dict[str, Any]) -> dict[str, Any]:
    details = item.get("subject_details")
    child = details.get("child") if isinstance(details, dict) else None
    return child if isinstance(child, dict) else {}


def _urgency(item: dict[str, Any]) -> tuple[bool, float, int]:
    """Most urgent first: the earliest deadline (the overdue first), then red, amber, green."""
    deadline = parse_time(item.get("respond_by"))
    rank = {"red": 0, "amber": 1, "green": 2}.get(str(item.get("rating")), 3)
    return (deadline is None, deadline.timestamp() if deadline else 0.0, rank)


async def load_requests(api: Api, agency: str, limit: int = 100) -> dict[str, Any]:
    try:
        body = await api.get(GATEWAY, f"/v1/agencies/{quote(agency, safe='')}/requests",
                             limit=limit)
    except UpstreamError as exc:
        if exc.status == 403:
            raise NotAllowed(ANSWER, exc.message) from exc
        return {"error": exc.message, "requests": []}
    found = [dict(r) for r in (body or {}).get("requests", []) if isinstance(r, dict)]
    for item in found:
        item["child"] = _child(item)
        born = item["child"].get("date_of_birth")
        item["child_born"] = _show(born) if born else None
        item["questions"] = [q for q in item.get("questions") or [] if isinstance(q, str)]
    found.sort(key=_urgency)
    return {"error": None, "requests": found}


def _list_context(agency: str, loaded: dict[str, Any]) -> dict[str, Any]:
    return {"agency": agency, "agency_label": agency_name(agency), **loaded,
            "questions": QUESTIONS}


@router.get("/agency/requests", response_class=HTMLResponse,
            summary="An agency practitioner's open requests")
async def agency_requests(
    request: Request, viewer: Annotated[Viewer, Depends(page(ANSWER))]
) -> HTMLResponse:
    agency = _agency_of(viewer)
    loaded = await load_requests(viewer.api, agency)
    answered = request.query_params.get("answered", "")
    settings_refresh = int(request.app.state.settings.queue_refresh_s)
    return render(
        request, "agency_requests.html", viewer, **_list_context(agency, loaded),
        answered=answered if REFERENCE.match(answered) else None,
        answered_late=request.query_params.get("late") == "1",
        list_refresh_s=max(settings_refresh, MIN_REFRESH_S),
    )


@router.get("/agency/requests/list", response_class=HTMLResponse,
            summary="An agency practitioner's open requests, as a page fragment")
async def agency_requests_fragment(
    request: Request, viewer: Annotated[Viewer, Depends(page(ANSWER))]
) -> HTMLResponse:
    agency = _agency_of(viewer)
    loaded = await load_requests(viewer.api, agency)
    return render(request, "_agency_requests.html", viewer,
                  **_list_context(agency, loaded))


# --- the answer form --------------------------------------------------------------------

def _text(fields: dict[str, Any], name: str) -> str:
    value = fields.get(name, "")
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value).strip()


def _date(day: str, month: str, year: str) -> date | None:
    try:
        d, m, y = int(day), int(month), int(year)
    except ValueError:
        return None
    if not (1000 <= y <= 9999 and 1 <= m <= 12 and 1 <= d <= monthrange(y, m)[1]):
        return None
    return date(y, m, d)


def field_order() -> list[str]:
    """Every field's id, in the order the form shows them (for the error summary)."""
    order = ["known_to_agency", "nothing_known", "summary", "involvement_summary",
             "risk_information"]
    for i in range(DATE_ROWS):
        order += [f"dates-{i}-day", f"dates-{i}-what"]
    order += [f"practitioner_{name}" for name, _, _ in PRACTITIONER_FIELDS]
    for i in range(ATTACHMENT_ROWS):
        order += [f"attachment-{i}-uri", f"attachment-{i}-title"]
    return order


class Answer:
    """The posted form turned into the gateway's AnswerBody, with what is wrong in it."""

    def __init__(self, fields: dict[str, Any], agency: str) -> None:
        self.agency_label = agency_name(agency)
        self.body: dict[str, Any] = {}
        self.errors: dict[str, str] = {}
        # The body's paths ("relevant_dates.0.what") to the form's fields ("dates-2-what").
        self.field_of: dict[str, str] = {
            "known_to_agency": "known_to_agency",
            "nothing_known": "nothing_known",
            "summary": "summary",
            "involvement_summary": "involvement_summary",
            "risk_information": "risk_information",
            "relevant_dates": "dates-0-day",
            "responding_practitioner": "practitioner_name",
            "attachments": "attachment-0-uri",
            "responder": "practitioner_name",
        }
        self._parse(fields)

    def _too_long(self, field: str, value: str, limit: int, what: str) -> bool:
        if len(value) > limit:
            self.errors[field] = f"{what} must be {limit:,} characters or fewer"
            return True
        return False

    def _parse(self, fields: dict[str, Any]) -> None:
        name = self.agency_label
        known = _text(fields, "known_to_agency")
        if known not in ("yes", "no"):
            self.errors["known_to_agency"] = (
                f"Select whether the child or their family is known to {name}")
        else:
            self.body["known_to_agency"] = known == "yes"
        if _text(fields, "nothing_known") == "yes":
            if known == "yes":
                self.errors["nothing_known"] = (
                    f"You said the child or family is known to {name}: untick ‘We searched "
                    "our records and they hold nothing’, or answer No")
            else:
                self.body["nothing_known"] = True
        summary = _text(fields, "summary")
        if not summary:
            self.errors["summary"] = (
                f"Enter what {name} knows about the child or family, or that nothing is known")
        elif not self._too_long("summary", summary, MAX_TEXT, "What you know"):
            self.body["summary"] = summary
        for key, what in (("involvement_summary", "Your involvement"),
                          ("risk_information", "The risks you know of")):
            value = _text(fields, key)
            if value and not self._too_long(key, value, MAX_TEXT, what):
                self.body[key] = value
        self._dates(fields)
        self._practitioner(fields)
        self._attachments(fields)

    def _dates(self, fields: dict[str, Any]) -> None:
        dates: list[dict[str, str]] = []
        for i in range(DATE_ROWS):
            day, month, year = (_text(fields, f"dates-{i}-{p}") for p in ("day", "month", "year"))
            what = _text(fields, f"dates-{i}-what")
            if not (day or month or year or what):
                continue
            n = i + 1
            when_ = _date(day, month, year)
            if not (day or month or year):
                self.errors[f"dates-{i}-day"] = f"Enter the date of relevant date {n}"
            elif when_ is None:
                self.errors[f"dates-{i}-day"] = (
                    f"Relevant date {n} must be a real date, for example 14 3 2026")
            if not what:
                self.errors[f"dates-{i}-what"] = f"Enter what happened on relevant date {n}"
            else:
                self._too_long(f"dates-{i}-what", what, 500, f"What happened on date {n}")
            if when_ is not None and what and f"dates-{i}-what" not in self.errors:
                k = len(dates)
                self.field_of[f"relevant_dates.{k}"] = f"dates-{i}-day"
                self.field_of[f"relevant_dates.{k}.date"] = f"dates-{i}-day"
                self.field_of[f"relevant_dates.{k}.what"] = f"dates-{i}-what"
                dates.append({"date": when_.isoformat(), "what": what})
        if dates:
            self.body["relevant_dates"] = dates

    def _practitioner(self, fields: dict[str, Any]) -> None:
        given = {key: _text(fields, f"practitioner_{key}") for key, _, _ in PRACTITIONER_FIELDS}
        for key, label, limit in PRACTITIONER_FIELDS:
            self.field_of[f"responding_practitioner.{key}"] = f"practitioner_{key}"
            self._too_long(f"practitioner_{key}", given[key], limit, label)
        if not any(given.values()):
            return
        if not given["name"]:
            self.errors["practitioner_name"] = "Enter the practitioner's name"
        email = given["email"]
        if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
            self.errors["practitioner_email"] = (
                "Enter an email address in the right format, like name@example.org")
        self.body["responding_practitioner"] = {k: v for k, v in given.items() if v}

    def _attachments(self, fields: dict[str, Any]) -> None:
        found: list[dict[str, str]] = []
        for i in range(ATTACHMENT_ROWS):
            uri = _text(fields, f"attachment-{i}-uri")
            title = _text(fields, f"attachment-{i}-title")
            if not (uri or title):
                continue
            if not uri:
                self.errors[f"attachment-{i}-uri"] = (
                    f"Enter where the MASH can find document {i + 1}")
                continue
            if self._too_long(f"attachment-{i}-uri", uri, 2000, f"Document {i + 1}'s link"):
                continue
            if self._too_long(f"attachment-{i}-title", title, 300, f"Document {i + 1}'s title"):
                continue
            k = len(found)
            self.field_of[f"attachments.{k}"] = f"attachment-{i}-uri"
            self.field_of[f"attachments.{k}.uri"] = f"attachment-{i}-uri"
            self.field_of[f"attachments.{k}.title"] = f"attachment-{i}-title"
            found.append({"uri": uri, **({"title": title} if title else {})})
        if found:
            self.body["attachments"] = found

    def gateway_errors(self, exc: UpstreamError) -> dict[str, str]:
        """The gateway's 422 put onto the form's fields (the longest matching path wins)."""
        errors: dict[str, str] = {}
        if isinstance(exc.detail, str):
            target = "known_to_agency" if "known" in exc.detail else "summary"
            errors[target] = exc.detail
            return errors
        for path, message in exc.field_errors.items():
            parts = path.split(".")
            target = "summary"
            for end in range(len(parts), 0, -1):
                candidate = self.field_of.get(".".join(parts[:end]))
                if candidate:
                    target = candidate
                    break
            if target not in errors:
                text = message[:1].lower() + message[1:] if message else "is not valid"
                errors[target] = f"{FIELD_NAMES.get(target, 'This answer')}: {text}"
        return errors


FIELD_NAMES: dict[str, str] = {
    "known_to_agency": "Known to your agency",
    "nothing_known": "Records hold nothing",
    "summary": "What you know",
    "involvement_summary": "Your involvement",
    "risk_information": "Risks you know of",
    **{f"dates-{i}-day": f"Relevant date {i + 1}" for i in range(DATE_ROWS)},
    **{f"dates-{i}-what": f"What happened on relevant date {i + 1}" for i in range(DATE_ROWS)},
    **{f"practitioner_{k}": label for k, label, _ in PRACTITIONER_FIELDS},
    **{f"attachment-{i}-uri": f"Link to document {i + 1}" for i in range(ATTACHMENT_ROWS)},
    **{f"attachment-{i}-title": f"Title of document {i + 1}" for i in range(ATTACHMENT_ROWS)},
}


def _ordered(errors: dict[str, str]) -> list[dict[str, str]]:
    order = {name: n for n, name in enumerate(field_order())}
    ids = sorted(errors, key=lambda k: order.get(k, len(order)))
    return [{"id": k, "text": errors[k], "href": f"#{k}"} for k in ids]


async def _find(
    api: Api, agency: str, request_id: str
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(the open request, None) or (None, the answered one's status) or (None, None) when the
    agency has no such request. Only this child's read is audited by the gateway."""
    path = (f"/v1/agencies/{quote(agency, safe='')}/requests/"
            f"{quote(request_id, safe='')}")
    try:
        body = await api.get(GATEWAY, path)
    except UpstreamError as exc:
        if exc.status == 404:
            return None, None
        if exc.status == 403:
            raise NotAllowed(ANSWER, exc.message) from exc
        raise
    if not isinstance(body, dict):
        raise UpstreamError(GATEWAY, None, "the request came back in a shape the console "
                            "does not know")
    if body.get("status") != "open":
        return None, body
    item = dict(body)
    item["child"] = _child(item)
    item["questions"] = [q for q in item.get("questions") or [] if isinstance(q, str)]
    return item, None


def _answer_page(
    request: Request, viewer: Viewer, agency: str, request_id: str, item: dict[str, Any] | None,
    values: dict[str, Any], *, errors: dict[str, str] | None = None, refused: str | None = None,
    problem: str | None = None, load_error: str | None = None, status_code: int = 200,
    draft_restored: bool = False, closed: dict[str, Any] | None = None,
) -> HTMLResponse:
    return render(
        request, "agency_answer.html", viewer, status_code=status_code,
        agency=agency, agency_label=agency_name(agency), request_id=request_id, item=item,
        sections=detail_sections(item.get("subject_details")) if item else [],
        questions=[*(item or {}).get("questions", []), *QUESTIONS] if item else QUESTIONS,
        values=values, errors=_ordered(errors or {}), error_for=errors or {},
        refused=refused, problem=problem, load_error=load_error,
        date_rows=range(DATE_ROWS), attachment_rows=range(ATTACHMENT_ROWS),
        practitioner_fields=PRACTITIONER_FIELDS, draft_restored=draft_restored,
        closed=closed,
        reference=(item or {}).get("reference") or values.get("reference") or "",
    )


def _check_request_id(request_id: str) -> None:
    if not REQUEST_ID.match(request_id):
        raise NotAllowed(ANSWER, "That is not a request this console can open.")


@router.get("/agency/requests/{request_id}", response_class=HTMLResponse,
            summary="One request's need-to-know details, and the form to answer it")
async def answer_page(
    request: Request, request_id: str, viewer: Annotated[Viewer, Depends(page(ANSWER))]
) -> HTMLResponse:
    agency = _agency_of(viewer)
    _check_request_id(request_id)
    draft = await restore_draft(request, viewer)
    values: dict[str, Any] = draft or {"practitioner_name": viewer.member.display_name}
    try:
        item, closed = await _find(viewer.api, agency, request_id)
    except UpstreamError as exc:
        return _answer_page(request, viewer, agency, request_id, None, values,
                            load_error=exc.message, status_code=502,
                            draft_restored=draft is not None)
    if item is None:
        return _answer_page(request, viewer, agency, request_id, None, values,
                            status_code=200 if closed else 404, closed=closed,
                            draft_restored=draft is not None)
    return _answer_page(request, viewer, agency, request_id, item, values,
                        draft_restored=draft is not None)


@router.post("/agency/requests/{request_id}", response_class=HTMLResponse,
             summary="Send the agency's answer to the MASH")
async def send_answer(
    request: Request, request_id: str, viewer: Annotated[Viewer, Depends(form(ANSWER))]
) -> Response:
    agency = _agency_of(viewer)
    _check_request_id(request_id)
    values = viewer.fields
    answer = Answer(values, agency)
    errors = dict(answer.errors)
    refused = problem = None
    status_code = 400
    if not errors:
        path = (f"/v1/agencies/{quote(agency, safe='')}/requests/"
                f"{quote(request_id, safe='')}/response")
        try:
            result = await viewer.api.post(GATEWAY, path, answer.body) or {}
        except UpstreamError as exc:
            if exc.status == 422:
                errors = answer.gateway_errors(exc)
            elif exc.status == 403:
                raise NotAllowed(ANSWER, exc.message) from exc
            elif exc.status == 404:
                refused = (f"This request is not open for {agency_name(agency)}: it may have "
                           "been withdrawn. Your answer was not recorded.")
                status_code = 404
            elif exc.status is not None and 400 <= exc.status < 500:
                refused = f"The MASH did not take your answer: {exc.message}"
                status_code = exc.status
            else:
                problem = (f"{exc.message} Your answer has not been sent yet: it is still "
                           "below, so you can send it again.")
                status_code = 502
        else:
            if result.get("status") == "already_answered":
                channel = {"http": "through the console or the agency's system",
                           "kafka": "by the agency's system"}.get(str(result.get("channel")), "")
                at = when(result.get("answered_at"))
                refused = (f"This request had already been answered{' on ' + at if at else ''}"
                           f"{' ' + channel if channel else ''}. Your answer was not recorded: "
                           "the first answer stands.")
                status_code = 409
            else:
                reference = _text(values, "reference")
                query = {"answered": reference if REFERENCE.match(reference) else "request"}
                if result.get("late"):
                    query["late"] = "1"
                return redirect("/agency/requests", **query)
    # Shown again, as sent, with what went wrong.
    try:
        item, _ = await _find(viewer.api, agency, request_id)
    except UpstreamError:
        item = None
    return _answer_page(request, viewer, agency, request_id, item, values, errors=errors,
                        refused=refused, problem=problem, status_code=status_code)
