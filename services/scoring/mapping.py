"""Admin overrides of where people belong: per person, per directory team or department.

Directory facts are remapped as scoring stores them (``remap``, called by
``store.directory.upsert_people``), so every board, divisor and group view
follows the override. Changing the overrides (``replace``) publishes each
touched person's directory fact again with the directory's own values, and
scoring remaps and re-ranks them like any directory change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from nats.js import JetStreamContext
from sqlalchemy import Table, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.scoring.store.ledger import insert_for
from services.scoring.store.mapping import DirectoryOrigin, TeamMapping
from shared.bus import publish_many
from shared.events import CloudEvent, DirectoryPerson
from shared.ids import event_id
from shared.people import Person

MAPPINGS: Table = TeamMapping.__table__  # type: ignore[attr-defined]
ORIGINS: Table = DirectoryOrigin.__table__  # type: ignore[attr-defined]
PEOPLE: Table = Person.__table__  # type: ignore[attr-defined]
KINDS = ("person", "team", "department")


@dataclass(frozen=True)
class Override:
    kind: str
    source: str
    team: str | None = None
    department: str | None = None


@dataclass(frozen=True)
class Overrides:
    by_kind: dict[str, dict[str, Override]]

    def place(
        self, person: str, team: str | None, department: str | None
    ) -> tuple[str | None, str | None]:
        """Where a person goes: their own override, else their team's, else their department's.

        An override leaves the field it does not set as the directory has it.
        """
        for kind, key in (("person", person), ("team", team), ("department", department)):
            found = self.by_kind.get(kind, {}).get(key or "")
            if found is not None:
                return found.team or team, found.department or department
        return team, department


async def load(conn: AsyncConnection) -> Overrides:
    by_kind: dict[str, dict[str, Override]] = {kind: {} for kind in KINDS}
    for kind, source, team, department in await conn.execute(
        select(MAPPINGS.c.kind, MAPPINGS.c.source, MAPPINGS.c.team, MAPPINGS.c.department)
    ):
        by_kind[kind][source] = Override(kind, source, team, department)
    return Overrides(by_kind)


async def current(engine: AsyncEngine) -> list[Override]:
    async with engine.connect() as conn:
        overrides = await load(conn)
    return sorted(
        (o for kind in overrides.by_kind.values() for o in kind.values()),
        key=lambda o: (KINDS.index(o.kind), o.source),
    )


async def remap(conn: AsyncConnection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Record the directory's values of these Person rows, then apply the overrides."""
    if not rows:
        return rows
    stmt = insert_for(conn, ORIGINS)
    stmt = stmt.on_conflict_do_update(
        index_elements=["person"],
        set_={name: stmt.excluded[name] for name in ("team", "department", "updated_at")},
        where=ORIGINS.c.updated_at <= stmt.excluded.updated_at,
    )
    await conn.execute(
        stmt,
        [
            {
                "person": r["person"],
                "team": r["team"],
                "department": r["department"],
                "updated_at": r["updated_at"],
            }
            for r in rows
        ],
    )
    overrides = await load(conn)
    out = []
    for row in rows:
        team, department = overrides.place(row["person"], row["team"], row["department"])
        out.append({**row, "team": team, "department": department})
    return out


async def replace(
    engine: AsyncEngine, js: JetStreamContext, overrides: Sequence[Override], by: str | None
) -> int:
    """Put these overrides in place of all others; returns how many people were re-filed."""
    now = datetime.now(UTC)
    async with engine.begin() as conn:
        before = await load(conn)
        await conn.execute(delete(MAPPINGS))
        if overrides:
            await conn.execute(
                insert(MAPPINGS),
                [
                    {
                        "kind": o.kind,
                        "source": o.source,
                        "team": o.team,
                        "department": o.department,
                        "updated_at": now,
                        "updated_by": by,
                    }
                    for o in overrides
                ],
            )
        after = await load(conn)
        people = await _people(conn)
    facts = []
    for person, origin in people.items():
        if before.place(person, *origin[:2]) != after.place(person, *origin[:2]):
            facts.append(_fact(person, origin, now))
    if facts:
        await publish_many(js, facts)
    return len(facts)


async def _people(conn: AsyncConnection) -> dict[str, tuple[Any, ...]]:
    """Everyone with their directory team and department (the stored ones when no origin)."""
    rows = await conn.execute(
        select(
            PEOPLE.c.person,
            ORIGINS.c.person.is_not(None),
            ORIGINS.c.team,
            ORIGINS.c.department,
            PEOPLE.c.team,
            PEOPLE.c.department,
            PEOPLE.c.display_name,
            PEOPLE.c.licensed,
            PEOPLE.c.removed,
        ).outerjoin(ORIGINS, ORIGINS.c.person == PEOPLE.c.person)
    )
    out: dict[str, tuple[Any, ...]] = {}
    for person, known, o_team, o_dept, team, dept, name, licensed, removed in rows:
        origin = (o_team, o_dept) if known else (team, dept)
        out[person] = (*origin, name, licensed, removed)
    return out


def _fact(person: str, origin: tuple[Any, ...], now: datetime) -> CloudEvent[DirectoryPerson]:
    team, department, name, licensed, removed = origin
    data = DirectoryPerson(
        person=person,
        display_name=name,
        team=team,
        department=department,
        licensed=bool(licensed),
        removed=bool(removed),
        observed_at=now,
    )
    # Not CloudEvent.wrap: its id leaves out observed_at, so JetStream would drop this
    # re-publication of the directory's unchanged values as a duplicate.
    return CloudEvent[DirectoryPerson](
        id=event_id(DirectoryPerson.event_type, "team-mapping", person, now.isoformat()),
        source="uptake/admin/team-mapping",
        type=DirectoryPerson.event_type,
        time=now,
        subject=data.subject_of(),
        data=data,
    )
