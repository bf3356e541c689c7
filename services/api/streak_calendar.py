"""A person's last weeks as a grid of days, under the streak rule scoring applies.

Every verdict comes from :mod:`services.scoring.domain.calendar`: which days are
working days, which run is alive today and which missed days a run bridges with
a freeze. Nothing here decides a streak on its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from services.scoring.domain.calendar import (
    ONE_DAY,
    Streak,
    WorkCalendar,
    current_streak,
    longest_streak,
    streak_on,
)
from services.scoring.domain.rules import StreakRules


class DayState(StrEnum):
    ACTIVE = "active"  # Copilot used that day
    FROZEN = "frozen"  # a missed working day a streak bridged with a freeze
    MISSED = "missed"  # a working day without use that no streak bridged
    HOLIDAY = "holiday"  # a public or company holiday: streaks neither grow nor break
    WEEKEND = "weekend"  # not a working weekday
    TODAY = "today"  # today, not used yet: not a miss until it is over
    FUTURE = "future"  # a working day later this week


@dataclass(frozen=True)
class GridDay:
    day: date
    state: DayState
    in_streak: bool  # part of the streak alive today


@dataclass(frozen=True)
class Grid:
    start: date  # the Monday of the first week
    end: date  # the Sunday of the current week
    days: list[GridDay]
    current: Streak | None
    best: Streak | None


def _bridged(
    active: set[date], calendar: WorkCalendar, rules: StreakRules, start: date, today: date
) -> set[date]:
    """Missed working days between ``start`` and ``today`` that a run bridges.

    A miss is bridged when the longest run ending on the first active working day
    after it reaches back past it (any part of an allowed run is allowed, so no
    longer run could do better), or when the run still alive today covers it.
    """
    bridged: set[date] = set()
    gap: list[date] = []
    for day in calendar.working_days(start, today):
        if day not in active:
            gap.append(day)
            continue
        if gap:
            run = streak_on(active, calendar, rules, day)
            if run is not None:
                bridged.update(d for d in gap if d > run.start)
            gap = []
    alive = current_streak(active, calendar, rules, today)
    if alive is not None:
        bridged.update(d for d in gap if alive.start < d <= alive.end)
    return bridged


def streak_grid(
    active_days: Iterable[date],
    calendar: WorkCalendar,
    rules: StreakRules,
    today: date,
    weeks: int,
    workdays: Iterable[int] = range(5),
) -> Grid:
    """The ``weeks`` calendar weeks ending with this one, Monday first, oldest first.

    ``workdays`` are the weekdays the organisation works (Monday is 0): a day off on
    one of them is a holiday, any other day off a weekend.
    """
    weekdays = frozenset(workdays)
    active = set(active_days)
    start = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    end = start + timedelta(weeks=weeks) - ONE_DAY
    alive = current_streak(active, calendar, rules, today)
    bridged = _bridged(active, calendar, rules, start, today)
    days: list[GridDay] = []
    day = start
    while day <= end:
        state = _state(day, active, bridged, calendar, today, weekdays)
        in_streak = (
            alive is not None
            and alive.start <= day <= alive.end
            and calendar.is_working_day(day)
            and state in (DayState.ACTIVE, DayState.FROZEN)
        )
        days.append(GridDay(day, state, in_streak))
        day += ONE_DAY
    return Grid(start, end, days, alive, longest_streak(active, calendar, rules))


def _state(
    day: date,
    active: set[date],
    bridged: set[date],
    calendar: WorkCalendar,
    today: date,
    workdays: frozenset[int],
) -> DayState:
    if day in active and day <= today:
        return DayState.ACTIVE
    if not calendar.is_working_day(day):
        return DayState.HOLIDAY if day.weekday() in workdays else DayState.WEEKEND
    if day > today:
        return DayState.FUTURE
    if day == today:
        return DayState.TODAY
    return DayState.FROZEN if day in bridged else DayState.MISSED
