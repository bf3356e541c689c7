"""Read models for the api: a person's profile and the explanation of a day.

Stable functions (the api imports these; they only read SQL):

- :func:`profile` -- points, level, badges, streak, habit progress, usage tier
  and next goals of one pseudonymous person under the rules in force.
- :func:`explain` -- for one person and one org-local day: which rules paid,
  which did not and why ("daily cap of 60 reached", "streak broken on ..."), and the
  points granted outside Copilot usage that day, with what they were for.

Boards themselves are read with :func:`shared.leaderboards.top` and ``around``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row, and_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.scoring.domain.calendar import habit_progress, last_break, streak_on
from services.scoring.domain.model import AwardKind
from services.scoring.domain.progress import (
    Goal,
    StreakStatus,
    TierStatus,
    next_goals,
    streak_status,
    tier_of,
)
from services.scoring.domain.recognition import is_recognition
from services.scoring.domain.rules import HabitBadge
from services.scoring.rulebook import ActiveRules, Rulebook
from services.scoring.store import ledger
from shared.periods import today as org_today

DEFAULT_HABIT = (12, 28)


@dataclass(frozen=True)
class EarnedBadge:
    id: str
    title: str
    earned_on: date


@dataclass(frozen=True)
class LevelStatus:
    level: int
    title: str
    points: int  # threshold of this level
    next_level: int | None
    next_title: str | None
    next_points: int | None


@dataclass(frozen=True)
class HabitStatus:
    active_days: int
    days: int  # needed
    window: int
    reached: bool


@dataclass(frozen=True)
class Profile:
    person: str
    rules_version: int
    points: int
    level: LevelStatus
    badges: list[EarnedBadge]
    streak: StreakStatus
    habit: HabitStatus
    tier: TierStatus
    next_goals: list[Goal]
    active_days: int


@dataclass(frozen=True)
class Line:
    rule: str
    points: int
    paid: bool
    reason: str
    app: str | None = None
    at: datetime | None = None
    title: str | None = None  # what points outside Copilot usage were granted for


@dataclass
class Explanation:
    person: str
    day: date
    rules_version: int
    points: int = 0
    daily_cap: int | None = None
    lines: list[Line] = field(default_factory=list)  # each scoring signal of the day
    # Points granted outside Copilot usage (events, stories, kudos...), and revocations.
    recognition: list[Line] = field(default_factory=list)
    awards: list[Line] = field(default_factory=list)  # badges and levels dated that day
    notes: list[str] = field(default_factory=list)  # streak, habit, bonuses: why or why not


async def _active(conn: AsyncConnection, rulebook: Rulebook | None) -> ActiveRules:
    return await (rulebook or Rulebook()).current(conn)


async def _rows(conn: AsyncConnection, version: int, person: str) -> list[Row[Any]]:
    table = ledger.LEDGER
    result = await conn.execute(
        select(table)
        .where(and_(table.c.ruleset_version == version, table.c.person == person))
        .order_by(table.c.day, table.c.at, table.c.key)
    )
    return list(result)


def _habit_rule(active: ActiveRules) -> tuple[int, int]:
    for badge in active.rules.badges:
        if isinstance(badge, HabitBadge):
            return badge.days, badge.window
    return DEFAULT_HABIT


async def profile(
    engine: AsyncEngine,
    person: str,
    tz: ZoneInfo,
    today: date | None = None,
    rulebook: Rulebook | None = None,
) -> Profile | None:
    """A person's standing; None when scoring has never heard of them."""
    today = today or org_today(tz)
    async with engine.connect() as conn:
        active = await _active(conn, rulebook)
        states = await ledger.load_states(conn, active.version, [person])
        rows = await _rows(conn, active.version, person)
    state = states[person]
    if not rows and not state.history.apps_by_day:
        return None
    points = state.total
    level = active.rules.level_for(points)
    above = sorted(
        (lv for lv in active.rules.levels if lv.points > points), key=lambda lv: lv.points
    )
    badges = [
        EarnedBadge(row.ref, row.title or row.ref, row.day)
        for row in rows
        if row.kind == AwardKind.BADGE
    ]
    streak = streak_status(state.history, active.rules, active.calendar, today)
    days, window = _habit_rule(active)
    habit_days = habit_progress(state.history.active_days, window, today)
    return Profile(
        person=person,
        rules_version=active.version,
        points=points,
        level=LevelStatus(
            level.level,
            level.title,
            level.points,
            above[0].level if above else None,
            above[0].title if above else None,
            above[0].points if above else None,
        ),
        badges=badges,
        streak=streak,
        habit=HabitStatus(habit_days, days, window, habit_days >= days),
        tier=tier_of(state.history, active.rules, today),
        next_goals=next_goals(
            state.history, active.rules, points, {b.id for b in badges}, streak, today
        ),
        active_days=len(state.history.apps_by_day),
    )


async def explain(
    engine: AsyncEngine,
    person: str,
    day: date,
    tz: ZoneInfo,
    rulebook: Rulebook | None = None,
) -> Explanation:
    """Why a person got what they got on an org-local day."""
    async with engine.connect() as conn:
        active = await _active(conn, rulebook)
        states = await ledger.load_states(conn, active.version, [person])
        rows = await _rows(conn, active.version, person)
    rules, calendar = active.rules, active.calendar
    history = states[person].history
    out = Explanation(person, day, active.version, daily_cap=rules.points.daily_cap)
    for row in rows:
        if row.day != day:
            continue
        line = Line(row.rule, row.points, row.points > 0, row.note or "", row.app, row.at)
        if row.kind == AwardKind.POINTS and is_recognition(row.rule):
            out.recognition.append(replace(line, title=row.title or ""))
            out.points += row.points
        elif row.kind == AwardKind.POINTS:
            out.lines.append(line)
            out.points += row.points
        else:
            out.awards.append(Line(row.rule, 0, True, row.title or row.ref or "", at=row.at))
    if not out.lines:
        out.notes.append("no Copilot activity recorded on this day")
    for bonus in rules.bonuses:
        if bonus.contains(day):
            apps = ", ".join(bonus.apps) if bonus.apps else "every app"
            out.notes.append(f"bonus {bonus.id}: x{bonus.multiplier:g} in {apps}")
    out.notes += _streak_notes(history.active_days, active, day)
    days, window = _habit_rule(active)
    progress = habit_progress(history.active_days, window, day)
    verdict = "habit reached" if progress >= days else f"the habit needs {days}"
    out.notes.append(f"active on {progress} of the last {window} days; {verdict}")
    if not calendar.is_working_day(day):
        out.notes.append("not a working day: streaks neither grow nor break")
    return out


def _streak_notes(active_days: list[date], active: ActiveRules, day: date) -> list[str]:
    rules, calendar = active.rules.streak, active.calendar
    run = streak_on(active_days, calendar, rules, day)
    cut = last_break(active_days, calendar, rules, day)
    notes = []
    if cut is not None and (run is None or cut.on == day):
        notes.append(f"streak broken on {cut.on.isoformat()} after {cut.length} working days")
    if run is not None:
        frozen = f", {run.freezes_used} freeze(s) used" if run.freezes_used else ""
        notes.append(f"streak of {run.length} working days since {run.start.isoformat()}{frozen}")
    return notes or ["no streak yet"]
