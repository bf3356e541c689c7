"""This week's nudges, read from the adoption cube (see :mod:`services.api.nudges.gaps`)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncEngine

from services.api import insight_cube
from services.api.nudges.gaps import Cell, Nudges, nudges, window


async def this_week(engine: AsyncEngine, today: date, min_group_size: int) -> Nudges | None:
    """The list for ``today``'s week; ``None`` while the cube covers no complete week."""
    coverage = await insight_cube.coverage(engine)
    if coverage is None:
        return None
    weeks = window(today, (coverage.first_day, coverage.last_day))
    if weeks is None:
        return None
    population = await insight_cube.population(engine, "department")
    rows = await insight_cube.weekly(
        engine, "department", weeks.since, weeks.mondays[-1], per_app=True
    )
    cells = [Cell(row.week, row.group, row.app, row.people) for row in rows]
    return nudges(population, cells, weeks, min_group_size)
