"""How the console words times and names. No framework, no I/O."""

from __future__ import annotations

from datetime import UTC, datetime

AGENCY_NAMES = {
    "police": "Police",
    "health": "Health",
    "education": "Education",
    "childrens-social-care": "Children's social care",
    "adult-safeguarding": "Adult safeguarding",
    "probation": "Probation",
    "housing": "Housing",
    "youth-offending": "Youth offending",
    "camhs": "Child and adolescent mental health (CAMHS)",
}


def agency_name(agency: str | None) -> str:
    if not agency:
        return ""
    return AGENCY_NAMES.get(agency, agency.replace("-", " ").capitalize())


def time_left(seconds: float | int | None) -> str:
    """'3 h 05 min left', '12 min left', 'Overdue by 1 h 02 min'."""
    if seconds is None:
        return "No deadline"
    overdue = seconds < 0
    total = int(abs(seconds)) // 60
    days, rem = divmod(total, 24 * 60)
    hours, minutes = divmod(rem, 60)
    if days:
        text = f"{days} d {hours} h"
    elif hours:
        text = f"{hours} h {minutes:02d} min"
    else:
        text = f"{minutes} min"
    return f"Overdue by {text}" if overdue else f"{text} left"


def parse_time(value: str | datetime | None) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def time_left_until(deadline: str | datetime | None, now: datetime | None = None) -> str:
    when = parse_time(deadline)
    if when is None:
        return "No deadline"
    return time_left((when - (now or datetime.now(UTC))).total_seconds())


def when(value: str | datetime | None) -> str:
    """'25 Nov 2026, 14:05 UTC'."""
    moment = parse_time(value)
    return moment.astimezone(UTC).strftime("%-d %b %Y, %H:%M UTC") if moment else ""

