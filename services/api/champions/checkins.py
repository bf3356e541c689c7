"""Checking in at a champion event with its code: points for the attendee, and the host.

One check-in per person and event. Checking in again (a retry, a second scan) answers
with the first check-in, whatever code comes with it, and grants nothing more. The host
cannot check in at their own event; they earn ``event_hosted`` once, when the first
attendee checks in. Both grants go through :mod:`services.api.recognition` with ids
that name their reason (``event:<id>:attended:<person>``, ``event:<id>:hosted``), dated
by the event's day.

Guessing is slowed down: a person with ``MAX_FAILURES_PER_EVENT`` wrong codes for one
event, or ``MAX_FAILURES`` in all, within ``FAILURE_WINDOW`` is refused (429) until the
oldest of them falls out of the window. An expired code is no guess and does not count.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import recognition
from services.api.champions.codes import OPEN_AFTER, OPEN_BEFORE, Verdict, check, is_open
from services.api.champions.errors import (
    Conflict,
    Expired,
    Forbidden,
    Invalid,
    NotFound,
    Refused,
    TooMany,
)
from services.api.champions.tables import ChampionEvent, Checkin, CheckinFailure, as_utc
from shared.events import RecognitionKind
from shared.periods import local_date

MAX_FAILURES_PER_EVENT = 5
MAX_FAILURES = 10
FAILURE_WINDOW = timedelta(minutes=10)
CHECKINS = Checkin.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Attendance:
    event: str
    title: str
    checked_in_at: datetime
    points: int


def attended_grant(event: str, person: str) -> str:
    return f"event:{event}:attended:{person}"


def hosted_grant(event: str) -> str:
    return f"event:{event}:hosted"


def attendance(row: Checkin, event: ChampionEvent) -> Attendance:
    return Attendance(event.id, event.title, as_utc(row.at), row.points)


async def _guesses(session: AsyncSession, person: str, event: str, now: datetime) -> int | None:
    """Seconds until ``person`` may try again, or None when they may now."""
    since = now - FAILURE_WINDOW
    rows = await session.exec(
        select(CheckinFailure.event, CheckinFailure.at).where(
            col(CheckinFailure.person) == person, col(CheckinFailure.at) > since
        )
    )
    recent = [(e, as_utc(at)) for e, at in rows.all()]
    here = sorted(at for e, at in recent if e == event)
    everywhere = sorted(at for _, at in recent)
    blocking = []
    if len(here) >= MAX_FAILURES_PER_EVENT:
        blocking.append(here[-MAX_FAILURES_PER_EVENT])
    if len(everywhere) >= MAX_FAILURES:
        blocking.append(everywhere[-MAX_FAILURES])
    if not blocking:
        return None
    return max(1, int((max(blocking) + FAILURE_WINDOW - now).total_seconds()) + 1)


async def check_in(
    session: AsyncSession,
    *,
    event: str,
    person: str,
    code: str,
    now: datetime,
    tz: ZoneInfo,
) -> Attendance | Refused:
    """Check ``person`` in. A refusal that must be remembered (a wrong code) is returned,
    for the caller to commit before answering; other refusals are raised."""
    row = await session.get(ChampionEvent, event)
    if row is None or row.cancelled:
        raise NotFound("no such event")
    earlier = await session.get(Checkin, (event, person))
    if earlier is not None:
        return attendance(earlier, row)
    if row.host == person:
        raise Forbidden("hosts do not check in at their own event")
    wait = await _guesses(session, person, event, now)
    if wait is not None:
        raise TooMany("too many wrong codes: wait a few minutes", retry_after=wait)
    starts, ends = as_utc(row.starts_at), as_utc(row.ends_at)
    if not is_open(starts, ends, now):
        opens, closes = starts - OPEN_BEFORE, ends + OPEN_AFTER
        raise Conflict(f"check-in is open from {opens.isoformat()} to {closes.isoformat()}")
    verdict = check(row.secret, row.id, code, now)
    if verdict is Verdict.WRONG:
        session.add(CheckinFailure(person=person, event=event, at=now))
        return Invalid("this is not the event's code: check it and try again")
    if verdict is Verdict.EXPIRED:
        raise Expired("this code has expired: ask the host for the current one")
    return await _grant(session, row, person, now, tz)


async def _grant(
    session: AsyncSession, row: ChampionEvent, person: str, now: datetime, tz: ZoneInfo
) -> Attendance | Refused:
    day = local_date(as_utc(row.starts_at), tz)
    try:
        granted = await recognition.grant(
            session,
            grant=attended_grant(row.id, person),
            person=person,
            kind=RecognitionKind.EVENT_ATTENDED,
            day=day,
            title=row.title,
            granted_by=row.host,
        )
    except recognition.PersonErased as exc:
        raise Forbidden(str(exc)) from exc
    except recognition.GrantRefused as exc:
        raise Conflict(str(exc)) from exc
    with contextlib.suppress(recognition.PersonErased):  # an erased host earns nothing
        await recognition.grant(
            session,
            grant=hosted_grant(row.id),
            person=row.host,
            kind=RecognitionKind.EVENT_HOSTED,
            day=day,
            title=row.title,
            granted_by=None,
        )
    conn = await session.connection()
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    await session.execute(
        dialect.insert(CHECKINS)
        .values(event=row.id, person=person, at=now, grant=granted.grant, points=granted.points)
        .on_conflict_do_nothing(index_elements=["event", "person"])
    )
    stored = await session.get(Checkin, (row.id, person), populate_existing=True)
    assert stored is not None
    return attendance(stored, row)
