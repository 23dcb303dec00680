"""The checks a caseworker trusts on a referral form, as plain functions. No framework, no I/O.

Each returns the normalised value or None when the value is wrong; the form (service_layer) turns
None into a message for the referrer that names the field.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

# Official shape of a UK postcode (outward code, space, inward code), plus GIR 0AA (Girobank).
_POSTCODE = re.compile(
    r"^(GIR ?0AA|[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPS-UW]|"
    r"[A-HK-Y][0-9][ABEHMNPRV-Y]) ?[0-9][ABD-HJLNP-UW-Z]{2})$"
)
_PHONE_CHARS = re.compile(r"^\+?[0-9 ()\-]+$")

MAX_CHILD_AGE_YEARS = 18
DUE_DATE_AHEAD = timedelta(days=300)  # about ten months: a pregnancy is 40 weeks
DUE_DATE_PAST = timedelta(days=31)  # a late baby may not be registered yet


def nhs_number(raw: str) -> str | None:
    """Ten digits (spaces or hyphens allowed, as printed: 943 476 5919) whose last digit is the
    modulus 11 check digit of the first nine. Returns the ten digits, or None."""
    digits = re.sub(r"[\s-]", "", raw)
    if not re.fullmatch(r"[0-9]{10}", digits):
        return None
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    if check == 10:  # no valid number has this remainder
        return None
    return digits if check == int(digits[9]) else None


def postcode(raw: str) -> str | None:
    """A UK postcode in its standard form (upper case, one space: MK9 3EP), or None."""
    compact = re.sub(r"\s+", "", raw).upper()
    if not _POSTCODE.match(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


def phone(raw: str) -> str | None:
    """A phone number of 10 to 15 digits (spaces, brackets, hyphens and a leading + allowed)."""
    stripped = raw.strip()
    if not _PHONE_CHARS.match(stripped):
        return None
    digits = re.sub(r"[^0-9]", "", stripped)
    return stripped if 10 <= len(digits) <= 15 else None


def years_between(earlier: date, later: date) -> int:
    return later.year - earlier.year - ((later.month, later.day) < (earlier.month, earlier.day))


def birth_date_problem(dob: date, today: date) -> str | None:
    if dob > today:
        return "the date of birth cannot be in the future (for an unborn child give the due date)"
    if years_between(dob, today) >= MAX_CHILD_AGE_YEARS:
        return (
            "this date of birth makes the child 18 or over: the MASH takes contacts about "
            "children (check the year)"
        )
    return None


def due_date_problem(due: date, today: date) -> str | None:
    if due > today + DUE_DATE_AHEAD:
        return "the expected due date is more than ten months away: check the date"
    if due < today - DUE_DATE_PAST:
        return (
            "the expected due date is more than a month ago: if the baby has been born, give "
            "the date of birth instead"
        )
    return None


def past_date_problem(value: date, today: date, what: str) -> str | None:
    return f"{what} cannot be in the future" if value > today else None
