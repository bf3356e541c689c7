"""``ChampionDep``: the caller is an approved champion (or an admin), with their departments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.auth.principal import Principal, Role
from services.api.champions.tables import Champion
from services.api.deps import EmployeeDep, ResourcesDep

APPROVED = "approved"


@dataclass(frozen=True)
class ChampionContext:
    """Who acts as a champion: their person, focus departments and whether they are admin.

    An admin who is no approved champion has no departments of their own but may act
    for any department.
    """

    principal: Principal
    person: str
    departments: tuple[str, ...]
    admin: bool

    def serves(self, department: str) -> bool:
        return self.admin or department in self.departments


async def approved_champion(principal: EmployeeDep, resources: ResourcesDep) -> ChampionContext:
    assert principal.person is not None
    async with AsyncSession(resources.engine) as session:
        row = await session.get(Champion, principal.person)
    admin = principal.has(Role.ADMIN)
    if row is not None and row.status == APPROVED:
        return ChampionContext(principal, principal.person, tuple(row.departments), admin)
    if admin:
        return ChampionContext(principal, principal.person, (), True)
    raise HTTPException(403, "only approved champions may do this")


ChampionDep = Annotated[ChampionContext, Depends(approved_champion)]
