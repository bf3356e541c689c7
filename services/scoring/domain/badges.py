"""Badge conditions, each a monotone function of a person's history.

Adding activity can only make a badge true earlier or keep it, never take it
away, so a badge awarded once stays right whatever arrives later.

Judging every badge of a rule set for a person shares the work: what the
history says (its sorted active days, how many apps, prompts and points) is
worked out once and only when a badge asks, and each badge first checks a
cheap necessary condition - a streak of N needs N active working days, a habit
of D days needs D active days, an explorer of N apps needs N apps, a milestone
needs its total - before the exact date is looked for.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from datetime import date
from typing import Any

from services.scoring.domain.calendar import WorkCalendar, habit_reached_sorted, streaks_reached
from services.scoring.domain.model import History
from services.scoring.domain.rules import (
    Badge,
    ExplorerBadge,
    FirstUseBadge,
    HabitBadge,
    MilestoneBadge,
    RuleSet,
    StreakBadge,
)


def first_reaching(per_day: Mapping[date, int], count: int) -> date | None:
    """The first date (ascending) on which the running sum of ``per_day`` reached ``count``."""
    values = per_day.values()
    if sum(values) < count and min(values, default=0) >= 0:
        return None  # without negative amounts the running sum never exceeds the total
    running = 0
    for day in sorted(per_day):
        running += per_day[day]
        if running >= count:
            return day
    return None


class _Person:
    """What one person's history says, each part worked out once and only when asked."""

    __slots__ = ("_days", "_streaks", "_working", "calendar", "history", "paid", "rules")

    def __init__(
        self, rules: RuleSet, calendar: WorkCalendar, history: History, paid: dict[date, int]
    ) -> None:
        self.rules = rules
        self.calendar = calendar
        self.history = history
        self.paid = paid
        self._days: list[date] | None = None
        self._working: int | None = None
        self._streaks: dict[int, date | None] | None = None

    def days(self) -> list[date]:
        """The active dates in ascending order (``History.active_days``)."""
        if self._days is None:
            self._days = sorted(self.history.apps_by_day)
        return self._days

    def working_days(self) -> int:
        """How many active dates are working days: no streak can be longer."""
        if self._working is None:
            working = self.calendar.is_working_day
            self._working = sum(1 for day in self.history.apps_by_day if working(day))
        return self._working

    def streak(self, days: int) -> date | None:
        if len(self.history.apps_by_day) < days or self.working_days() < days:
            return None
        if self._streaks is None:
            # Every streak badge of the rule set in one walk over the working days.
            targets = sorted(
                {b.days for b in self.rules.badges if isinstance(b, StreakBadge)} | {days}
            )
            reached = streaks_reached(self.days(), self.calendar, self.rules.streak, targets)
            self._streaks = dict(zip(targets, reached, strict=True))
        if days not in self._streaks:
            self._streaks[days] = streaks_reached(
                self.days(), self.calendar, self.rules.streak, (days,)
            )[0]
        return self._streaks[days]

    def reached(self, badge: Badge) -> date | None:
        history = self.history
        match badge:
            case FirstUseBadge():
                return history.first_use.get(badge.app)
            case ExplorerBadge():
                if len(history.first_use) < badge.apps:
                    return None
                return sorted(history.first_use.values())[badge.apps - 1]
            case StreakBadge():
                return self.streak(badge.days)
            case HabitBadge():
                if len(history.apps_by_day) < badge.days:
                    return None
                return habit_reached_sorted(self.days(), badge.days, badge.window)
            case MilestoneBadge():
                if badge.metric == "active_days":
                    if len(history.apps_by_day) < badge.count:
                        return None
                    return self.days()[badge.count - 1]
                per_day = history.prompts_by_day if badge.metric == "prompts" else self.paid
                return first_reaching(per_day, badge.count)
        raise TypeError(f"unknown badge {badge!r}")


_FIRST_USE, _EXPLORER, _STREAK, _HABIT, _ACTIVE_DAYS, _PROMPTS, _POINTS, _UNKNOWN = range(8)


class BadgeCheck:
    """A rule set's badges, ready to be judged for many people.

    Each badge becomes (badge, id, code, number): the number being what its cheap
    condition compares (the app of a first use, apps, days or a milestone's count).
    """

    __slots__ = ("_checks", "calendar", "rules")

    def __init__(self, rules: RuleSet, calendar: WorkCalendar) -> None:
        self.rules = rules
        self.calendar = calendar
        checks: list[tuple[Badge, str, int, Any]] = []
        for badge in rules.badges:
            match badge:
                case FirstUseBadge():
                    checks.append((badge, badge.id, _FIRST_USE, badge.app))
                case ExplorerBadge():
                    checks.append((badge, badge.id, _EXPLORER, badge.apps))
                case StreakBadge():
                    checks.append((badge, badge.id, _STREAK, badge.days))
                case HabitBadge():
                    checks.append((badge, badge.id, _HABIT, badge.days))
                case MilestoneBadge():
                    code = {"active_days": _ACTIVE_DAYS, "prompts": _PROMPTS}.get(
                        badge.metric, _POINTS
                    )
                    checks.append((badge, badge.id, code, badge.count))
                case _:
                    checks.append((badge, badge.id, _UNKNOWN, None))
        self._checks = checks

    def achieved(
        self, history: History, paid: dict[date, int], held: Collection[str]
    ) -> list[tuple[Badge, date]]:
        """Badges not in ``held`` whose condition holds, with the date it first held."""
        found: list[tuple[Badge, date]] = []
        first_use = history.first_use
        apps = len(first_use)
        days = len(history.apps_by_day)
        person: _Person | None = None
        for badge, badge_id, code, number in self._checks:
            if badge_id in held:
                continue
            reached: date | None
            if code == _FIRST_USE:
                reached = first_use.get(number)
            elif code == _EXPLORER:
                if apps < number:
                    continue
                reached = sorted(first_use.values())[number - 1]
            elif code == _PROMPTS:
                reached = first_reaching(history.prompts_by_day, number)
            elif code == _POINTS:
                reached = first_reaching(paid, number)
            elif days < number and code != _UNKNOWN:
                continue  # streaks, habits and active days all need that many active days
            else:
                if person is None:
                    person = _Person(self.rules, self.calendar, history, paid)
                reached = person.reached(badge)
            if reached is not None:
                found.append((badge, reached))
        return found

    def redated(
        self, history: History, paid: dict[date, int], held: Mapping[str, date], since: date
    ) -> list[tuple[Badge, date]]:
        """Held badges whose condition first held before the day recorded for them.

        Facts dated ``since`` or later cannot change whether a condition held on an
        earlier day, so only badges recorded after ``since`` are judged again.
        """
        found: list[tuple[Badge, date]] = []
        person: _Person | None = None
        for badge, badge_id, _, _ in self._checks:
            recorded = held.get(badge_id)
            if recorded is None or recorded <= since:
                continue
            if person is None:
                person = _Person(self.rules, self.calendar, history, paid)
            reached = person.reached(badge)
            if reached is not None and reached < recorded:
                found.append((badge, reached))
        return found


def reached_on(
    badge: Badge,
    rules: RuleSet,
    calendar: WorkCalendar,
    history: History,
    paid: dict[date, int],
) -> date | None:
    """The first activity date on which the badge's condition held, if it does."""
    return _Person(rules, calendar, history, paid).reached(badge)


def achieved_badges(
    rules: RuleSet,
    calendar: WorkCalendar,
    history: History,
    paid: dict[date, int],
    held: Collection[str] = frozenset(),
) -> Iterator[tuple[Badge, date]]:
    """Badges not in ``held`` whose condition holds, with the date it first held."""
    yield from BadgeCheck(rules, calendar).achieved(history, paid, held)
