"""A person's own view: ranks from the boards, the rest from scoring's read model."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from zoneinfo import ZoneInfo

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.schemas import (
    BadgeView,
    DayExplanation,
    Goal,
    HabitView,
    LevelView,
    Profile,
    StreakView,
    TierView,
    WindowStanding,
)
from services.scoring import read
from services.scoring.rulebook import Rulebook
from shared.adoption import is_active
from shared.leaderboards import Scope, board_key, decode_value
from shared.people import Person
from shared.periods import CALENDAR_WINDOWS, period_key


async def standings_of(redis: Redis, person: str, today: date) -> list[WindowStanding]:
    keys = [(w, period_key(w, today)) for w in CALENDAR_WINDOWS]
    async with redis.pipeline(transaction=False) as pipe:
        for window, period in keys:
            key = board_key(Scope.PEOPLE, window, period)
            pipe.zscore(key, person)
            pipe.zrevrank(key, person)
            pipe.zcard(key)
        replies = await pipe.execute()
    standings = []
    for i, (window, period) in enumerate(keys):
        score, rank, ranked = replies[3 * i : 3 * i + 3]
        standings.append(
            WindowStanding(
                window=window,
                period=period,
                points=decode_value(score) if score is not None else 0.0,
                rank=None if rank is None else int(rank) + 1,
                ranked=int(ranked),
            )
        )
    return standings


async def scored(
    engine: AsyncEngine, rulebook: Rulebook, person: str, tz: ZoneInfo, today: date
) -> read.Profile | None:
    try:
        return await read.profile(engine, person, tz, today, rulebook)
    except LookupError:
        return None  # no rule set published yet


async def profile_of(
    redis: Redis,
    engine: AsyncEngine,
    rulebook: Rulebook,
    person: str,
    tz: ZoneInfo,
    today: date,
) -> Profile:
    async with AsyncSession(engine) as session:
        row = await session.get(Person, person)
    standings = await standings_of(redis, person, today)
    base = Profile(
        opted_in=bool(row and row.opted_in),
        name=row.display_name if row else None,
        team=row.team if row else None,
        department=row.department if row else None,
        standings=standings,
        active=await is_active(engine, person, today),
    )
    found = await scored(engine, rulebook, person, tz, today)
    if found is None:
        return base
    return base.model_copy(
        update={
            "rules_version": found.rules_version,
            "points": found.points,
            "level": LevelView(**asdict(found.level)),
            "badges": [BadgeView(**asdict(b)) for b in found.badges],
            "streak": StreakView(**asdict(found.streak)),
            "habit": HabitView(**asdict(found.habit)),
            "tier": TierView(**asdict(found.tier)),
            "next_goals": [Goal(**asdict(g)) for g in found.next_goals],
            "active_days": found.active_days,
        }
    )


async def explain_day(
    engine: AsyncEngine, rulebook: Rulebook, person: str, day: date, tz: ZoneInfo
) -> DayExplanation | None:
    try:
        found = await read.explain(engine, person, day, tz, rulebook)
    except LookupError:
        return None
    fields = asdict(found)
    fields.pop("person")
    return DayExplanation.model_validate(fields)
