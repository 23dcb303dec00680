"""Staff accounts (argon2id), server-side sessions, and sealed form drafts, in SQL."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, insert, select, update

from mash_common.crypto import Sealer, SealError
from mash_common.db import Database
from mash_schemas.roles import Role

from ..domain.staff import StaffMember, check_new_member
from .tables import form_drafts, staff_sessions, staff_users

DRAFT_KID = "console.form-drafts"
DRAFT_TTL = timedelta(hours=12)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Session:
    token_hash: str
    member: StaffMember
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    ended_at: datetime | None

    def expired(self, now: datetime, idle: timedelta, maximum: timedelta) -> bool:
        return (
            self.ended_at is not None
            or now - self.last_seen_at > idle
            or now - self.created_at > maximum
        )

    def csrf_ok(self, offered: str | None) -> bool:
        return bool(offered) and hmac.compare_digest(self.csrf_token, offered or "")


class StaffStore:
    def __init__(self, db: Database, sealer: Sealer, hasher: PasswordHasher | None = None) -> None:
        self.db = db
        self._sealer = sealer
        self._hasher = hasher or PasswordHasher()
        # Compared against when the username is unknown, so that a wrong username takes as long
        # as a wrong password (no account enumeration by timing).
        self._decoy = self._hasher.hash(secrets.token_urlsafe(16))

    # --- accounts -------------------------------------------------------------------------

    async def add_member(
        self, member: StaffMember, password: str, now: datetime, *, replace: bool = False
    ) -> None:
        check_new_member(member.username, member.role.value, member.agency, password)
        row = {
            "username": member.username,
            "display_name": member.display_name,
            "role": member.role.value,
            "agency": member.agency,
            "password_hash": self._hasher.hash(password),
            "active": True,
            "created_at": now,
        }
        async with self.db.transaction() as s:
            if replace:
                await s.execute(
                    delete(staff_users).where(staff_users.c.username == member.username)
                )
            await s.execute(insert(staff_users).values(**row))

    async def member(self, username: str) -> StaffMember | None:
        async with self.db.transaction() as s:
            row = (
                await s.execute(select(staff_users).where(staff_users.c.username == username))
            ).mappings().first()
        return _member(row) if row and row["active"] else None

    async def members(self) -> list[StaffMember]:
        async with self.db.transaction() as s:
            rows = (
                await s.execute(select(staff_users).order_by(staff_users.c.username))
            ).mappings().all()
        return [_member(r) for r in rows if r["active"]]

    async def authenticate(self, username: str, password: str) -> StaffMember | None:
        async with self.db.transaction() as s:
            row = (
                await s.execute(select(staff_users).where(staff_users.c.username == username))
            ).mappings().first()
        stored = row["password_hash"] if row else self._decoy
        try:
            self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None or not row["active"]:
            return None
        if self._hasher.check_needs_rehash(stored):
            async with self.db.transaction() as s:
                await s.execute(
                    update(staff_users)
                    .where(staff_users.c.username == username)
                    .values(password_hash=self._hasher.hash(password))
                )
        return _member(row)

    # --- sessions -------------------------------------------------------------------------

    async def open_session(self, member: StaffMember, now: datetime) -> tuple[str, Session]:
        """A new session; returns the cookie value (only its hash is stored)."""
        token = secrets.token_urlsafe(32)
        session = Session(_hash_token(token), member, secrets.token_urlsafe(32), now, now, None)
        async with self.db.transaction() as s:
            await s.execute(
                insert(staff_sessions).values(
                    token_hash=session.token_hash,
                    username=member.username,
                    csrf_token=session.csrf_token,
                    created_at=now,
                    last_seen_at=now,
                    ended_at=None,
                )
            )
        return token, session

    async def session(self, token: str | None) -> Session | None:
        """The session behind a cookie, expired or not (callers decide); None if unknown."""
        if not token:
            return None
        async with self.db.transaction() as s:
            row = (
                await s.execute(
                    select(staff_sessions, staff_users)
                    .join(staff_users, staff_users.c.username == staff_sessions.c.username)
                    .where(staff_sessions.c.token_hash == _hash_token(token))
                )
            ).mappings().first()
        if row is None or not row["active"]:
            return None
        return Session(
            row["token_hash"], _member(row), row["csrf_token"], row["created_at"],
            row["last_seen_at"], row["ended_at"],
        )

    async def touch(self, session: Session, now: datetime) -> None:
        # Sliding expiry; written at most once a minute so that polling stays cheap.
        if now - session.last_seen_at < timedelta(minutes=1):
            return
        async with self.db.transaction() as s:
            await s.execute(
                update(staff_sessions)
                .where(staff_sessions.c.token_hash == session.token_hash)
                .values(last_seen_at=now)
            )

    async def end_session(self, session: Session, now: datetime) -> None:
        async with self.db.transaction() as s:
            await s.execute(
                update(staff_sessions)
                .where(staff_sessions.c.token_hash == session.token_hash)
                .values(ended_at=now)
            )

    # --- drafts ---------------------------------------------------------------------------

    async def save_draft(
        self, username: str, path: str, fields: dict[str, Any], now: datetime
    ) -> str:
        draft_id = secrets.token_urlsafe(16)
        sealed = self._sealer.seal(DRAFT_KID, {"fields": fields})
        async with self.db.transaction() as s:
            await s.execute(delete(form_drafts).where(form_drafts.c.expires_at < now))
            await s.execute(
                insert(form_drafts).values(
                    draft_id=draft_id,
                    username=username,
                    path=path,
                    sealed=json.dumps(sealed.model_dump(mode="json")),
                    created_at=now,
                    expires_at=now + DRAFT_TTL,
                )
            )
        return draft_id

    async def take_draft(
        self, draft_id: str, username: str, path: str, now: datetime
    ) -> dict[str, Any] | None:
        """The draft's fields, once, to its own author on its own page; then it is gone."""
        async with self.db.transaction() as s:
            row = (
                await s.execute(select(form_drafts).where(form_drafts.c.draft_id == draft_id))
            ).mappings().first()
            if row is None or row["username"] != username or row["path"] != path:
                return None
            await s.execute(delete(form_drafts).where(form_drafts.c.draft_id == draft_id))
        if row["expires_at"] < now:
            return None
        try:
            fields: dict[str, Any] = self._sealer.open(json.loads(row["sealed"]))["fields"]
        except (SealError, KeyError, ValueError):
            return None
        return fields


def _member(row: Any) -> StaffMember:
    return StaffMember(row["username"], row["display_name"], Role(row["role"]), row["agency"])
