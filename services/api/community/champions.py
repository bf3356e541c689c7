"""Who moderates: the one place the community asks whether someone is a champion.

Champions are kept by the champions programme (:mod:`services.api.champions`): an
approved champion of a department moderates its stories and edits its use cases.
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.auth.principal import Principal, Role
from services.api.champions.tables import Champion

APPROVED = "approved"


async def departments_championed(session: AsyncSession, person: str) -> list[str]:
    """The departments ``person`` is an approved champion of (none when not one)."""
    row = await session.get(Champion, person)
    if row is None or row.status != APPROVED:
        return []
    return list(row.departments)


async def is_champion_of(session: AsyncSession, person: str, department: str | None) -> bool:
    """Whether ``person`` is an approved champion of ``department`` (of any department
    when ``department`` is None)."""
    championed = await departments_championed(session, person)
    if department is None:
        return bool(championed)
    return department in championed


async def moderated_departments(session: AsyncSession, principal: Principal) -> list[str] | None:
    """The departments whose stories ``principal`` moderates: None for all (an admin),
    [] for none."""
    if principal.has(Role.ADMIN):
        return None
    if principal.person is None:
        return []
    return await departments_championed(session, principal.person)


async def moderates(session: AsyncSession, principal: Principal, department: str | None) -> bool:
    """Whether ``principal`` is an admin or a champion of ``department``."""
    if principal.has(Role.ADMIN):
        return True
    if principal.person is None or department is None:
        return False
    return await is_champion_of(session, principal.person, department)
