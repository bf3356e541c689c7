"""The periods a newsletter covers: a complete ISO week or a complete calendar month.

A weekly issue covers Monday to Sunday, named like the boards' week keys
(``2026-W48``); a monthly one a calendar month (``2026-11``). Without a choice, an
issue covers the last complete period before today; an admin may pick an earlier
one, never one still running (its figures would still move).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from shared.periods import Window, month_key, week_key

Cadence = Literal["weekly", "monthly"]
WINDOWS: dict[Cadence, Window] = {"weekly": Window.WEEK, "monthly": Window.MONTH}
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class PeriodError(ValueError):
    """The period is not a complete week or month of the cadence asked."""


@dataclass(frozen=True)
class Period:
    cadence: Cadence
    key: str  # 2026-W48 or 2026-11: the boards' key for the same window
    since: date
    until: date  # inclusive

    @property
    def window(self) -> Window:
        return WINDOWS[self.cadence]

    def ordinal(self) -> int:
        """A number that grows by one from one period to the next (for rotations)."""
        if self.cadence == "weekly":
            return self.since.toordinal() // 7
        return self.since.year * 12 + self.since.month


def _month_end(first: date) -> date:
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return following - timedelta(days=1)


def week_of(day: date) -> Period:
    monday = day - timedelta(days=day.weekday())
    return Period("weekly", week_key(monday), monday, monday + timedelta(days=6))


def month_of(day: date) -> Period:
    first = day.replace(day=1)
    return Period("monthly", month_key(first), first, _month_end(first))


def last_complete(cadence: Cadence, today: date) -> Period:
    """The last week (Monday to Sunday) or month that ended before ``today``."""
    if cadence == "weekly":
        return week_of(today - timedelta(days=today.weekday() + 1))
    return month_of(today.replace(day=1) - timedelta(days=1))


def parse(cadence: Cadence, key: str) -> Period:
    """The period named ``key``; a :class:`PeriodError` says why it is not one."""
    if cadence == "weekly":
        found = _WEEK.match(key)
        if not found:
            raise PeriodError(f"'{key}' is not an ISO week such as 2026-W48")
        try:
            monday = date.fromisocalendar(int(found[1]), int(found[2]), 1)
        except ValueError:
            raise PeriodError(f"{key} is not a week of its year") from None
        return week_of(monday)
    found = _MONTH.match(key)
    if not found or not 1 <= int(found[2]) <= 12 or int(found[1]) < 1:
        raise PeriodError(f"'{key}' is not a month such as 2026-11")
    return month_of(date(int(found[1]), int(found[2]), 1))


def chosen(cadence: Cadence, key: str | None, today: date) -> Period:
    """``key`` when given and complete before ``today``, else the last complete period."""
    if key is None:
        return last_complete(cadence, today)
    period = parse(cadence, key)
    if period.until >= today:
        raise PeriodError(f"{key} is not over yet: pick a period that ended before today")
    return period


def recent(cadence: Cadence, today: date, count: int) -> list[Period]:
    """The last ``count`` complete periods, the latest first (the page's choices)."""
    periods = [last_complete(cadence, today)]
    while len(periods) < count:
        periods.append(last_complete(cadence, periods[-1].since))
    return periods
