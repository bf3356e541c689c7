"""Badge conditions, each a monotone function of a person's history.

Adding activity can only make a badge true earlier or keep it, never take it
away, so a badge awarded once stays right whatever arrives later.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from services.scoring.domain.calendar import WorkCalendar, habit_reached, streak_reached
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


def _nth_distinct_app_day(history: History, count: int) -> date | None:
    seen = sorted(history.first_use.values())
    return seen[count - 1] if len(seen) >= count else None


def _milestone_day(badge: MilestoneBadge, history: History, paid: dict[date, int]) -> date | None:
    if badge.metric == "active_days":
        days = history.active_days
        return days[badge.count - 1] if len(days) >= badge.count else None
    per_day = history.prompts_by_day if badge.metric == "prompts" else paid
    running = 0
    for day in sorted(per_day):
        running += per_day[day]
        if running >= badge.count:
            return day
    return None


def reached_on(
    badge: Badge,
    rules: RuleSet,
    calendar: WorkCalendar,
    history: History,
    paid: dict[date, int],
) -> date | None:
    """The first activity date on which the badge's condition held, if it does."""
    match badge:
        case FirstUseBadge():
            return history.first_use.get(badge.app)
        case ExplorerBadge():
            return _nth_distinct_app_day(history, badge.apps)
        case StreakBadge():
            return streak_reached(history.active_days, calendar, rules.streak, badge.days)
        case HabitBadge():
            return habit_reached(history.active_days, badge.days, badge.window)
        case MilestoneBadge():
            return _milestone_day(badge, history, paid)
    raise TypeError(f"unknown badge {badge!r}")


def achieved_badges(
    rules: RuleSet,
    calendar: WorkCalendar,
    history: History,
    paid: dict[date, int],
    held: set[str] | frozenset[str] = frozenset(),
) -> Iterator[tuple[Badge, date]]:
    """Badges not in ``held`` whose condition holds, with the date it first held."""
    for badge in rules.badges:
        if badge.id in held:
            continue
        reached = reached_on(badge, rules, calendar, history, paid)
        if reached is not None:
            yield badge, reached
