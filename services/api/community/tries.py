"""People say "I tried this" about a use case; their usage confirms it.

A try of use case ``u`` on day ``t`` is confirmed by a Copilot usage signal of the same
person in ``u``'s app (as it was when they tried) dated ``t`` to ``t + 6``: the try day
and the six days after (:data:`WINDOW_DAYS`). Usage reports arrive days late, so a try
stays open for :data:`HORIZON_DAYS` after it was made; later it has expired, and a new
try may be made.

The first confirmed try of a person and use case grants ``RecognitionKind.USE_CASE``
once (grant ``usecase:<use case>:<person>``). Whether a person and use case are
confirmed depends only on their tries and signals, not on the order they arrive in or
when confirmation runs: it runs whenever a person lists their tries and in the
gateway's periodic sweep, each pair in its own transaction and turn, and the grant's
id makes a second payment impossible.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Column, DateTime, Index, text, tuple_
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import recognition
from services.api.community.library import UseCase
from services.api.community.locks import take_turn
from services.api.community.refusals import Refused
from shared.events import RecognitionKind
from shared.languages import Language

WINDOW_DAYS = 7  # the try day and the six days after
SETTLE_DAYS = 7  # usage reports arrive this late at most
HORIZON_DAYS = WINDOW_DAYS + SETTLE_DAYS


def utcnow() -> datetime:
    return datetime.now(UTC)


class UseCaseTry(SQLModel, table=True):
    """A person said on ``tried_on`` that they tried a use case in ``app``."""

    __tablename__ = "api_usecase_try"
    __table_args__ = (Index("ix_api_usecase_try_open", "confirmed_on", "tried_on"),)

    person: str = Field(primary_key=True, max_length=64)
    use_case: str = Field(primary_key=True, max_length=64)
    tried_on: date = Field(primary_key=True)
    app: str = Field(max_length=16)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    # The day of the usage that confirmed this person and use case (on every try of theirs).
    confirmed_on: date | None = None


def grant_id(use_case: str, person: str) -> str:
    return f"usecase:{use_case}:{person}"


def window_end(tried_on: date) -> date:
    return tried_on + timedelta(days=WINDOW_DAYS - 1)


def expired(row: UseCaseTry, today: date) -> bool:
    return row.confirmed_on is None and (today - row.tried_on).days > HORIZON_DAYS


FIRST_USE = text(
    "SELECT MIN(day) FROM scoring_signal "
    "WHERE person = :person AND app = :app AND day >= :since AND day <= :until"
)


async def first_use(session: AsyncSession, person: str, app: str, tried_on: date) -> date | None:
    """The first day ``person`` used ``app`` within the window of a try on ``tried_on``."""
    found = await session.scalar(
        FIRST_USE,
        {"person": person, "app": app, "since": tried_on, "until": window_end(tried_on)},
    )
    if found is None:
        return None
    return found if isinstance(found, date) else date.fromisoformat(str(found)[:10])


async def record(
    session: AsyncSession, *, person: str, use_case: str, today: date
) -> tuple[UseCaseTry, bool]:
    """Note that ``person`` tried ``use_case`` today; a second note the same day is the
    first one (False). The caller commits."""
    await take_turn(session, grant_id(use_case, person))
    existing = await session.get(UseCaseTry, (person, use_case, today))
    if existing is not None:
        return existing, False
    found = await session.get(UseCase, use_case)
    if found is None or found.deleted:
        raise Refused(404, "no use case with this id")
    paid = await recognition.find(session, grant_id(use_case, person))
    row = UseCaseTry(
        person=person,
        use_case=use_case,
        tried_on=today,
        app=found.app,
        confirmed_on=paid.day if paid is not None else None,
    )
    session.add(row)
    return row, True


async def confirm_pair(
    session: AsyncSession, *, person: str, use_case: str, today: date, title: str = ""
) -> date | None:
    """Confirm ``person``'s open tries of ``use_case`` if usage shows one; returns the day
    of the confirming usage (None: not confirmed). The caller commits."""
    await take_turn(session, grant_id(use_case, person))
    rows = list(
        (
            await session.exec(
                select(UseCaseTry)
                .where(
                    UseCaseTry.person == person,
                    UseCaseTry.use_case == use_case,
                    col(UseCaseTry.confirmed_on).is_(None),
                )
                .order_by(col(UseCaseTry.tried_on))
            )
        ).all()
    )
    paid = await recognition.find(session, grant_id(use_case, person))
    confirmed_on = paid.day if paid is not None else None
    if confirmed_on is None:
        for row in rows:
            if (today - row.tried_on).days > HORIZON_DAYS:
                continue
            confirmed_on = await first_use(session, person, row.app, row.tried_on)
            if confirmed_on is not None:
                await recognition.grant(
                    session,
                    grant=grant_id(use_case, person),
                    person=person,
                    kind=RecognitionKind.USE_CASE,
                    day=confirmed_on,
                    title=(title or use_case)[:200],
                    granted_by=None,
                )
                break
    if confirmed_on is not None:
        for row in rows:
            row.confirmed_on = confirmed_on
            session.add(row)
    return confirmed_on


@dataclass(frozen=True)
class Pair:
    person: str
    use_case: str


async def open_pairs(
    session: AsyncSession,
    *,
    today: date,
    person: str | None = None,
    after: Pair | None = None,
    limit: int = 200,
) -> list[Pair]:
    """People and use cases with an open try that is not past the horizon, in order."""
    query = (
        select(UseCaseTry.person, UseCaseTry.use_case)
        .where(
            col(UseCaseTry.confirmed_on).is_(None),
            UseCaseTry.tried_on >= today - timedelta(days=HORIZON_DAYS),
        )
        .distinct()
        .order_by(col(UseCaseTry.person), col(UseCaseTry.use_case))
        .limit(limit)
    )
    if person is not None:
        query = query.where(UseCaseTry.person == person)
    if after is not None:
        query = query.where(
            tuple_(col(UseCaseTry.person), col(UseCaseTry.use_case))
            > tuple_(after.person, after.use_case)
        )
    return [Pair(p, u) for p, u in (await session.exec(query)).all()]


async def confirm(
    engine: AsyncEngine, pairs: Sequence[Pair], today: date, language: Language = "nl"
) -> int:
    """Confirm each pair in its own transaction; returns how many are confirmed now.
    The grant's title is the use case's title in ``language``."""
    confirmed = 0
    for pair in pairs:
        async with AsyncSession(engine, expire_on_commit=False) as session:
            use_case = await session.get(UseCase, pair.use_case)
            title = use_case.read().title.get(language) if use_case else pair.use_case
            try:
                day = await confirm_pair(
                    session, person=pair.person, use_case=pair.use_case, today=today, title=title
                )
            except recognition.PersonErased:
                continue  # erased meanwhile: their tries go with them
            await session.commit()
        confirmed += day is not None
    return confirmed


async def confirm_person(
    engine: AsyncEngine, person: str, today: date, language: Language = "nl"
) -> int:
    """Confirm what usage shows of ``person``'s open tries (when they list them)."""
    async with AsyncSession(engine) as session:
        pairs = await open_pairs(session, today=today, person=person, limit=1000)
    return await confirm(engine, pairs, today, language)


async def tries_of(session: AsyncSession, person: str, limit: int = 100) -> list[UseCaseTry]:
    """The latest try of each use case ``person`` tried, newest first."""
    rows = await session.exec(
        select(UseCaseTry)
        .where(UseCaseTry.person == person)
        .order_by(col(UseCaseTry.tried_on).desc(), col(UseCaseTry.use_case))
    )
    latest: dict[str, UseCaseTry] = {}
    for row in rows.all():
        latest.setdefault(row.use_case, row)
    return list(latest.values())[:limit]
