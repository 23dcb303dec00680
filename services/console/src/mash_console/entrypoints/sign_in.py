"""Signing in and out."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from mash_common.logging import get_logger

from ..domain.staff import home_for
from .web import (
    SESSION_COOKIE,
    SIGN_IN_CSRF_COOKIE,
    SettingsDep,
    StoreDep,
    Viewer,
    form,
    redirect,
    render,
    safe_next,
    utcnow,
)

router = APIRouter(tags=["sign-in"])
log = get_logger("mash.console.sign_in")

REASONS = {
    "timeout": "Your session timed out. Sign in again to carry on.",
    "required": "Sign in to continue.",
    "signed-out": "You have signed out.",
}


def _sign_in_page(
    request: Request, settings: SettingsDep, *, next_path: str, draft: str | None,
    error: str | None = None, username: str = "", status_code: int = 200,
) -> HTMLResponse:
    # Sign-in CSRF: a random value in a cookie and in the form, which must match (a page on
    # another site can make the browser post, but cannot read or set our cookie).
    token = request.cookies.get(SIGN_IN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = render(
        request, "sign_in.html", None, status_code=status_code,
        next_path=next_path, draft=draft, error=error, username=username,
        sign_in_csrf=token, notice=REASONS.get(request.query_params.get("reason", "")),
        has_draft=bool(draft),
    )
    response.set_cookie(SIGN_IN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=settings.secure_cookies, max_age=3600, path="/sign-in")
    return response


@router.get("/sign-in", response_class=HTMLResponse, summary="The sign-in page")
async def sign_in_page(request: Request, settings: SettingsDep) -> HTMLResponse:
    return _sign_in_page(
        request, settings,
        next_path=safe_next(request.query_params.get("next")),
        draft=request.query_params.get("draft"),
    )


@router.post("/sign-in", response_class=HTMLResponse, summary="Sign in")
async def sign_in(
    request: Request,
    settings: SettingsDep,
    store: StoreDep,
    username: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next_path: Annotated[str, Form(alias="next", max_length=500)] = "/",
    draft: Annotated[str | None, Form(max_length=100)] = None,
) -> Response:
    cookie = request.cookies.get(SIGN_IN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, csrf_token):
        return _sign_in_page(request, settings, next_path=safe_next(next_path), draft=draft,
                             error="The sign-in form had expired. Please try again.",
                             username=username, status_code=400)
    member = await store.authenticate(username.strip().lower(), password)
    if member is None:
        log.info("console.sign_in_refused")
        return _sign_in_page(request, settings, next_path=safe_next(next_path), draft=draft,
                             error="The username or password is not right.",
                             username=username, status_code=401)
    token, _ = await store.open_session(member, utcnow())
    log.info("console.signed_in", user=member.username, role=member.role.value)
    target = safe_next(next_path)
    if target == "/":
        target = home_for(member)
    response = redirect(target, **({"draft": draft} if draft else {}))
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="lax", secure=settings.secure_cookies,
        max_age=settings.session_max_hours * 3600, path="/",
    )
    response.delete_cookie(SIGN_IN_CSRF_COOKIE, path="/sign-in")
    return response


@router.post("/sign-out", summary="Sign out")
async def sign_out(
    store: StoreDep, viewer: Annotated[Viewer, Depends(form(None))]
) -> Response:
    await store.end_session(viewer.session, utcnow())
    log.info("console.signed_out", user=viewer.member.username)
    response = redirect("/sign-in", reason="signed-out")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
