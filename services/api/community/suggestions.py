"""What to try next: use cases from the library in apps a person has not used yet.

Read from the person's stored signals (``scoring_signal``, as adoption does) and their
grants; use cases of their own department come first, then the library's order. When
every app has been used, use cases not yet confirmed fill the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import recognition
from services.api.community import library
from services.api.community.library import UseCase
from services.api.community.tries import expired, tries_of
from shared.events import RecognitionKind
from shared.people import Person

USED_APPS = text("SELECT DISTINCT app FROM scoring_signal WHERE person = :person")

Reason = Literal["new_app", "not_tried"]
TryStatus = Literal["pending", "confirmed", "expired"]


@dataclass(frozen=True)
class Suggestion:
    use_case: UseCase
    reason: Reason
    tried: TryStatus | None


async def apps_used(session: AsyncSession, person: str) -> set[str]:
    return {str(app) for app in (await session.execute(USED_APPS, {"person": person})).scalars()}


async def confirmed_use_cases(session: AsyncSession, person: str) -> set[str]:
    grants = await recognition.listing(session, person=person, kind=RecognitionKind.USE_CASE)
    return {g.grant_id.split(":")[1] for g in grants if g.grant_id.startswith("usecase:")}


async def try_status(session: AsyncSession, person: str, today: date) -> dict[str, TryStatus]:
    """The status of each use case ``person`` tried (their latest try)."""
    confirmed = await confirmed_use_cases(session, person)
    status: dict[str, TryStatus] = {}
    for row in await tries_of(session, person, limit=1000):
        if row.use_case in confirmed or row.confirmed_on is not None:
            status[row.use_case] = "confirmed"
        else:
            status[row.use_case] = "expired" if expired(row, today) else "pending"
    for use_case in confirmed:
        status[use_case] = "confirmed"
    return status


async def suggest(
    session: AsyncSession, person: str, today: date, limit: int = 3
) -> tuple[set[str], list[Suggestion]]:
    """The apps ``person`` used, and up to ``limit`` use cases to try next."""
    row = await session.get(Person, person)
    department = row.department if row is not None else None
    used = await apps_used(session, person)
    status = await try_status(session, person, today)
    candidates = [
        use_case
        for use_case in await library.listing(session, department=department)
        if status.get(use_case.id) != "confirmed"
    ]
    candidates.sort(key=lambda u: u.department is None)  # stable: own department first
    fresh = one_app_at_a_time([u for u in candidates if u.app not in used])
    picked = [Suggestion(u, "new_app", status.get(u.id)) for u in fresh]
    if len(picked) < limit:
        picked += [
            Suggestion(u, "not_tried", status.get(u.id)) for u in candidates if u.app in used
        ]
    return used, picked[:limit]


def one_app_at_a_time(use_cases: list[UseCase]) -> list[UseCase]:
    """The first use case of each app, then the second of each, and so on."""
    rank: dict[str, int] = {}
    keyed = []
    for position, use_case in enumerate(use_cases):
        rank[use_case.app] = rank.get(use_case.app, -1) + 1
        keyed.append((rank[use_case.app], position, use_case))
    return [use_case for _, _, use_case in sorted(keyed, key=lambda k: (k[0], k[1]))]
