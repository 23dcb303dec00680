"""What every page shares: who is signed in, what their role may see, CSRF, and rendering.

Pages depend on `page("<capability>")` (GET) or `form("<capability>")` (POST). Both return a
`Viewer`: the signed-in member, their API client (which mints their staff token for each call)
and, for forms, the posted fields. A form posted after the session timed out is not lost: it is
sealed and kept as a draft, the person signs in again, and the form comes back as they left it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from mash_common.auth import Caller
from mash_schemas.roles import CAN

from ..adapters.store import Session, StaffStore
from ..adapters.upstream import Api, Upstreams
from ..config import ConsoleSettings
from ..domain.staff import StaffMember, navigation_for

SESSION_COOKIE = "mash_session"
SIGN_IN_CSRF_COOKIE = "mash_sign_in_csrf"

# Our pages load nothing from anywhere else (no CDN), and run no inline script.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",  # pages show a child's details: never cached
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class SignInRequired(Exception):
    def __init__(self, next_path: str, draft: str | None = None, reason: str = "") -> None:
        self.next_path = next_path
        self.draft = draft
        self.reason = reason


class NotAllowed(Exception):
    def __init__(self, capability: str | None, reason: str = "") -> None:
        self.capability = capability
        self.reason = reason


@dataclass
class Viewer:
    member: StaffMember
    session: Session
    api: Api
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def csrf_token(self) -> str:
        return self.session.csrf_token

    def can(self, capability: str) -> bool:
        return self.member.can(capability)


def get_settings(request: Request) -> ConsoleSettings:
    settings: ConsoleSettings = request.app.state.settings
    return settings


def get_store(request: Request) -> StaffStore:
    store: StaffStore = request.app.state.store
    return store


def get_upstreams(request: Request) -> Upstreams:
    upstreams: Upstreams = request.app.state.upstreams
    return upstreams


def get_templates(request: Request) -> Jinja2Templates:
    templates: Jinja2Templates = request.app.state.templates
    return templates


SettingsDep = Annotated[ConsoleSettings, Depends(get_settings)]
StoreDep = Annotated[StaffStore, Depends(get_store)]
UpstreamsDep = Annotated[Upstreams, Depends(get_upstreams)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]


def local_path(request: Request) -> str:
    path = request.url.path
    return f"{path}?{request.url.query}" if request.url.query else path


def safe_next(value: str | None) -> str:
    """Only a path on this console (never //evil.example or a full URL)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


def _expired(session: Session, settings: ConsoleSettings, now: datetime) -> bool:
    return session.expired(
        now,
        timedelta(minutes=settings.session_idle_minutes),
        timedelta(hours=settings.session_max_hours),
    )


def _check_role(member: StaffMember, capability: str | None) -> None:
    if capability is not None and not member.can(capability):
        raise NotAllowed(capability)


def page(capability: str | None) -> Callable[..., Awaitable[Viewer]]:
    """A GET page for roles allowed `capability` (None: anyone signed in)."""
    if capability is not None and capability not in CAN:
        raise KeyError(capability)

    async def dependency(
        request: Request, settings: SettingsDep, store: StoreDep, upstreams: UpstreamsDep
    ) -> Viewer:
        now = utcnow()
        session = await store.session(request.cookies.get(SESSION_COOKIE))
        if session is None or _expired(session, settings, now):
            raise SignInRequired(
                local_path(request),
                reason="" if session is None else "Your session timed out. Sign in again.",
            )
        _check_role(session.member, capability)
        await store.touch(session, now)
        return Viewer(session.member, session, upstreams.as_caller(caller_of(session.member)))

    dependency.capability = capability  # type: ignore[attr-defined]  # read by the role tests
    return dependency


def form(capability: str | None) -> Callable[..., Awaitable[Viewer]]:
    """A POSTed form: CSRF checked; after a timeout the form is kept and comes back."""
    if capability is not None and capability not in CAN:
        raise KeyError(capability)

    async def dependency(
        request: Request, settings: SettingsDep, store: StoreDep, upstreams: UpstreamsDep
    ) -> Viewer:
        now = utcnow()
        posted = await request.form()
        fields: dict[str, Any] = {}
        for key in posted:
            values = [v for v in posted.getlist(key) if isinstance(v, str)]
            fields[key] = values if len(values) > 1 else (values[0] if values else "")
        offered = fields.pop("csrf_token", None)
        session = await store.session(request.cookies.get(SESSION_COOKIE))
        if session is None:
            raise SignInRequired(local_path(request), reason="Sign in to continue.")
        if not session.csrf_ok(offered if isinstance(offered, str) else None):
            raise NotAllowed(None, "This form could not be checked (its security token did "
                             "not match). Go back, reload the page and try again.")
        if _expired(session, settings, now):
            # The person filled the form in but their session ran out: keep what they wrote.
            # Every form posts to the page that shows it, so that page is where it comes back.
            path = request.url.path
            draft = await store.save_draft(session.member.username, path, fields, now)
            raise SignInRequired(
                path, draft, "Your session timed out. Sign in again: your form has been kept."
            )
        _check_role(session.member, capability)
        await store.touch(session, now)
        return Viewer(
            session.member, session, upstreams.as_caller(caller_of(session.member)), fields
        )

    dependency.capability = capability  # type: ignore[attr-defined]  # read by the role tests
    return dependency


def caller_of(member: StaffMember) -> Caller:
    return Caller(user=member.username, role=member.role.value, agency=member.agency,
                  name=member.display_name)


async def restore_draft(request: Request, viewer: Viewer) -> dict[str, Any] | None:
    """The fields of a form kept across a timeout, if this page was reopened with one."""
    draft = request.query_params.get("draft")
    if not draft:
        return None
    store: StaffStore = request.app.state.store
    return await store.take_draft(draft, viewer.member.username, request.url.path, utcnow())


def render(
    request: Request,
    template: str,
    viewer: Viewer | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    settings: ConsoleSettings = request.app.state.settings
    base: dict[str, Any] = {
        "viewer": viewer,
        "member": viewer.member if viewer else None,
        "navigation": navigation_for(viewer.member) if viewer else [],
        "csrf_token": viewer.csrf_token if viewer else None,
        "current_path": request.url.path,
        "refresh_s": settings.queue_refresh_s,
    }
    response = templates.TemplateResponse(
        request, template, {**base, **context}, status_code=status_code
    )
    response.headers.update(PAGE_HEADERS)
    return response


def redirect(path: str, **query: str) -> RedirectResponse:
    target = path + ("?" + urlencode(query) if query else "")
    response = RedirectResponse(target, status_code=303)
    response.headers.update(PAGE_HEADERS)
    return response


async def sign_in_required_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    query = {"next": exc.next_path}
    if exc.draft:
        query["draft"] = exc.draft
    if exc.reason:
        query["reason"] = "timeout" if "timed out" in exc.reason else "required"
    if request.headers.get("accept", "").startswith("text/html") or request.method == "POST":
        return redirect("/sign-in", **query)
    response = Response(status_code=401, headers={"Location": "/sign-in?next=" +
                                                  quote(exc.next_path)})
    return response


async def not_allowed_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NotAllowed)
    viewer = None
    store: StaffStore = request.app.state.store
    session = await store.session(request.cookies.get(SESSION_COOKIE))
    if session is not None:
        upstreams: Upstreams = request.app.state.upstreams
        viewer = Viewer(session.member, session, upstreams.as_caller(caller_of(session.member)))
    return render(request, "forbidden.html", viewer, status_code=403, reason=exc.reason,
                  capability=exc.capability)
