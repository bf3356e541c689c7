"""The organisation's calendar: local dates and the period keys boards are filed under."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class Window(StrEnum):
    """A leaderboard period. ``ALL`` never resets; the others are keyed by date."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    SEASON = "season"
    ALL = "all"
    CHALLENGE = "challenge"


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    """The organisation-local calendar date of an instant (naive means UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz).date()


def today(tz: ZoneInfo) -> date:
    return local_date(datetime.now(UTC), tz)


def day_key(day: date) -> str:
    return day.isoformat()


def week_key(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def month_key(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def period_key(window: Window, day: date) -> str:
    """The key of the ``window`` period that contains ``day`` (day, week, month, all)."""
    match window:
        case Window.DAY:
            return day_key(day)
        case Window.WEEK:
            return week_key(day)
        case Window.MONTH:
            return month_key(day)
        case Window.ALL:
            return "all"
        case _:
            raise ValueError(f"{window} periods are named, not derived from a date")


CALENDAR_WINDOWS = (Window.DAY, Window.WEEK, Window.MONTH, Window.ALL)


def days_after(day: date, days: int) -> date:
    """``day`` plus ``days``; the calendar's last day (9999-12-31) where that lies beyond it."""
    if days >= (date.max - day).days:
        return date.max
    return day + timedelta(days=days)
