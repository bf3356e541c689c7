"""Where a person stands: streak, habit, usage tier and the next goals within reach."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from services.scoring.domain.calendar import (
    WorkCalendar,
    current_streak,
    habit_progress,
    longest_streak,
)
from services.scoring.domain.model import History
from services.scoring.domain.rules import (
    ExplorerBadge,
    FirstUseBadge,
    HabitBadge,
    MilestoneBadge,
    RuleSet,
    StreakBadge,
    Tier,
    TierRules,
)

NO_TIER = "none"  # the tier of people with no action, or none of the tiers' conditions


@dataclass(frozen=True)
class StreakStatus:
    current: int
    best: int
    last_active: date | None
    freezes_used: int


@dataclass(frozen=True)
class Goal:
    kind: str  # "level" or "badge"
    id: str
    title: str
    progress: float
    target: float


@dataclass(frozen=True)
class TierStatus:
    id: str
    title: str
    active_weeks: int
    weekly_actions: float


def streak_status(
    history: History, rules: RuleSet, calendar: WorkCalendar, today: date
) -> StreakStatus:
    days = history.active_days
    longest = longest_streak(days, calendar, rules.streak)
    alive = current_streak(days, calendar, rules.streak, today)
    return StreakStatus(
        current=alive.length if alive else 0,
        best=longest.length if longest else 0,
        last_active=days[-1] if days else None,
        freezes_used=alive.freezes_used if alive else 0,
    )


def tier_of(history: History, rules: RuleSet, today: date) -> TierStatus:
    """Microsoft's usage segments over the last ``weeks`` seven-day periods ending today."""
    weeks = rules.tiers.weeks
    actions_per_week = [0] * weeks
    for day, count in history.actions_by_day.items():
        back = (today - day).days
        if 0 <= back < weeks * 7:
            actions_per_week[back // 7] += count
    return tier_for(actions_per_week, rules.tiers)


def tier_for(actions_per_week: Sequence[int], rules: TierRules) -> TierStatus:
    """The first tier whose conditions hold for these actions per week (``rules.weeks`` of
    them, in any order), or "none": the one judgement behind /me and the insight cube."""
    weeks = rules.weeks
    active_weeks = sum(1 for count in actions_per_week if count > 0)
    total = sum(actions_per_week)
    weekly = total / weeks

    def holds(tier: Tier) -> bool:
        return (
            active_weeks >= tier.min_active_weeks
            and weekly >= tier.min_weekly_actions
            and total >= tier.min_actions
            and total > 0
        )

    for tier in rules.tiers:
        if holds(tier):
            return TierStatus(tier.id, tier.title, active_weeks, round(weekly, 2))
    return TierStatus(NO_TIER, rules.fallback, active_weeks, round(weekly, 2))


def next_goals(
    history: History,
    rules: RuleSet,
    points: int,
    held: set[str],
    streak: StreakStatus,
    today: date,
    limit: int = 3,
) -> list[Goal]:
    """The nearest unearned level and badges, closest to done first."""
    goals: list[Goal] = []
    above = sorted((lv for lv in rules.levels if lv.points > points), key=lambda lv: lv.points)
    if above:
        goals.append(Goal("level", str(above[0].level), above[0].title, points, above[0].points))
    for badge in rules.badges:
        if badge.id in held:
            continue
        progress: float
        target: float
        match badge:
            case FirstUseBadge():
                progress, target = 0, 1
            case ExplorerBadge():
                progress, target = len(history.first_use), badge.apps
            case StreakBadge():
                progress, target = streak.current, badge.days
            case HabitBadge():
                progress = habit_progress(history.active_days, badge.window, today)
                target = badge.days
            case MilestoneBadge():
                target = badge.count
                if badge.metric == "prompts":
                    progress = sum(history.prompts_by_day.values())
                elif badge.metric == "active_days":
                    progress = len(history.apps_by_day)
                else:
                    progress = points
        goals.append(Goal("badge", badge.id, badge.title, min(progress, target), target))
    goals.sort(key=lambda g: (-(g.progress / g.target if g.target else 0), g.kind, g.id))
    return goals[:limit]


def habit_window_start(today: date, window: int) -> date:
    return today - timedelta(days=window - 1)
