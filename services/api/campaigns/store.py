"""Recording, listing and withdrawing campaigns, and who may do which.

- Admins record campaigns for any department, approved champions for the departments
  they champion. The id is the client's: the same id with the same campaign answers the
  stored one, with anything else a conflict.
- Admins and insight readers see every campaign, champions those aimed at one of their
  departments.
- The creator or an admin withdraws a campaign; it is then no longer listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Literal

from fastapi import Depends, HTTPException
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.auth.guard import unauthorized
from services.api.auth.principal import Principal, Role
from services.api.campaigns.tables import Campaign, utcnow
from services.api.champions.access import APPROVED, ChampionContext
from services.api.champions.errors import Conflict, Forbidden, Invalid, NotFound
from services.api.champions.tables import Champion
from services.api.deps import PrincipalDep, ResourcesDep

Kind = Literal["training", "champion_event", "challenge", "newsletter", "other"]
KINDS: tuple[Kind, ...] = ("training", "champion_event", "challenge", "newsletter", "other")
MAX_AHEAD = timedelta(days=365)
LISTED = 500


@dataclass(frozen=True)
class Plan:
    """What someone says about a campaign."""

    kind: Kind
    title: str
    starts_on: date
    ends_on: date | None
    departments: tuple[str, ...]  # sorted, without repeats
    note: str = ""


def _recorded_by(row: Campaign, principal: Principal) -> bool:
    """Whether ``principal`` recorded the campaign (nobody, once its recorder is erased)."""
    return row.created_by is not None and row.created_by == principal.person


def plan_of(row: Campaign) -> Plan:
    return Plan(
        kind=row.kind,  # type: ignore[arg-type]
        title=row.title,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        departments=tuple(row.departments),
        note=row.note,
    )


def check(plan: Plan, known: set[str], today: date) -> None:
    """Refuse a plan that cannot be measured or makes no sense (:class:`Invalid`)."""
    if not plan.departments:
        raise Invalid("name at least one target department")
    unknown = [d for d in plan.departments if d not in known]
    if unknown:
        raise Invalid(f"unknown department: {', '.join(unknown)}")
    if plan.starts_on > today + MAX_AHEAD:
        raise Invalid("a campaign starts at most a year from today")
    if plan.ends_on is not None and plan.ends_on < plan.starts_on:
        raise Invalid("a campaign ends on or after the day it starts")


async def create(
    session: AsyncSession,
    author: ChampionContext,
    campaign: str,
    plan: Plan,
    known: set[str],
    today: date,
) -> tuple[Campaign, bool]:
    """The campaign and whether it is new (False: the same request came before)."""
    existing = await session.get(Campaign, campaign)
    if existing is not None:
        if existing.created_by != author.person or plan_of(existing) != plan:
            raise Conflict("this id belongs to another campaign")
        return existing, False
    check(plan, known, today)
    outside = [d for d in plan.departments if not author.serves(d)]
    if outside:
        raise Forbidden(f"you are not a champion of {', '.join(outside)}")
    row = Campaign(
        id=campaign,
        kind=plan.kind,
        title=plan.title,
        starts_on=plan.starts_on,
        ends_on=plan.ends_on,
        departments=list(plan.departments),
        note=plan.note,
        created_by=author.person,
        created_as="admin" if author.admin else "champion",
    )
    session.add(row)
    await session.flush()
    return row, True


async def withdraw(session: AsyncSession, principal: Principal, campaign: str) -> Campaign:
    """Withdraw a campaign (its creator or an admin); again is no change."""
    row = await session.get(Campaign, campaign)
    if row is None:
        raise NotFound("no such campaign")
    if not _recorded_by(row, principal) and not principal.has(Role.ADMIN):
        raise Forbidden("only its creator or an admin withdraws a campaign")
    if not row.withdrawn:
        row.withdrawn = True
        row.withdrawn_at = utcnow()
        session.add(row)
        await session.flush()
    return row


@dataclass(frozen=True)
class Reader:
    """Who reads campaigns: everything (admins, insight readers) or a champion's share."""

    principal: Principal
    everything: bool
    champion: bool  # an approved champion
    departments: frozenset[str]  # the ones they champion

    def sees(self, row: Campaign) -> bool:
        return self.everything or bool(self.departments.intersection(row.departments))

    def may_withdraw(self, row: Campaign) -> bool:
        return _recorded_by(row, self.principal) or self.principal.has(Role.ADMIN)

    @property
    def may_record(self) -> bool:
        return self.champion or self.principal.has(Role.ADMIN)

    def may_aim_at(self, department: str) -> bool:
        return self.principal.has(Role.ADMIN) or department in self.departments


async def campaign_reader(principal: PrincipalDep, resources: ResourcesDep) -> Reader:
    """Admins, insight readers and approved champions; 401 or 403 for anyone else."""
    if principal.kind == "anonymous":
        raise unauthorized("sign in to see campaigns")
    champion = None
    if principal.person is not None:
        async with AsyncSession(resources.engine) as session:
            champion = await session.get(Champion, principal.person)
    approved = champion is not None and champion.status == APPROVED
    departments = (
        frozenset(champion.departments) if champion is not None and approved else frozenset()
    )
    if principal.has(Role.INSIGHTS) or approved:
        return Reader(principal, principal.has(Role.INSIGHTS), approved, departments)
    raise HTTPException(403, "campaigns are for admins, insight readers and champions")


ReaderDep = Annotated[Reader, Depends(campaign_reader)]


async def listed(session: AsyncSession, reader: Reader) -> list[Campaign]:
    """Campaigns the reader sees, not withdrawn, latest start first."""
    rows = await session.exec(
        select(Campaign)
        .where(col(Campaign.withdrawn).is_(False))
        .order_by(col(Campaign.starts_on).desc(), col(Campaign.created_at).desc())
        .limit(LISTED)
    )
    return [row for row in rows.all() if reader.sees(row)]


async def readable(session: AsyncSession, reader: Reader, campaign: str) -> Campaign:
    """One campaign the reader sees (:class:`NotFound` otherwise, withdrawn ones too)."""
    row = await session.get(Campaign, campaign)
    if row is None or row.withdrawn or not reader.sees(row):
        raise NotFound("no such campaign")
    return row
