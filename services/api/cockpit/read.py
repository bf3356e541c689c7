"""Gather the cube's cells one cockpit answer needs: a handful of grouped reads.

Nothing here scans people or signals: every read groups the pre-aggregated cells of
:mod:`shared.insight_tables` by one dimension, for at most 13 weeks.
"""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncEngine

from services.api import insight_cube
from services.api.cockpit.compute import Cells
from services.api.cockpit.weeks import READ_WEEKS, last_complete_week, weeks_ending
from services.api.insight_cube import Within


async def known_groups(engine: AsyncEngine, within: Within) -> set[str]:
    """The departments or functions the cube knows, to tell an unknown name apart."""
    return set(await insight_cube.population(engine, within.dimension))


async def read_cells(engine: AsyncEngine, weeks: int, within: Within | None) -> Cells | None:
    """The cells of the ``weeks`` complete weeks shown (and the 8 the flags compare),
    ``within`` one group or the whole organisation; None before the cube's first build."""
    coverage = await insight_cube.coverage(engine)
    if coverage is None:
        return None
    read = weeks_ending(last_complete_week(coverage.last_day), max(weeks, READ_WEEKS))
    since, until = read[0], read[-1]
    departments, functions, by_department, by_function, segments = await asyncio.gather(
        insight_cube.population(engine, "department", within),
        insight_cube.population(engine, "function", within),
        insight_cube.weekly(engine, "department", since, until, within, per_app=True),
        insight_cube.weekly(engine, "function", since, until, within),
        insight_cube.segments(engine, "department", within),
    )
    return Cells(coverage, departments, functions, by_department, by_function, segments)
