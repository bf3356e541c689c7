"""What "active" means: one definition for the office screen, insights, /me and the cards.

- **Licensed person**: a person in the directory (the ``person`` table) who holds a
  Copilot licence and has not left (``licensed`` and not ``removed``).
- **Active**: a licensed person with at least one Copilot usage fact stored by
  scoring (``scoring_signal``: an active day from the usage report or a prompt from
  the interaction history, in any app) dated within the window.
- **Window**: the last ``WINDOW_DAYS`` (7) days, today included, as dates in
  ``ORG_TIMEZONE``: today and the six days before.

Usage-report rows that cannot be joined to a directory person (concealed names,
or names the directory does not know) are never people. They count only in the
tenant-wide figure, which exists only while such facts lie in the window:

- ``concealed``: distinct concealed report identities active in the window. The
  same human may also be a person through the interaction history (by object
  id), and a hash cannot be matched to anyone, so the two are never added up:
  the larger of the two counts stands (each is a lower bound of the humans
  active; neither counts anyone twice).
- ``unknown``: distinct report identities whose name the directory does not
  know, active in the window. They are nobody in the directory, so they are
  added, to the active people and to the licensed people alike (the report lists
  licensed users only).

  tenant active   = max(people active, concealed) + unknown
  tenant licensed = licensed people + unknown
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import TextClause, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.events import UnattributedReason
from shared.logs import get_logger

log = get_logger(__name__)

WINDOW_DAYS = 7
DEFINITION = (
    "Active: a licensed person in the directory with at least one Copilot usage fact "
    "(an active day from the usage report or a prompt from the interaction history) in "
    f"the last {WINDOW_DAYS} days, today included, in ORG_TIMEZONE."
)
TENANT_WIDE_LABEL = (
    "Tenant-wide estimate: includes usage-report rows that match no person in the "
    "directory (concealed or unknown names), which never count for a person, team or "
    "department. Active = the larger of active people and active concealed report "
    "identities (the same human may be both, so they are not added), plus active report "
    "identities the directory does not know."
)


@dataclass(frozen=True)
class Window:
    """Dates ``since`` to ``until``, both included, in the organisation's time zone."""

    since: date
    until: date

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1

    def contains(self, day: date) -> bool:
        return self.since <= day <= self.until


def window(today: date) -> Window:
    """The adoption window that ends ``today`` (a date in ``ORG_TIMEZONE``)."""
    return Window(today - timedelta(days=WINDOW_DAYS - 1), today)


def rate(active: int, licensed: int) -> float:
    return round(active / licensed, 4) if licensed else 0.0


@dataclass(frozen=True)
class PeopleAdoption:
    window: Window
    licensed: int
    active: int

    @property
    def rate(self) -> float:
        return rate(self.active, self.licensed)


@dataclass(frozen=True)
class TenantAdoption:
    """The tenant-wide figure; see the module's docstring for what it counts."""

    window: Window
    licensed: int
    active: int
    people_active: int
    concealed_active: int
    unknown_active: int

    @property
    def rate(self) -> float:
        return rate(self.active, self.licensed)


@dataclass(frozen=True)
class Adoption:
    people: PeopleAdoption
    tenant: TenantAdoption | None  # only while unattributed facts lie in the window


def people_adoption(
    licensed: Collection[str], active: Iterable[str], within: Window
) -> PeopleAdoption:
    """``active``: people with a usage fact in ``within`` (repeats allowed); only licensed
    people count, so the figure never exceeds the licensed count."""
    counted = {person for person in active if person in licensed}
    return PeopleAdoption(within, len(licensed), len(counted))


def tenant_adoption(people: PeopleAdoption, concealed: int, unknown: int) -> TenantAdoption | None:
    """The tenant-wide figure, or ``None`` when every report row was joined to a person."""
    if concealed <= 0 and unknown <= 0:
        return None
    return TenantAdoption(
        window=people.window,
        licensed=people.licensed + unknown,
        active=max(people.active, concealed) + unknown,
        people_active=people.active,
        concealed_active=concealed,
        unknown_active=unknown,
    )


ACTIVE_PEOPLE = text(
    "SELECT DISTINCT person FROM scoring_signal WHERE day >= :since AND day <= :until"
)
PERSON_ACTIVE = text(
    "SELECT 1 FROM scoring_signal WHERE person = :person AND day >= :since AND day <= :until "
    "LIMIT 1"
)
LICENSED_PERSON = text(
    "SELECT 1 FROM person WHERE person = :person AND licensed = :yes AND removed = :no"
)
LICENSED_PEOPLE = text("SELECT person FROM person WHERE licensed = :yes AND removed = :no")
UNATTRIBUTED = text(
    "SELECT reason, COUNT(DISTINCT report_identity) FROM scoring_unattributed "
    "WHERE day >= :since AND day <= :until GROUP BY reason"
)


async def _rows(engine: AsyncEngine, query: TextClause, **params: Any) -> list[Any]:
    """Rows, or none while scoring has not created its tables (services start in any order)."""
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(query, params)).all())
    except SQLAlchemyError as exc:
        log.debug("adoption tables not readable", error=str(exc)[:200])
        return []


async def licensed_people(engine: AsyncEngine) -> set[str]:
    rows = await _rows(engine, LICENSED_PEOPLE, yes=True, no=False)
    return {str(row[0]) for row in rows}


async def active_people(engine: AsyncEngine, within: Window) -> set[str]:
    """Everyone with a stored usage fact in the window (licensed or not: callers filter)."""
    rows = await _rows(engine, ACTIVE_PEOPLE, since=within.since, until=within.until)
    return {str(row[0]) for row in rows}


async def unattributed_active(engine: AsyncEngine, within: Window) -> dict[UnattributedReason, int]:
    """Distinct unattributed report identities with a fact in the window, per reason."""
    rows = await _rows(engine, UNATTRIBUTED, since=within.since, until=within.until)
    counts: dict[UnattributedReason, int] = {}
    for reason, identities in rows:
        try:
            counts[UnattributedReason(str(reason))] = int(identities)
        except ValueError:
            log.warning("unattributed facts of an unknown reason left out", reason=str(reason))
    return counts


async def measure(engine: AsyncEngine, licensed: Collection[str], today: date) -> Adoption:
    """The adoption figures for the window ending ``today``; ``licensed``: the ids of the
    licensed people (:func:`licensed_people`, or a cached copy of the same)."""
    within = window(today)
    people = people_adoption(licensed, await active_people(engine, within), within)
    unattributed = await unattributed_active(engine, within)
    tenant = tenant_adoption(
        people,
        unattributed.get(UnattributedReason.CONCEALED, 0),
        unattributed.get(UnattributedReason.UNKNOWN_USER, 0),
    )
    return Adoption(people, tenant)


async def is_active(engine: AsyncEngine, person: str, today: date) -> bool:
    """Whether ``person`` counts as active today: the same rule as :func:`measure`."""
    within = window(today)
    if not await _rows(engine, LICENSED_PERSON, person=person, yes=True, no=False):
        return False
    found = await _rows(
        engine, PERSON_ACTIVE, person=person, since=within.since, until=within.until
    )
    return bool(found)
