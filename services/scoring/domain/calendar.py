"""Working days, streaks and habits, all derived from a set of active dates.

Nothing here depends on the order in which activity arrived: the same set of
dates gives the same streaks, habits and achievement dates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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
    length: int  # active working days in the run
    start: date
    end: date  # last active working day of the run
    freezes_used: int


@dataclass(frozen=True)
class StreakBreak:
    """A run that ended: the missed working day that broke it."""

    on: date
    length: int


def streak_runs(
    active: Iterable[date], calendar: WorkCalendar, rules: StreakRules, until: date | None = None
) -> tuple[list[Streak], list[StreakBreak]]:
    """Every run of active working days, bridging misses with freezes.

    A missed working day is bridged when fewer than ``rules.freezes`` freezes were
    used in the last ``rules.freeze_window`` working days; otherwise the run
    breaks on that day. Activity on weekends and holidays neither counts nor breaks.
    """
    days = sorted(set(active))
    if not days:
        return [], []
    active_set = set(days)
    last = until or days[-1]
    runs: list[Streak] = []
    breaks: list[StreakBreak] = []
    length, start, end, used = 0, days[0], days[0], 0
    freeze_at: list[int] = []  # working-day positions where freezes were used
    position = 0
    for day in calendar.working_days(days[0], last):
        position += 1
        if day in active_set:
            if length == 0:
                start, freeze_at, used = day, [], 0
            length += 1
            end = day
            continue
        if length == 0:
            continue
        recent = [p for p in freeze_at if position - p < rules.freeze_window]
        if len(recent) < rules.freezes:
            freeze_at = [*recent, position]
            used += 1
            continue
        runs.append(Streak(length, start, end, used))
        breaks.append(StreakBreak(day, length))
        length = 0
    if length:
        runs.append(Streak(length, start, end, used))
    return runs, breaks


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

    ``ordered`` holds distinct active dates in ascending order. One walk over the
    working days does for every target what :func:`streak_reached` does for one:
    runs are bridged and broken exactly as in :func:`streak_runs`, and a run
    reaches ``n`` on its ``n``-th active working day. The walk stops as soon as the
    longest target is reached.
    """
    found: dict[int, date] = {}
    if not ordered:
        return [None] * len(targets)
    wanted = set(targets)
    longest = max(targets, default=0)
    active_set = set(ordered)
    freezes, window = rules.freezes, rules.freeze_window
    length = best = position = 0
    freeze_at: list[int] = []
    for day in calendar.working_days(ordered[0], ordered[-1]):
        position += 1
        if day in active_set:
            if length == 0:
                freeze_at = []
            length += 1
            if length > best:
                best = length
                if length in wanted:
                    found[length] = day
                if best >= longest:
                    break
            continue
        if length == 0:
            continue
        recent = [p for p in freeze_at if position - p < window]
        if len(recent) < freezes:
            freeze_at = [*recent, position]
            continue
        length = 0
    return [found.get(target) for target in targets]


def current_streak(
    active: Iterable[date], calendar: WorkCalendar, rules: StreakRules, today: date
) -> Streak | None:
    """The run still alive today; today itself is not a miss until it is over."""
    dates = set(active)
    until = today if today in dates else today - ONE_DAY
    runs, breaks = streak_runs((d for d in dates if d <= until), calendar, rules, until=until)
    if runs and len(runs) > len(breaks):
        return runs[-1]
    return None


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
