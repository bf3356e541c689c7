"""Small groups stay hidden: when a group, or the part of a group nobody named, may be shown.

A works council agrees to figures about groups, not about people. The gateway
(``MIN_GROUP_SIZE``) and notify (``NOTIFY_MIN_GROUP_SIZE``) both apply these rules:

- a team or department with fewer licensed members than the minimum is never
  shown, ranked or mentioned ("Someone in Legal") on its own;
- people who opted in are named with their points. What is left of a group once
  its named members are taken out is a group too: the group's total minus the
  named points is its sum. A name is therefore shown only while, in each of the
  person's shown groups, nobody or at least the minimum number of members stays
  unnamed; otherwise nobody in that group is named.

Both rules depend only on the directory (who belongs where, who opted in), never on
the period or on who was active, so every window of a board hides the same things.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.people import Person

# A licensed person's (team, department); either may be unknown.
Membership = tuple[str | None, str | None]


def shown(size: int, min_size: int) -> bool:
    """Whether a group of ``size`` licensed members may be shown (never an empty one)."""
    return size >= max(min_size, 1)


def remainder_shown(unnamed: int, min_size: int) -> bool:
    """Whether a sum over a group's ``unnamed`` members may be shown: all or enough named."""
    return unnamed == 0 or shown(unnamed, min_size)


@dataclass(frozen=True)
class GroupSizes:
    """Licensed members still here, per team and per department."""

    teams: Mapping[str, int] = field(default_factory=dict)
    departments: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, memberships: Iterable[Membership]) -> GroupSizes:
        teams: Counter[str] = Counter()
        departments: Counter[str] = Counter()
        for team, department in memberships:
            if team:
                teams[team] += 1
            if department:
                departments[department] += 1
        return cls(dict(teams), dict(departments))

    def team_shown(self, team: str | None, min_size: int) -> bool:
        return bool(team) and shown(self.teams.get(team or "", 0), min_size)

    def department_shown(self, department: str | None, min_size: int) -> bool:
        return bool(department) and shown(self.departments.get(department or "", 0), min_size)


def shown_team(team: str | None, sizes: GroupSizes, min_size: int) -> str | None:
    """``team`` when it may be mentioned, else None (speak of "a colleague")."""
    return team if sizes.team_shown(team, min_size) else None


def counted() -> ColumnElement[bool]:
    """Who counts towards a group's size: licensed people who have not left."""
    return col(Person.licensed).is_(True) & col(Person.removed).is_(False)


async def group_sizes(session: AsyncSession) -> GroupSizes:
    """Group sizes as every service counts them (:func:`counted`)."""
    teams = await session.exec(
        select(Person.team, func.count()).where(counted()).group_by(Person.team)
    )
    departments = await session.exec(
        select(Person.department, func.count()).where(counted()).group_by(Person.department)
    )
    return GroupSizes(
        {t: n for t, n in teams.all() if t}, {d: n for d, n in departments.all() if d}
    )


def nameable(
    opted_in: Iterable[str],
    placed: Mapping[str, Membership],
    sizes: GroupSizes,
    min_size: int,
) -> frozenset[str]:
    """Who of ``opted_in`` may be named with their points without exposing a colleague.

    ``placed`` holds everyone whose points count towards a group's total (people who
    have not left, licensed or not), ``sizes`` the licensed members that decide whether
    a group is shown. Withdrawing the names of one group raises the unnamed count of
    the members' other groups, which may then need theirs withdrawn: repeat until
    nothing changes (names are only ever taken away, so this ends).
    """
    named = set(opted_in)
    while True:
        unnamed_teams: Counter[str | None] = Counter()
        unnamed_departments: Counter[str | None] = Counter()
        for person, (team, department) in placed.items():
            if person not in named:
                unnamed_teams[team] += 1
                unnamed_departments[department] += 1
        teams = {
            t
            for t in sizes.teams
            if sizes.team_shown(t, min_size) and not remainder_shown(unnamed_teams[t], min_size)
        }
        departments = {
            d
            for d in sizes.departments
            if sizes.department_shown(d, min_size)
            and not remainder_shown(unnamed_departments[d], min_size)
        }
        withdrawn = {
            person
            for person in named
            if person in placed and (placed[person][0] in teams or placed[person][1] in departments)
        }
        if not withdrawn:
            return frozenset(named)
        named -= withdrawn
