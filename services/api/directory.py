"""What the gateway needs from the directory: group sizes and the names people allowed.

Loaded from the SQL ``person`` table and kept for a few seconds, so boards read
Redis only; an opt-out or a removal shows within ``api_directory_ttl_seconds``.
A name is kept only where showing it exposes no colleague (``shared.small_groups``):
every board, standing, neighbour list and screen reads names from here.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.leaderboards import Scope
from shared.people import Person
from shared.small_groups import GroupSizes, Membership, nameable, shown


@dataclass(frozen=True)
class Snapshot:
    """Licensed members per team and department, opted-in names, removed people."""

    team_sizes: dict[str, int] = field(default_factory=dict)
    department_sizes: dict[str, int] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    # Team and department of every licensed person still here, for active rates.
    memberships: dict[str, Membership] = field(default_factory=dict)
    # Everyone still here, licensed or not: scoring files all their points under a group.
    placed: dict[str, Membership] = field(default_factory=dict)
    removed: frozenset[str] = frozenset()

    @property
    def licensed(self) -> int:
        return len(self.memberships)

    def in_group(self, scope: Scope, group: str) -> list[str]:
        """Everyone whose points count towards ``group``, licensed or not."""
        at = 0 if scope is Scope.TEAMS else 1
        return [p for p, where in self.placed.items() if where[at] == group]

    def group_of(self, scope: Scope, person: str) -> str | None:
        team, department = self.memberships.get(person, (None, None))
        return team if scope is Scope.TEAMS else department

    def group_size(self, scope: Scope, group: str) -> int:
        sizes = self.team_sizes if scope is Scope.TEAMS else self.department_sizes
        return sizes.get(group, 0)

    def shown(self, scope: Scope, group: str, min_size: int) -> bool:
        """Whether the group is big enough to show (``shared.small_groups.shown``)."""
        return shown(self.group_size(scope, group), min_size)

    def name_of(self, person: str) -> str | None:
        return self.names.get(person)


async def load_snapshot(engine: AsyncEngine, min_size: int) -> Snapshot:
    """The directory now; names only of people :func:`shared.small_groups.nameable` allows."""
    async with AsyncSession(engine) as session:
        opted = await session.exec(
            select(Person.person, Person.display_name).where(
                col(Person.opted_in).is_(True), col(Person.removed).is_(False)
            )
        )
        removed = await session.exec(select(Person.person).where(col(Person.removed).is_(True)))
        here = await session.exec(
            select(Person.person, Person.team, Person.department, Person.licensed).where(
                col(Person.removed).is_(False)
            )
        )
        placed: dict[str, Membership] = {}
        memberships: dict[str, Membership] = {}
        for person, team, department, licensed in here.all():
            placed[person] = (team, department)
            if licensed:  # as shared.small_groups.counted()
                memberships[person] = (team, department)
        sizes = GroupSizes.of(memberships.values())
        wanted = {p: name for p, name in opted.all() if name}
        allowed = nameable(wanted, placed, sizes, min_size)
        return Snapshot(
            team_sizes=dict(sizes.teams),
            department_sizes=dict(sizes.departments),
            names={p: name for p, name in wanted.items() if p in allowed},
            memberships=memberships,
            placed=placed,
            removed=frozenset(removed.all()),
        )


class Directory:
    """A time-bounded cache of :class:`Snapshot`; one load at a time."""

    def __init__(
        self,
        engine: AsyncEngine,
        ttl: float,
        min_size: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._ttl = ttl
        self._min_size = min_size
        self._clock = clock
        self._snapshot: Snapshot | None = None
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()

    async def snapshot(self) -> Snapshot:
        if self._snapshot is not None and self._clock() - self._loaded_at < self._ttl:
            return self._snapshot
        async with self._lock:
            if self._snapshot is None or self._clock() - self._loaded_at >= self._ttl:
                self._snapshot = await load_snapshot(self._engine, self._min_size)
                self._loaded_at = self._clock()
            return self._snapshot

    def invalidate(self) -> None:
        self._loaded_at = 0.0
