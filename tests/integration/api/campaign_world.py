"""An adoption cube filled from a known campaign effect, and the people who record campaigns."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.insight_tables import ANY_APP, Population, Refresh, WeekCell, week_of
from tests.integration.api.champion_world import Actor, World

TODAY = datetime(2026, 12, 16, 10, 0, tzinfo=UTC)  # a Wednesday
STARTS = date(2026, 11, 12)  # a Thursday: its week (from 9 November) is left out
FIRST_DAY = date(2026, 9, 1)
LAST_DAY = date(2026, 12, 15)
SIZES = {"Sales": 400, "Finance": 300, "HR": 200, "Legal": 3}
BASE = {"Sales": 0.30, "Finance": 0.40, "HR": 0.35, "Legal": 0.5}


def build_rates(
    true_points: float, *, seed: int = 1, noise: float = 0.004
) -> dict[date, dict[str, float]]:
    """Each department's weekly active rate: its level + a shock common to every
    department that week + ``true_points`` for Sales from the week after the campaign's
    + a little noise per department and week."""
    rng = random.Random(seed)
    rates: dict[date, dict[str, float]] = {}
    week = week_of(FIRST_DAY) + timedelta(days=7)
    while week + timedelta(days=6) <= LAST_DAY:
        shock = rng.uniform(-0.05, 0.05)
        rates[week] = {}
        for department, level in BASE.items():
            lift = true_points / 100 if department == "Sales" and week > week_of(STARTS) else 0
            value = level + shock + lift + rng.gauss(0, noise)
            rates[week][department] = min(max(value, 0.0), 1.0)
        week += timedelta(days=7)
    return rates


async def fill_cube(engine: AsyncEngine, rates: dict[date, dict[str, float]]) -> None:
    """The cube as scoring would build it from these rates: people = rate x licensed."""
    async with AsyncSession(engine) as session:
        for department, licensed in SIZES.items():
            session.add(Population(department=department, function="", licensed=licensed))
        for week, by_department in rates.items():
            for department, rate in by_department.items():
                people = round(rate * SIZES[department])
                session.add(
                    WeekCell(
                        week=week,
                        department=department,
                        function="",
                        app=ANY_APP,
                        people=people,
                        actions=people * 3,
                        person_days=people * 2,
                    )
                )
        session.add(
            Refresh(
                first_day=FIRST_DAY, last_day=LAST_DAY, segments_until=LAST_DAY, segment_weeks=4
            )
        )
        await session.commit()


@dataclass
class Cast:
    """Everyone the campaign endpoints tell apart."""

    world: World
    admin: Actor
    reader: Actor  # Insights.Read
    sales_champion: Actor
    finance_champion: Actor
    employee: Actor
    display: str

    def headers(self, role: str) -> dict[str, str]:
        if role == "anonymous":
            return {}
        if role == "display":
            return {"Authorization": f"Bearer {self.display}"}
        actor: Actor = getattr(self, role)
        return actor.headers


async def cast(world: World) -> Cast:
    """The directory (departments big and small) and one person of each kind."""
    world.clock.now = TODAY
    for department, size in SIZES.items():
        await world.colleagues(department, size)
    admin = await world.actor("Ada Admin", "HR", roles=["Admin"])
    reader = await world.actor("Rita Reader", "HR", roles=["Insights.Read"])
    sales = await world.actor("Sam Sales", "Sales")
    finance = await world.actor("Fay Finance", "Finance")
    employee = await world.actor("Eli Employee", "Sales")
    await world.champion(sales, admin, "Sales")
    await world.champion(finance, admin, "Finance")
    issued = await world.client.post(
        "/api/admin/display-tokens", json={"label": "Lobby"}, headers=admin.headers
    )
    return Cast(world, admin, reader, sales, finance, employee, issued.json()["token"])
