"""Who an export or erasure is about: every key and row id of one person.

An admin names the person by pseudonym (``p-...``), Entra object id or
userPrincipalName. Ingest keeps the directory join (object id, userPrincipalName)
in ``ingest_directory_user``, keyed by object id: an object id is found from a
pseudonym by pseudonymising every stored one with the same key. The
userPrincipalName gives the report identity (``r-...``) under which a usage-report
row that joined nobody was kept; the suppression list may know more keys from an
earlier erasure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.ingest.encoding import activity_id, unattributed_id
from shared.events import ActivityKind, App
from shared.ids import REPORT_IDENTITY_PREFIX, pseudonym, report_identity
from shared.suppression import TABLE as SUPPRESSION

OBJECT_ID_TABLES = ("ingest_directory_user", "ingest_interaction_cursor")


@dataclass
class Subject:
    person: str  # the pseudonym; a report identity when only an unknown name was given
    object_ids: set[str] = field(default_factory=set)
    upns: set[str] = field(default_factory=set)
    pseudonyms: set[str] = field(default_factory=set)
    reports: set[str] = field(default_factory=set)  # report identities
    fact_ids: set[str] = field(default_factory=set)  # ingest's revalidation-window keys
    award_events: set[str] = field(default_factory=set)  # notify's awards of the person

    @property
    def keys(self) -> set[str]:
        """What the suppression list holds for them."""
        return {self.person, *self.pseudonyms, *self.reports}


def resolve(who: str, key: str) -> str:
    """A pseudonym as given ("p-..."), or the pseudonym of an Entra object id."""
    who = who.strip()
    return who if who.startswith("p-") else pseudonym(who, key)


def first_guess(who: str, key: str) -> Subject:
    """The subject as far as the name alone tells."""
    who = who.strip()
    if who.startswith(("p-", REPORT_IDENTITY_PREFIX)):
        subject = Subject(who)
    elif "@" in who:
        subject = Subject(report_identity(who, key), upns={who.lower()})
    else:
        subject = Subject(pseudonym(who, key), object_ids={who.lower()})
    if subject.person.startswith("p-"):
        subject.pseudonyms.add(subject.person)
    else:
        subject.reports.add(subject.person)
    return subject


async def identify(conn: AsyncConnection, tables: dict[str, Table], who: str, key: str) -> Subject:
    """Every key and row id of the person named by ``who``."""
    subject = first_guess(who, key)
    users = tables.get("ingest_directory_user")
    if users is not None and subject.upns:
        rows = await conn.execute(
            select(users.c.object_id).where(func.lower(users.c.upn).in_(subject.upns))
        )
        subject.object_ids.update(oid.lower() for (oid,) in rows)
    for name in OBJECT_ID_TABLES:
        if name in tables:
            rows = await conn.execute(select(tables[name].c.object_id))
            subject.object_ids.update(
                oid.lower() for (oid,) in rows if pseudonym(oid, key) in subject.pseudonyms
            )
    subject.pseudonyms.update(pseudonym(oid, key) for oid in subject.object_ids)
    if subject.person.startswith(REPORT_IDENTITY_PREFIX) and subject.pseudonyms:
        subject.person = min(subject.pseudonyms)  # the name was a directory user's after all
    if users is not None and subject.object_ids:
        rows = await conn.execute(
            select(users.c.upn).where(func.lower(users.c.object_id).in_(subject.object_ids))
        )
        subject.upns.update(upn.lower() for (upn,) in rows if upn)
    subject.reports.update(report_identity(upn, key) for upn in subject.upns)
    await _listed_keys(conn, subject)
    await _fact_ids(conn, tables, subject)
    await _award_events(conn, tables, subject)
    return subject


async def _listed_keys(conn: AsyncConnection, subject: Subject) -> None:
    """Keys an earlier erasure (or ingest, since) listed for the same person."""
    persons = select(SUPPRESSION.c.person).where(SUPPRESSION.c.key.in_(subject.keys))
    rows = await conn.execute(select(SUPPRESSION.c.key).where(SUPPRESSION.c.person.in_(persons)))
    for (listed,) in rows:
        (subject.pseudonyms if listed.startswith("p-") else subject.reports).add(listed)


async def _fact_ids(conn: AsyncConnection, tables: dict[str, Table], subject: Subject) -> None:
    """Ingest keeps the ids of recent report facts, hashes of the person's key: the ids
    the person's facts would have on the days kept (any app, any epoch)."""
    facts, marks = tables.get("ingest_usage_fact"), tables.get("ingest_watermark")
    if facts is None:
        return
    days = [_day(d) for (d,) in await conn.execute(select(facts.c.day).distinct())]
    epoch = 1
    if marks is not None:
        stored = await conn.execute(
            select(marks.c.value).where(marks.c.name == "unattributed_epoch")
        )
        epoch = int(stored.scalar_one_or_none() or 1)
    for day in days:
        for app in App:
            subject.fact_ids.update(
                activity_id(p, app, ActivityKind.ACTIVE_DAY, day) for p in subject.pseudonyms
            )
            subject.fact_ids.update(
                unattributed_id(r, app, day, e)
                for r in subject.reports
                for e in range(1, epoch + 1)
            )


async def _award_events(conn: AsyncConnection, tables: dict[str, Table], subject: Subject) -> None:
    awards = tables.get("notify_award")
    if awards is None or not subject.pseudonyms:
        return
    rows = await conn.execute(
        select(awards.c.event_id).where(awards.c.person.in_(subject.pseudonyms))
    )
    subject.award_events.update(event for (event,) in rows)


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
