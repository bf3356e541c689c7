"""What the gateway needs from the directory: group sizes and the names people allowed.

Loaded from the SQL ``person`` table and kept for a few seconds, so boards read
Redis only; an opt-out or a removal shows within ``api_directory_ttl_seconds``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.leaderboards import Scope
from shared.people import Person


@dataclass(frozen=True)
class Snapshot:
    """Licensed members per team and department, opted-in names, removed people."""

    team_sizes: dict[str, int] = field(default_factory=dict)
    department_sizes: dict[str, int] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    # Team and department of every licensed person still here, for active rates.
    memberships: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    removed: frozenset[str] = frozenset()

    @property
    def licensed(self) -> int:
        return len(self.memberships)

    def group_of(self, scope: Scope, person: str) -> str | None:
        team, department = self.memberships.get(person, (None, None))
        return team if scope is Scope.TEAMS else department

    def group_size(self, scope: Scope, group: str) -> int:
        sizes = self.team_sizes if scope is Scope.TEAMS else self.department_sizes
        return sizes.get(group, 0)

    def name_of(self, person: str) -> str | None:
        return self.names.get(person)


async def load_snapshot(engine: AsyncEngine) -> Snapshot:
    async with AsyncSession(engine) as session:
        active = (col(Person.removed).is_(False)) & (col(Person.licensed).is_(True))
        teams = await session.exec(
            select(Person.team, func.count()).where(active).group_by(Person.team)
        )
        departments = await session.exec(
            select(Person.department, func.count()).where(active).group_by(Person.department)
        )
        opted = await session.exec(
            select(Person.person, Person.display_name).where(
                col(Person.opted_in).is_(True), col(Person.removed).is_(False)
            )
        )
        removed = await session.exec(select(Person.person).where(col(Person.removed).is_(True)))
        members = await session.exec(
            select(Person.person, Person.team, Person.department).where(active)
        )
        named = opted.all()
        return Snapshot(
            team_sizes={t: n for t, n in teams.all() if t},
            department_sizes={d: n for d, n in departments.all() if d},
            names={p: name for p, name in named if name},
            memberships={p: (team, department) for p, team, department in members.all()},
            removed=frozenset(removed.all()),
        )


class Directory:
    """A time-bounded cache of :class:`Snapshot`; one load at a time."""

    def __init__(
        self, engine: AsyncEngine, ttl: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._engine = engine
        self._ttl = ttl
        self._clock = clock
        self._snapshot: Snapshot | None = None
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()

    async def snapshot(self) -> Snapshot:
        if self._snapshot is not None and self._clock() - self._loaded_at < self._ttl:
            return self._snapshot
        async with self._lock:
            if self._snapshot is None or self._clock() - self._loaded_at >= self._ttl:
                self._snapshot = await load_snapshot(self._engine)
                self._loaded_at = self._clock()
            return self._snapshot

    def invalidate(self) -> None:
        self._loaded_at = 0.0
