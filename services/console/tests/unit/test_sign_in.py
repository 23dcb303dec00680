"""Signing in and out, sessions that expire, CSRF, and a form kept across a timeout."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from mash_console.config import ConsoleSettings


def _sign_in_form(console: TestClient, csrf: Callable[[str], str], **fields: str) -> Any:
    page = console.get("/sign-in", params={"next": fields.get("next", "/")})
    data = {"csrf_token": csrf(page.text), "next": "/", **fields}
    return console.post("/sign-in", data=data, follow_redirects=False)


def _age_sessions(settings: ConsoleSettings, minutes: int) -> None:
    with sqlite3.connect(settings.data_dir / "console.db") as db:
        db.execute(
            "UPDATE staff_sessions SET last_seen_at = datetime(last_seen_at, ?), "
            "created_at = datetime(created_at, ?)", (f"-{minutes} minutes", f"-{minutes} minutes")
        )


def test_a_page_sends_a_stranger_to_sign_in_and_back(console: TestClient, csrf: Any) -> None:
    response = console.get("/", follow_redirects=False, headers={"accept": "text/html"})
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=%2F"


def test_the_right_password_signs_in_and_lands_on_the_roles_home(
    console: TestClient, csrf: Any
) -> None:
    response = _sign_in_form(console, csrf, username="police.khan",
                             password="mash-demo-password")
    assert response.status_code == 303
    assert response.headers["location"] == "/agency/requests"
    cookie = response.headers["set-cookie"]
    assert "mash_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_a_wrong_password_or_unknown_user_says_the_same_thing(
    console: TestClient, csrf: Any
) -> None:
    wrong = _sign_in_form(console, csrf, username="dm.patel", password="not-the-password")
    unknown = _sign_in_form(console, csrf, username="nobody.here", password="not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert "The username or password is not right." in wrong.text
    assert "The username or password is not right." in unknown.text
    assert "mash_session=" not in wrong.headers.get("set-cookie", "")


def test_sign_in_without_the_forms_csrf_token_is_refused(console: TestClient) -> None:
    response = console.post("/sign-in", data={"username": "dm.patel",
                                              "password": "mash-demo-password"},
                            follow_redirects=False)
    assert response.status_code == 400
    assert "mash_session=" not in response.headers.get("set-cookie", "")


def test_secure_cookies_in_production(tmp_path: Any) -> None:
    settings = ConsoleSettings(env="production", data_dir=tmp_path, token_private_key="x" * 43,
                               data_key="y" * 43)
    assert settings.secure_cookies is True
    assert ConsoleSettings(env="development").secure_cookies is False


def test_next_cannot_send_you_to_another_site(console: TestClient, csrf: Any) -> None:
    response = _sign_in_form(console, csrf, username="dm.patel", password="mash-demo-password",
                             next="//evil.example/phish")
    assert response.headers["location"] == "/"


def test_a_form_without_the_sessions_csrf_token_is_refused(
    signed_in: Callable[[str], TestClient]
) -> None:
    console = signed_in("dm.patel")
    response = console.post("/sign-out", data={"csrf_token": "forged"}, follow_redirects=False)
    assert response.status_code == 403
    assert console.get("/", follow_redirects=False).status_code == 200  # still signed in


def test_sign_out_ends_the_session_on_the_server(
    signed_in: Callable[[str], TestClient], csrf: Any
) -> None:
    console = signed_in("mgr.jones")
    cookie = console.cookies.get("mash_session")
    page = console.get("/status")
    response = console.post("/sign-out", data={"csrf_token": csrf(page.text)},
                            follow_redirects=False)
    assert response.headers["location"] == "/sign-in?reason=signed-out"
    console.cookies.set("mash_session", cookie or "")  # the old cookie replayed: refused
    page = console.get("/", follow_redirects=False, headers={"accept": "text/html"})
    assert page.status_code == 303
    assert console.get("/queues", follow_redirects=False).status_code == 401  # a script's fetch


def test_an_idle_session_expires(
    signed_in: Callable[[str], TestClient], console_settings: ConsoleSettings
) -> None:
    console = signed_in("dm.patel")
    _age_sessions(console_settings, console_settings.session_idle_minutes + 1)
    response = console.get("/", follow_redirects=False, headers={"accept": "text/html"})
    assert response.status_code == 303
    assert "reason=timeout" in response.headers["location"]


def test_a_form_posted_after_the_session_timed_out_comes_back_after_sign_in(
    signed_in: Callable[[str], TestClient], console_settings: ConsoleSettings, csrf: Any
) -> None:
    console = signed_in("dm.patel")
    token = csrf(console.get("/contacts/new").text)
    _age_sessions(console_settings, console_settings.session_idle_minutes + 5)
    # The half-filled form: posted to its own page after the session ran out.
    response = console.post("/contacts/new", data={"csrf_token": token,
                                                   "children-0-first_name": "Half-written"},
                            follow_redirects=False)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/sign-in?next=%2Fcontacts%2Fnew&draft=")
    draft = location.split("draft=")[1].split("&")[0]
    page = console.get(location)
    assert "has been kept" in page.text
    signed = console.post("/sign-in", data={"username": "dm.patel",
                                            "password": "mash-demo-password",
                                            "csrf_token": csrf(page.text),
                                            "next": "/contacts/new", "draft": draft},
                            follow_redirects=False)
    assert signed.headers["location"] == f"/contacts/new?draft={draft}"
    with sqlite3.connect(console_settings.data_dir / "console.db") as db:
        sealed = db.execute("SELECT sealed FROM form_drafts").fetchone()[0]
    assert "Half-written" not in sealed  # sealed at rest: it may hold a child's details
    restored = console.get(f"/contacts/new?draft={draft}")
    assert 'value="Half-written"' in restored.text
    # Taken once: reloading does not show it again.
    assert "Half-written" not in console.get(f"/contacts/new?draft={draft}").text
