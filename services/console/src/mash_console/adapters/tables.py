"""The console's own tables: staff accounts, sessions and form drafts. No case data."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, MetaData, String, Table, Text

from mash_common.db import UtcDateTime

metadata = MetaData()

staff_users = Table(
    "staff_users",
    metadata,
    Column("username", String(100), primary_key=True),
    Column("display_name", String(200), nullable=False),
    Column("role", String(32), nullable=False),
    Column("agency", String(64), nullable=True),
    Column("password_hash", Text, nullable=False),  # argon2id
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

# A session is a random token in an HttpOnly cookie; only its SHA-256 is stored.
staff_sessions = Table(
    "staff_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("username", String(100), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_seen_at", UtcDateTime, nullable=False),
    Column("ended_at", UtcDateTime, nullable=True),
)

# A form posted after its session timed out, kept (sealed) until its author signs in again.
form_drafts = Table(
    "form_drafts",
    metadata,
    Column("draft_id", String(64), primary_key=True),
    Column("username", String(100), nullable=False),
    Column("path", String(300), nullable=False),
    Column("sealed", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)
