"""Contacts in the MASH's own words. No framework, no I/O."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class ChildContact:
    """One child's record out of a contact (siblings become one record each)."""

    contact_id: str
    reference: str
    child_index: int
    age_years: int | None


def reference_for(year: int, number: int) -> str:
    """The human reference a referrer quotes on the phone: MASH-2026-000123."""
    return f"MASH-{year}-{number:06d}"


def age_in_years(dob: date | None, on: date) -> int | None:
    if dob is None:
        return None
    years = on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))
    return max(years, 0)


def new_status_token() -> str:
    """The referrer's secret: with the reference it shows received / outcome ready, no details."""
    return secrets.token_urlsafe(18)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def received_on(at: datetime) -> date:
    return at.date()
