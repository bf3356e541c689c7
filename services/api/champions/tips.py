"""A champion sends a use case to a department's channel: ``TipPosted``, a few a day.

Only to a department the champion serves (an admin: any). A department's channel takes
at most ``per_day`` tips per day: each tip takes the day's next slot, and the slots are
unique, so two champions sending at once cannot both take the last one. A tip's id is
the client's: the same id again from the same champion returns the tip as it was sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.champions.access import ChampionContext
from services.api.champions.errors import Conflict, Forbidden, TooMany
from services.api.champions.tables import Tip
from services.api.outbox import enqueue
from shared.events import App, TipPosted


@dataclass(frozen=True)
class UseCase:
    """What a tip tells: a use case's id, its app, titles and sample prompts per language."""

    id: str
    app: App
    titles: dict[str, str]
    prompts: dict[str, list[str]] = field(default_factory=dict)


def announcement(row: Tip) -> TipPosted:
    return TipPosted(
        tip=row.id,
        department=row.department,
        use_case=row.use_case,
        app=App(row.app),
        titles=dict(row.titles),
        prompts={lang: list(texts) for lang, texts in row.prompts.items()},
        sent_by=row.sent_by,
    )


def seconds_to_midnight(now: datetime, tz: ZoneInfo) -> int:
    local = now.astimezone(tz)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(), tz)
    return max(1, int((midnight - local).total_seconds()))


async def send(
    session: AsyncSession,
    champion: ChampionContext,
    *,
    tip: str,
    department: str,
    use_case: UseCase,
    day: date,
    now: datetime,
    tz: ZoneInfo,
    per_day: int,
) -> tuple[Tip, bool]:
    """The tip and whether it is new (False: the same id was sent before)."""
    existing = await session.get(Tip, tip)
    if existing is not None:
        if existing.sent_by != champion.person:
            raise Conflict("this id belongs to another tip")
        return existing, False
    if not champion.serves(department):
        raise Forbidden("you are not a champion of this department")
    sent = await sent_today(session, department, day)
    if sent >= per_day:
        raise TooMany(
            f"{department} has received {per_day} tips today; send more tomorrow",
            retry_after=seconds_to_midnight(now, tz),
        )
    row = Tip(
        id=tip,
        department=department,
        day=day,
        slot=sent + 1,
        sent_by=champion.person,
        use_case=use_case.id,
        app=use_case.app.value,
        titles=dict(use_case.titles),
        prompts={lang: list(texts) for lang, texts in use_case.prompts.items()},
        sent_at=now,
    )
    session.add(row)
    await session.flush()  # a slot taken meanwhile fails here, and the send is tried again
    enqueue(session, announcement(row))
    return row, True


async def sent_today(session: AsyncSession, department: str, day: date) -> int:
    found = await session.scalar(
        select(func.count())
        .select_from(Tip)
        .where(col(Tip.department) == department, col(Tip.day) == day)
    )
    return int(found or 0)
