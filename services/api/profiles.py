"""A person's own view: standings per window, level, badges, habit, and goals within reach."""

from __future__ import annotations

from datetime import date, timedelta

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import activity
from services.api.published import RulesDocument
from services.api.schemas import BadgeView, Goal, LevelView, Profile, WindowStanding
from shared.leaderboards import Scope, board_key, decode_value
from shared.people import Person
from shared.periods import CALENDAR_WINDOWS, Window, period_key

HABIT_WINDOW = 28


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


def streak(active: list[date], today: date) -> int:
    """Consecutive active weekdays ending today (or the last weekday before it)."""
    days = set(active)
    day = today
    if day not in days:
        day -= timedelta(days=1)
    count = 0
    while True:
        if day.weekday() >= 5:
            day -= timedelta(days=1)
            continue
        if day not in days:
            return count
        count += 1
        day -= timedelta(days=1)


def goals(
    rules: RulesDocument,
    all_points: float,
    held: set[str],
    apps: set[str],
    active_28: int,
) -> list[Goal]:
    found: list[Goal] = []
    ahead = sorted((lv for lv in rules.levels if lv.points > all_points), key=lambda lv: lv.points)
    if ahead:
        found.append(
            Goal(
                kind="level",
                title=ahead[0].title,
                remaining=ahead[0].points - all_points,
                unit="points",
            )
        )
    for badge in rules.badges:
        if badge.id in held:
            continue
        if badge.type == "first_use" and badge.app and badge.app not in apps:
            found.append(Goal(kind="first_use", title=badge.title, remaining=1, unit="apps"))
        elif badge.type == "explorer" and badge.apps:
            found.append(
                Goal(
                    kind="explorer",
                    title=badge.title,
                    remaining=max(0, badge.apps - len(apps)),
                    unit="apps",
                )
            )
        elif badge.type == "habit" and badge.days:
            found.append(
                Goal(
                    kind="habit",
                    title=badge.title,
                    remaining=max(0, badge.days - active_28),
                    unit="days",
                )
            )
        elif badge.type == "milestone" and badge.metric == "points" and badge.count:
            found.append(
                Goal(
                    kind="milestone",
                    title=badge.title,
                    remaining=max(0.0, badge.count - all_points),
                    unit="points",
                )
            )
    found.sort(key=lambda g: (g.remaining, g.kind))
    return found[:5]


async def profile_of(
    redis: Redis, engine: AsyncEngine, rules: RulesDocument, person: str, today: date
) -> Profile:
    async with AsyncSession(engine) as session:
        row = await session.get(Person, person)
    standings = await standings_of(redis, person, today)
    badges = await activity.badges_of(engine, person)
    level = await activity.level_of(engine, person)
    apps = await activity.apps_of(engine, person)
    active = await activity.active_days_of(engine, person, today - timedelta(days=60))
    recent = [d for d in active if d > today - timedelta(days=HABIT_WINDOW)]
    all_points = next(s.points for s in standings if s.window is Window.ALL)
    opted_in = bool(row and row.opted_in)
    return Profile(
        opted_in=opted_in,
        name=row.display_name if row else None,
        team=row.team if row else None,
        department=row.department if row else None,
        standings=standings,
        level=LevelView(level=level[0], title=level[1]) if level else None,
        badges=[BadgeView(badge=b.badge, title=b.title, day=b.day) for b in badges],
        apps_used=sorted(apps),
        active_days_28=len(recent),
        streak_days=streak(active, today),
        next_goals=goals(rules, all_points, {b.badge for b in badges}, apps, len(recent)),
    )
