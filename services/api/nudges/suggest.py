"""Which use case a nudge suggests: what works where the app is used most.

For a department lagging in an app, the suggestion is the library's use case for that
app (for everyone, or for that department) confirmed by the most people in the leading
departments: the (at most three) shown departments whose rate in the app is highest and
above the organisation's. A confirmed try is someone saying "I tried this" and their
usage in the app showing it (:mod:`services.api.community.tries`); each person counts
once per use case, over every try kept. Ties, or no confirmation at all, fall back on
the library's order: then it is the library's first use case for the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.community.library import UseCase, listing
from services.api.community.tries import UseCaseTry
from shared.events import App
from shared.people import Person

Reason = Literal["confirmed", "library"]


@dataclass(frozen=True)
class Suggestion:
    use_case: UseCase
    reason: Reason  # confirmed in the leading departments, or the library's first
    confirmations: int  # people in the leading departments who confirmed it
    leaders: tuple[str, ...]


async def confirmed_in(session: AsyncSession, departments: list[str], app: str) -> dict[str, int]:
    """People in ``departments`` who confirmed each use case of ``app``."""
    if not departments:
        return {}
    rows = await session.exec(
        select(UseCaseTry.use_case, func.count(func.distinct(UseCaseTry.person)))
        .join(Person, col(Person.person) == col(UseCaseTry.person))
        .where(
            col(UseCaseTry.app) == app,
            col(UseCaseTry.confirmed_on).is_not(None),
            col(Person.department).in_(departments),
        )
        .group_by(col(UseCaseTry.use_case))
    )
    return {use_case: int(count) for use_case, count in rows.all()}


def choose(
    candidates: list[UseCase], confirmations: dict[str, int], leaders: list[str]
) -> Suggestion | None:
    """The most confirmed of ``candidates`` (in library order), else the first."""
    if not candidates:
        return None
    best = max(candidates, key=lambda u: confirmations.get(u.id, 0))  # first of equals
    count = confirmations.get(best.id, 0)
    if count == 0:
        return Suggestion(candidates[0], "library", 0, tuple(leaders))
    return Suggestion(best, "confirmed", count, tuple(leaders))


async def suggest(
    session: AsyncSession, department: str, app: str, leaders: list[str]
) -> Suggestion | None:
    """The use case to suggest to ``department`` for ``app``; ``None``: the library has none."""
    try:
        known = App(app)
    except ValueError:
        return None
    candidates = await listing(session, department=department, app=known)
    return choose(candidates, await confirmed_in(session, leaders, app), leaders)
