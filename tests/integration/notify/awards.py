"""Award events and people as scoring and the directory would produce them."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from shared.database import session_factory
from shared.events import BadgeAwarded, CloudEvent, PointsAwarded
from shared.people import Person


def badge(
    person: str,
    title: str,
    *,
    team: str = "Finance Ops",
    department: str = "Finance",
    badge_id: str = "explorer",
    day: date = date(2026, 11, 23),
    titles: dict[str, str] | None = None,
) -> CloudEvent[Any]:
    payload = BadgeAwarded(
        person=person,
        rule=f"badge.{badge_id}",
        ruleset_version=1,
        activity_date=day,
        team=team,
        department=department,
        ledger_key=f"{badge_id}:{person}:{title}",
        badge=badge_id,
        title=title,
        titles=titles or {},
    )
    return CloudEvent.wrap(payload, source="uptake/scoring")


async def add_people(engine: AsyncEngine, *people: Person) -> None:
    async with session_factory(engine)() as session:
        session.add_all(people)
        await session.commit()


def points(
    person: str, amount: int, day: date, *, team: str, department: str = "Ops"
) -> CloudEvent[Any]:
    payload = PointsAwarded(
        person=person,
        rule="points.prompt",
        ruleset_version=1,
        activity_date=day,
        team=team,
        department=department,
        ledger_key=f"points:{person}:{day}:{amount}",
        points=amount,
    )
    return CloudEvent.wrap(payload, source="uptake/scoring")
