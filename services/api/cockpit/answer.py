"""One cockpit answer: read the cells, compute the charts, cache until the next build.

The cube only changes when scoring rebuilds it, so an answer is kept per build
(``refreshed_at``), scope, weeks and language: repeated views cost one small read.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from services.api import insight_cube
from services.api.cache import RenderedCache
from services.api.cockpit.compute import Ask, cockpit
from services.api.cockpit.models import Cockpit
from services.api.cockpit.read import known_groups, read_cells
from services.api.cockpit.texts import say
from services.api.cockpit.tiers import rules_in_force
from services.api.i18n import Lang
from services.api.insight_cube import Within
from services.scoring.rulebook import Rulebook

MIN_WEEKS, MAX_WEEKS, DEFAULT_WEEKS = 4, 13, 12


class UnknownGroup(LookupError):
    """The department or function asked for is not in the cube."""


@dataclass(frozen=True)
class Question:
    lang: Lang
    weeks: int
    within: Within | None
    min_group_size: int
    minutes_per_action: float


async def answer(
    engine: AsyncEngine, rulebook: Rulebook, cache: RenderedCache, question: Question
) -> Cockpit:
    """The cockpit for ``question``; empty with a notice before the cube's first build."""
    coverage = await insight_cube.coverage(engine)
    if coverage is None:
        return Cockpit(
            lang=question.lang,
            min_group_size=question.min_group_size,
            coverage=None,
            scope=None,
            notice=say(question.lang, "ck_empty"),
        )
    if question.within is not None and question.within.value not in await known_groups(
        engine, question.within
    ):
        raise UnknownGroup(f"no {question.within.dimension} {question.within.value!r} is known")

    async def render() -> bytes:
        cells = await read_cells(engine, question.weeks, question.within)
        if cells is None:  # the cube vanished between the two reads
            raise LookupError("the insight cube is not built")
        rules = await rules_in_force(engine, rulebook)
        ask = Ask(
            lang=question.lang,
            weeks=question.weeks,
            within=question.within,
            min_group_size=question.min_group_size,
            minutes_per_action=question.minutes_per_action,
            tiers=rules.tiers,
        )
        return cockpit(cells, ask).model_dump_json().encode()

    key = ("cockpit", coverage.refreshed_at, question)
    return Cockpit.model_validate_json(await cache.get(key, render))
