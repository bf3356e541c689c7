"""Working days, streaks and habits, all derived from a set of active dates.

Nothing here depends on the order in which activity arrived: the same set of
dates gives the same streaks, habits and achievement dates.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays as holiday_tables

from services.scoring.domain.rules import CalendarRules, StreakRules

ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=64)
def _country_days(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    table = holiday_tables.country_holidays(country, subdiv=subdivision, years=year)
    return frozenset(table.keys())


WORKING_DAY_MEMORY = 100_000  # dates whose verdict a calendar remembers (about 270 years)


class WorkCalendar:
    """The organisation's working days: listed weekdays minus public and company holidays."""

    def __init__(self, rules: CalendarRules) -> None:
        self._rules = rules
        self._extra = frozenset(rules.holidays)
        self._workdays = frozenset(rules.workdays)
        self._working: dict[date, bool] = {}  # the rules are frozen, so verdicts keep

    def is_holiday(self, day: date) -> bool:
        if day in self._extra:
            return True
        country = self._rules.country
        return bool(country) and day in _country_days(
            country or "", self._rules.subdivision, day.year
        )

    def is_working_day(self, day: date) -> bool:
        known = self._working.get(day)
        if known is None:
            known = day.weekday() in self._workdays and not self.is_holiday(day)
            if len(self._working) >= WORKING_DAY_MEMORY:
                self._working.clear()
            self._working[day] = known
        return known

    def working_days(self, start: date, end: date) -> list[date]:
        days, day = [], start
        working = self.is_working_day
        while day <= end:
            if working(day):
                days.append(day)
            day += ONE_DAY
        return days


@dataclass(frozen=True)
class Streak:
    """A run of working days as the streak rule allows it."""

    length: int  # active working days in the run
    start: date  # its first active working day
    end: date  # the last working day it covers (active, or a missed day it bridges)
    freezes_used: int  # missed working days it bridges


@dataclass(frozen=True)
class StreakBreak:
    """A run that ended: the missed working day that broke it."""

    on: date
    length: int


class _Runs:
    """The longest allowed run ending at each working day, walked day by day.

    A run is a stretch of working days in which no ``freeze_window`` consecutive
    working days (fewer at the run's start) hold more than ``freezes`` missed
    ones; a run may start and end on missed days, and its length counts its
    active days. Any part of an allowed run is allowed too, so the earliest
    possible start only moves forward as the end does: two queues (the active
    days of the run, and the misses that still fall in the window ending today)
    keep each step constant on average. Adding active days only removes misses,
    so no run gets shorter: every figure derived here can only grow, or be
    reached earlier, as facts are added.
    """

    __slots__ = ("actives", "dates", "freezes", "misses", "position", "window")

    def __init__(self, rules: StreakRules) -> None:
        self.freezes = rules.freezes
        self.window = rules.freeze_window
        self.actives: deque[int] = deque()  # positions of the run's active days
        self.misses: deque[int] = deque()  # positions of its misses within the window
        self.dates: list[date] = []
        self.position = -1

    def step(self, day: date, active: bool) -> int:
        """Move to the next working day; returns the length of the run ending there."""
        self.position += 1
        position = self.position
        self.dates.append(day)
        actives, misses = self.actives, self.misses
        if active:
            actives.append(position)
            return len(actives)
        misses.append(position)
        oldest = position - self.window
        while misses[0] <= oldest:
            misses.popleft()
        while len(misses) > self.freezes:
            start = misses.popleft() + 1
            while actives and actives[0] < start:
                actives.popleft()
        return len(actives)

    def run(self) -> Streak | None:
        """The run ending at the current working day, if it holds an active day."""
        if not self.actives:
            return None
        first = self.actives[0]
        length = len(self.actives)
        return Streak(length, self.dates[first], self.dates[-1], self.position - first + 1 - length)


def _walk(
    active: Iterable[date], calendar: WorkCalendar, rules: StreakRules, until: date | None
) -> Iterator[tuple[date, _Runs]]:
    """Each working day from the first active one to ``until`` (or the last active one)."""
    days = set(active)
    if not days:
        return
    last = max(days) if until is None else until
    runs = _Runs(rules)
    for day in calendar.working_days(min(days), last):
        runs.step(day, day in days)
        yield day, runs


def streak_on(
    active: Iterable[date], calendar: WorkCalendar, rules: StreakRules, day: date
) -> Streak | None:
    """The longest run ending on ``day``: the streak alive that day, if any.

    Activity after ``day`` is left out. A weekend or holiday ``day`` gives the run
    ending on the working day before it.
    """
    last: _Runs | None = None
    for _, runs in _walk((d for d in set(active) if d <= day), calendar, rules, day):
        last = runs
    return None if last is None else last.run()


def longest_streak(
    active: Iterable[date], calendar: WorkCalendar, rules: StreakRules
) -> Streak | None:
    """The longest run of all (the earliest of equally long ones)."""
    best: Streak | None = None
    for _, runs in _walk(active, calendar, rules, None):
        if runs.actives and (best is None or len(runs.actives) > best.length):
            best = runs.run()
    return best


def last_break(
    active: Iterable[date], calendar: WorkCalendar, rules: StreakRules, day: date
) -> StreakBreak | None:
    """The last working day, up to ``day``, on which a run lost its first days.

    A miss too many in a window cuts a run: the run ending that day starts after
    the earlier miss (or holds no active day at all), and ``length`` is the run
    as it stood the working day before. None when no run was ever cut.
    """
    found: StreakBreak | None = None
    first, length = -1, 0
    for on, runs in _walk((d for d in set(active) if d <= day), calendar, rules, day):
        actives = runs.actives
        if length and (not actives or actives[0] != first):
            found = StreakBreak(on, length)
        first, length = (actives[0], len(actives)) if actives else (-1, 0)
    return found


def streak_reached(
    active: Iterable[date], calendar: WorkCalendar, rules: StreakRules, days: int
) -> date | None:
    """The first date on which a run reached ``days`` active working days."""
    ordered = sorted(set(active))
    if len(ordered) < days:
        return None
    return streaks_reached(ordered, calendar, rules, (days,))[0]


def streaks_reached(
    ordered: Sequence[date], calendar: WorkCalendar, rules: StreakRules, targets: Sequence[int]
) -> list[date | None]:
    """For each target length, the first date on which a run reached it.

    ``ordered`` holds distinct active dates in ascending order. A run reaches
    ``n`` on the active day that makes it ``n`` long (see :class:`_Runs`), so
    the date can only move earlier as facts are added. The walk stops as soon
    as the longest target is reached.
    """
    found: dict[int, date] = {}
    if not ordered:
        return [None] * len(targets)
    wanted = set(targets)
    longest = max(targets, default=0)
    active_set = set(ordered)
    runs = _Runs(rules)
    step = runs.step
    best = 0
    for day in calendar.working_days(ordered[0], ordered[-1]):
        length = step(day, day in active_set)
        if length > best:
            best = length
            if length in wanted:
                found[length] = day
            if best >= longest:
                break
    return [found.get(target) for target in targets]


def current_streak(
    active: Iterable[date], calendar: WorkCalendar, rules: StreakRules, today: date
) -> Streak | None:
    """The run still alive today; today itself is not a miss until it is over."""
    dates = set(active)
    until = today if today in dates else today - ONE_DAY
    return streak_on(dates, calendar, rules, until)


def habit_reached(active: Iterable[date], days: int, window: int) -> date | None:
    """The first date on which ``days`` of the last ``window`` calendar days were active."""
    return habit_reached_sorted(sorted(set(active)), days, window)


def habit_reached_sorted(ordered: Sequence[date], days: int, window: int) -> date | None:
    """:func:`habit_reached` for distinct dates already in ascending order."""
    if len(ordered) < days:
        return None
    for index in range(days - 1, len(ordered)):
        if (ordered[index] - ordered[index - days + 1]).days < window:
            return ordered[index]
    return None


def habit_progress(active: Iterable[date], window: int, today: date) -> int:
    """Active days among the last ``window`` calendar days, today included."""
    since = today - timedelta(days=window - 1)
    return sum(1 for day in set(active) if since <= day <= today)
