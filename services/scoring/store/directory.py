"""The shared Person table as scoring sees it: team, department, licensed, removed.

Scoring writes directory facts so the api can count licensed members, and
reads them to file points under teams and departments. Display names are
stored for the api's opted-in greetings but never read here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.scoring import mapping
from services.scoring.store import usage
from services.scoring.store.ledger import Driver, chunks, insert_for
from shared.events import DirectoryPerson
from shared.insight_tables import job_function
from shared.people import Person

PEOPLE: Table = Person.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Membership:
    team: str | None
    department: str | None
    licensed: bool
    removed: bool


@dataclass(slots=True)
class Affected:
    """Who a directory change touches on the boards."""

    people: set[str] = field(default_factory=set)
    teams: set[str] = field(default_factory=set)
    departments: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.people or self.teams or self.departments)


@dataclass(frozen=True, slots=True)
class GroupSizes:
    """Licensed, present members per team and per department: the per-capita divisors."""

    teams: dict[str, int]
    departments: dict[str, int]


MEMBERSHIPS_SQL = (
    "SELECT person, team, department, licensed, removed FROM person WHERE person {among}"
)


# What the adoption insights group people by: a change to it rebuilds their whole cube.
PLACEMENTS_SQL = (
    "SELECT person, department, job_function, licensed, removed FROM person WHERE person {among}"
)


async def placements(
    conn: AsyncConnection, persons: Iterable[str]
) -> dict[str, tuple[str | None, str | None, bool, bool]]:
    driver = await Driver.of(conn)
    return {
        person: (department, function, bool(licensed), bool(removed))
        for person, department, function, licensed, removed in await driver.fetch_for(
            PLACEMENTS_SQL, sorted(set(persons))
        )
    }


async def memberships(conn: AsyncConnection, persons: Iterable[str]) -> dict[str, Membership]:
    driver = await Driver.of(conn)
    out: dict[str, Membership] = {}
    for person, team, department, licensed, removed in await driver.fetch_for(
        MEMBERSHIPS_SQL, sorted(set(persons))
    ):
        out[person] = Membership(team, department, bool(licensed), bool(removed))
    return out


async def group_sizes(conn: AsyncConnection) -> GroupSizes:
    sizes: list[dict[str, int]] = []
    for column in (PEOPLE.c.team, PEOPLE.c.department):
        rows = await conn.execute(
            select(column, func.count())
            .where(PEOPLE.c.licensed.is_(True), PEOPLE.c.removed.is_(False), column.is_not(None))
            .group_by(column)
        )
        sizes.append({name: int(count) for name, count in rows})
    return GroupSizes(teams=sizes[0], departments=sizes[1])


async def members_of(
    conn: AsyncConnection, teams: Iterable[str], departments: Iterable[str]
) -> set[str]:
    found: set[str] = set()
    for column, names in ((PEOPLE.c.team, teams), (PEOPLE.c.department, departments)):
        for part in chunks(sorted(set(names))):
            rows = await conn.execute(select(PEOPLE.c.person).where(column.in_(part)))
            found.update(row[0] for row in rows)
    return found


async def upsert_people(conn: AsyncConnection, people: Sequence[DirectoryPerson]) -> Affected:
    """Apply directory facts, newest observation wins whatever order they arrive in.

    A change of anyone's department, job function, licence or presence notes in the
    same transaction that the insight cube must be rebuilt whole.
    """
    latest: dict[str, DirectoryPerson] = {}
    for fact in people:
        known = latest.get(fact.person)
        if known is None or (fact.observed_at, fact.model_dump_json()) >= (
            known.observed_at,
            known.model_dump_json(),
        ):
            latest[fact.person] = fact
    before = await memberships(conn, latest)
    placed = await placements(conn, latest)
    affected = Affected()
    rows = []
    for fact in latest.values():
        observed = fact.observed_at.astimezone(UTC)
        rows.append(
            {
                "person": fact.person,
                "display_name": fact.display_name,
                "department": fact.department,
                "team": fact.team,
                "job_function": job_function(fact.job_title),
                "licensed": fact.licensed,
                "removed": fact.removed,
                "opted_in": False,
                "updated_at": observed,
            }
        )
    # Admins' team-mapping overrides apply before anything reads the row.
    rows = await mapping.remap(conn, rows)
    stmt = insert_for(conn, PEOPLE)
    stmt = stmt.on_conflict_do_update(
        index_elements=["person"],
        set_={
            name: stmt.excluded[name]
            for name in (
                "display_name",
                "department",
                "team",
                "job_function",
                "licensed",
                "removed",
                "updated_at",
            )
        },
        where=PEOPLE.c.updated_at <= stmt.excluded.updated_at,
    )
    for part in chunks(rows):
        await conn.execute(stmt, list(part))
    after = await memberships(conn, latest)
    if await placements(conn, latest) != placed:
        await usage.mark_everything(conn)
    for person, now in after.items():
        old = before.get(person)
        if old == now:
            continue
        affected.people.add(person)
        for membership in (old, now):
            if membership is None:
                continue
            if membership.team:
                affected.teams.add(membership.team)
            if membership.department:
                affected.departments.add(membership.department)
    return affected
