"""What the employee page shows of a person's progress: the badges and level within
reach, and the last weeks as a streak calendar.

Both are read from scoring's ledger and rules in force (the same history and rule
set :func:`services.scoring.read.profile` uses), so the page and the points agree.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncEngine

from services.api.streak_calendar import DayState, streak_grid
from services.scoring.domain.engine import PersonState
from services.scoring.domain.progress import next_goals, streak_status
from services.scoring.domain.rules import (
    Badge,
    ExplorerBadge,
    FirstUseBadge,
    HabitBadge,
    MilestoneBadge,
    StreakBadge,
)
from services.scoring.rulebook import ActiveRules, Rulebook
from services.scoring.store import ledger
from shared.languages import Language

BadgeType = Literal["first_use", "explorer", "streak", "habit", "milestone"]


class BadgeRule(BaseModel):
    """A badge's rule, for the page to say in plain words."""

    type: BadgeType
    app: str | None = Field(default=None, description="first_use: the app")
    apps: int | None = Field(default=None, description="explorer: apps to use")
    days: int | None = Field(default=None, description="streak, habit: working or active days")
    window: int | None = Field(default=None, description="habit: within this many days")
    metric: str | None = Field(default=None, description="milestone: prompts, active_days, points")
    count: int | None = Field(default=None, description="milestone: how many")


class BadgeProgress(BaseModel):
    id: str
    title: str
    progress: float
    target: float
    rule: BadgeRule


class LevelProgress(BaseModel):
    level: int
    title: str
    points: int = Field(description="My points")
    floor: int = Field(description="Points this level starts at")
    next_level: int | None
    next_title: str | None
    next_points: int | None = Field(description="Points the next level starts at")


class MyProgress(BaseModel):
    """Unearned badges, closest to done first, and where I stand between two levels."""

    rules_version: int | None
    level: LevelProgress | None
    badges: list[BadgeProgress]
    earned: int = Field(description="Badges I hold")


class CalendarDay(BaseModel):
    date: date
    state: DayState
    in_streak: bool = Field(description="Part of the streak alive today")


class StreakCalendar(BaseModel):
    """The last weeks, Monday to Sunday, oldest first, as the streak rule sees them."""

    rules_version: int | None
    start: date
    end: date
    today: date
    current: int = Field(description="Working days in the streak alive today")
    best: int
    streak_start: date | None
    freezes_used: int
    freezes: int = Field(description="Missed working days a streak forgives...")
    freeze_window: int = Field(description="...within this many working days")
    days: list[CalendarDay]


async def state_of(
    engine: AsyncEngine, rulebook: Rulebook, person: str
) -> tuple[ActiveRules, PersonState] | None:
    """The rules in force and what scoring holds of ``person``; None before any rules."""
    async with engine.connect() as conn:
        try:
            active = await rulebook.current(conn)
        except LookupError:
            return None
        states = await ledger.load_states(conn, active.version, [person])
    return active, states[person]


def rule_of(badge: Badge) -> BadgeRule:
    match badge:
        case FirstUseBadge():
            return BadgeRule(type="first_use", app=badge.app)
        case ExplorerBadge():
            return BadgeRule(type="explorer", apps=badge.apps)
        case StreakBadge():
            return BadgeRule(type="streak", days=badge.days)
        case HabitBadge():
            return BadgeRule(type="habit", days=badge.days, window=badge.window)
        case MilestoneBadge():
            return BadgeRule(type="milestone", metric=badge.metric, count=badge.count)
    raise TypeError(f"unknown badge {badge!r}")


def progress_of(active: ActiveRules, state: PersonState, today: date, lang: Language) -> MyProgress:
    rules = active.rules
    points = state.total
    streak = streak_status(state.history, rules, active.calendar, today)
    held = set(state.badges)
    goals = next_goals(
        state.history, rules, points, held, streak, today, limit=len(rules.badges) + 1
    )
    by_id = {badge.id: badge for badge in rules.badges}
    badges = [
        BadgeProgress(
            id=goal.id,
            title=by_id[goal.id].title.in_language(lang),
            progress=goal.progress,
            target=goal.target,
            rule=rule_of(by_id[goal.id]),
        )
        for goal in goals
        if goal.kind == "badge" and goal.id in by_id
    ]
    level = rules.level_for(points)
    above = sorted((lv for lv in rules.levels if lv.points > points), key=lambda lv: lv.points)
    following = above[0] if above else None
    return MyProgress(
        rules_version=active.version,
        level=LevelProgress(
            level=level.level,
            title=level.title.in_language(lang),
            points=points,
            floor=level.points,
            next_level=following.level if following else None,
            next_title=following.title.in_language(lang) if following else None,
            next_points=following.points if following else None,
        ),
        badges=badges,
        earned=len(held & set(by_id)),
    )


def calendar_of(active: ActiveRules, state: PersonState, today: date, weeks: int) -> StreakCalendar:
    rules = active.rules
    grid = streak_grid(
        state.history.active_days,
        active.calendar,
        rules.streak,
        today,
        weeks,
        rules.calendar.workdays,
    )
    alive = grid.current
    return StreakCalendar(
        rules_version=active.version,
        start=grid.start,
        end=grid.end,
        today=today,
        current=alive.length if alive else 0,
        best=grid.best.length if grid.best else 0,
        streak_start=alive.start if alive else None,
        freezes_used=alive.freezes_used if alive else 0,
        freezes=rules.streak.freezes,
        freeze_window=rules.streak.freeze_window,
        days=[CalendarDay(date=d.day, state=d.state, in_streak=d.in_streak) for d in grid.days],
    )
