"""Peer kudos: a colleague thanks another for something they did with Copilot.

Rules, each checked under the giver's turn (:mod:`.locks`) and the first two also held
by unique constraints:

- a monthly allowance (``API_KUDOS_PER_MONTH``) per calendar month in ``ORG_TIMEZONE``;
  what is left at the end of a month is gone. Each kudos takes the next ``slot`` of its
  giver's month, and slots run from 1 to the allowance;
- a giver thanks the same colleague at most once a day;
- nobody thanks themselves, and only colleagues here and licensed;
- at most ``API_KUDOS_PER_MINUTE`` a minute and ``API_KUDOS_PER_DAY`` a day per giver.

The receiver earns ``RecognitionKind.KUDOS`` points (grant ``kudos:<id>``) and the
kudos is announced as ``KudosGiven``, without its message, which stays here; the
receiver may hide it, and then nobody else sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import Column, DateTime, Index, UniqueConstraint, func
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import recognition
from services.api.community.locks import take_turn
from services.api.community.refusals import Refused
from services.api.outbox import enqueue
from shared.events import KudosGiven, RecognitionKind
from shared.people import Person
from shared.periods import local_date, month_key

MAX_MESSAGE = 280


class KudosValue(StrEnum):
    """What a colleague is thanked for."""

    HELPFUL = "helpful"
    CREATIVE = "creative"
    TIME_SAVER = "time_saver"
    TEAM_PLAYER = "team_player"
    BRAVE_FIRST = "brave_first"


def utcnow() -> datetime:
    return datetime.now(UTC)


class Kudos(SQLModel, table=True):
    """One thank-you. Never deleted; the receiver may hide its message."""

    __tablename__ = "api_kudos"
    __table_args__ = (
        UniqueConstraint("giver", "month", "slot", name="uq_api_kudos_allowance"),
        UniqueConstraint("giver", "receiver", "day", name="uq_api_kudos_once_a_day"),
        Index("ix_api_kudos_giver_created", "giver", "created_at"),
        Index("ix_api_kudos_receiver_day", "receiver", "day"),
    )

    id: str = Field(primary_key=True, max_length=36)
    giver: str = Field(max_length=64)
    receiver: str = Field(max_length=64)
    value: str = Field(max_length=40)
    message: str = Field(default="", max_length=MAX_MESSAGE)
    day: date
    month: str = Field(max_length=7)
    slot: int
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    hidden: bool = False


@dataclass(frozen=True)
class KudosRules:
    per_month: int = 5
    per_minute: int = 3
    per_day: int = 10


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _seconds_until(day: date, now: datetime, tz: ZoneInfo) -> int:
    start = datetime.combine(day, time(), tzinfo=tz)
    return max(1, int((start - now).total_seconds()) + 1)


async def given_in_month(session: AsyncSession, giver: str, month: str) -> int:
    count = await session.scalar(
        select(func.count()).select_from(Kudos).where(Kudos.giver == giver, Kudos.month == month)
    )
    return int(count or 0)


async def _check_pace(
    session: AsyncSession, giver: str, today: date, now: datetime, tz: ZoneInfo, rules: KudosRules
) -> None:
    used = await given_in_month(session, giver, month_key(today))
    if used >= rules.per_month:
        raise Refused(
            429,
            f"all {rules.per_month} kudos of this month are given; new ones come on "
            f"{next_month(today).isoformat()}",
            retry_after=_seconds_until(next_month(today), now, tz),
        )
    today_count = await session.scalar(
        select(func.count()).select_from(Kudos).where(Kudos.giver == giver, Kudos.day == today)
    )
    if int(today_count or 0) >= rules.per_day:
        raise Refused(
            429,
            f"at most {rules.per_day} kudos a day",
            retry_after=_seconds_until(today + timedelta(days=1), now, tz),
        )
    recent = list(
        (
            await session.exec(
                select(Kudos.created_at)
                .where(Kudos.giver == giver, Kudos.created_at > now - timedelta(minutes=1))
                .order_by(col(Kudos.created_at))
            )
        ).all()
    )
    if len(recent) >= rules.per_minute:
        wait = _aware(recent[0]) + timedelta(minutes=1) - now
        raise Refused(
            429,
            f"at most {rules.per_minute} kudos a minute",
            retry_after=max(1, int(wait.total_seconds()) + 1),
        )


async def _receiver_here(session: AsyncSession, receiver: str) -> bool:
    row = await session.get(Person, receiver)
    return row is not None and row.licensed and not row.removed


def same_kudos(row: Kudos, giver: str, receiver: str, value: KudosValue, message: str) -> bool:
    return (row.giver, row.receiver, row.value, row.message) == (giver, receiver, value, message)


async def give(
    session: AsyncSession,
    *,
    kudos_id: str,
    giver: str,
    receiver: str,
    value: KudosValue,
    message: str,
    now: datetime,
    tz: ZoneInfo,
    rules: KudosRules,
) -> tuple[Kudos, bool]:
    """Record a kudos in the caller's transaction; the caller commits.

    Returns the kudos and whether it is new: the same id from the same giver with the
    same content is the kudos already given. Raises :class:`Refused` otherwise.
    """
    await take_turn(session, f"kudos:{giver}")
    existing = await session.get(Kudos, kudos_id)
    if existing is not None:
        if same_kudos(existing, giver, receiver, value, message):
            return existing, False
        raise Refused(409, "this id belongs to another kudos")
    if giver == receiver:
        raise Refused(400, "you cannot give kudos to yourself")
    if not await _receiver_here(session, receiver):
        raise Refused(404, "no colleague with this id in the directory")
    today = local_date(now, tz)
    await _check_pace(session, giver, today, now, tz, rules)
    again = await session.scalar(
        select(func.count())
        .select_from(Kudos)
        .where(Kudos.giver == giver, Kudos.receiver == receiver, Kudos.day == today)
    )
    if again:
        raise Refused(409, "you already thanked this colleague today")
    month = month_key(today)
    row = Kudos(
        id=kudos_id,
        giver=giver,
        receiver=receiver,
        value=value.value,
        message=message,
        day=today,
        month=month,
        slot=await given_in_month(session, giver, month) + 1,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    await recognition.grant(
        session,
        grant=f"kudos:{kudos_id}",
        person=receiver,
        kind=RecognitionKind.KUDOS,
        day=today,
        title=f"Kudos: {value.value}",
        granted_by=giver,
    )
    enqueue(
        session,
        KudosGiven(kudos=kudos_id, giver=giver, receiver=receiver, value=value.value, date=today),
    )
    return row, True


async def set_hidden(session: AsyncSession, *, kudos_id: str, receiver: str, hidden: bool) -> Kudos:
    """Hide or show a received kudos' message; only its receiver may."""
    row = await session.get(Kudos, kudos_id, with_for_update=True)
    if row is None or row.receiver != receiver:
        raise Refused(404, "no kudos with this id was given to you")
    if row.hidden != hidden:
        row.hidden = hidden
        session.add(row)
    return row


async def received_by(session: AsyncSession, person: str, limit: int) -> list[Kudos]:
    rows = await session.exec(
        select(Kudos)
        .where(Kudos.receiver == person)
        .order_by(col(Kudos.created_at).desc(), col(Kudos.id))
        .limit(limit)
    )
    return list(rows.all())


async def given_by(session: AsyncSession, person: str, limit: int) -> list[Kudos]:
    rows = await session.exec(
        select(Kudos)
        .where(Kudos.giver == person)
        .order_by(col(Kudos.created_at).desc(), col(Kudos.id))
        .limit(limit)
    )
    return list(rows.all())
