"""England and Wales bank holidays, from the `holidays` package (gov.uk's list, moved days and
substitute days included: the 2020 early May bank holiday on 8 May, Christmas on a weekend)."""

from __future__ import annotations

from collections.abc import Container, Iterable
from datetime import date

import holidays


class ClosedDays:
    """The days the MASH does not work although they are working weekdays."""

    def __init__(self, *, bank_holidays: bool = True, extra: Iterable[date] = ()) -> None:
        # ENG and WLS share one list; the object fills in each year the first time it is asked.
        self._bank: Container[date] = (
            holidays.country_holidays("GB", subdiv="ENG") if bank_holidays else frozenset()
        )
        self._extra = frozenset(extra)

    def __contains__(self, day: object) -> bool:
        return day in self._extra or day in self._bank
