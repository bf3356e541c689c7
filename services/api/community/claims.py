"""Claim codes: points for what usage cannot show, such as passing a training quiz.

An admin makes a batch of single-use codes with an expiry; each code may be redeemed by
one person, and each person redeems at most one code of a batch (grant
``claim:<batch>:<person>``). Only a keyed hash of each code is stored: the codes derive
from the batch id and their number under ``PSEUDONYM_KEY``, so an admin can download the
batch again, while a copy of the database alone reveals none. A wrong, used or expired
code counts as a guess, and a person gets ``API_CLAIM_GUESSES_PER_HOUR`` of those an hour.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Column, DateTime, UniqueConstraint, func, insert
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api import recognition
from services.api.community.locks import take_turn
from services.api.community.refusals import Refused
from shared.events import RecognitionKind

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32 symbols, none that look alike
GROUPS, GROUP = 3, 4  # XXXX-XXXX-XXXX: 60 bits
MAX_CODES = 1000


def utcnow() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _moment() -> Any:
    return Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class ClaimBatch(SQLModel, table=True):
    __tablename__ = "api_claim_batch"

    id: str = Field(primary_key=True, max_length=36)
    title: str = Field(max_length=200)
    points: int
    count: int
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    created_by: str | None = Field(default=None, max_length=64)
    created_at: datetime = _moment()


class ClaimCode(SQLModel, table=True):
    """One code, by its keyed hash; ``redeemed_by`` once someone redeemed it."""

    __tablename__ = "api_claim_code"
    __table_args__ = (UniqueConstraint("batch", "redeemed_by", name="uq_api_claim_once"),)

    code_hash: str = Field(primary_key=True, max_length=64)
    batch: str = Field(max_length=36, index=True)
    number: int
    redeemed_by: str | None = Field(default=None, max_length=64, index=True)
    redeemed_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )


class ClaimGuess(SQLModel, table=True):
    """A code that did not redeem: counted to slow down guessing."""

    __tablename__ = "api_claim_guess"

    id: int | None = Field(default=None, primary_key=True)
    person: str = Field(max_length=64, index=True)
    at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False, index=True))


class Guess(Refused):
    """A refusal that counts as a guess."""


def code_for(key: str, batch: str, number: int) -> str:
    """The ``number``-th code of ``batch``, as people type it."""
    digest = hmac.new(key.encode(), f"claim-code:{batch}:{number}".encode(), hashlib.sha256)
    value = int.from_bytes(digest.digest()[:8], "big")
    symbols = []
    for _ in range(GROUPS * GROUP):
        value, index = divmod(value, len(ALPHABET))
        symbols.append(ALPHABET[index])
    return "-".join("".join(symbols[i : i + GROUP]) for i in range(0, len(symbols), GROUP))


def normalise(code: str) -> str:
    """As typed, without spaces or dashes, in capitals; O and I read as 0 and 1 are not
    in the alphabet, so they stay wrong."""
    return "".join(ch for ch in code.upper() if ch not in " -\t")


def hash_of(key: str, code: str) -> str:
    return hmac.new(key.encode(), f"claim-hash:{normalise(code)}".encode(), "sha256").hexdigest()


def same_batch(row: ClaimBatch, title: str, points: int, count: int, expires_at: datetime) -> bool:
    return (row.title, row.points, row.count, _aware(row.expires_at)) == (
        title,
        points,
        count,
        _aware(expires_at),
    )


async def create_batch(
    session: AsyncSession,
    *,
    batch_id: str,
    title: str,
    points: int,
    count: int,
    expires_at: datetime,
    created_by: str,
    key: str,
) -> tuple[ClaimBatch, bool]:
    """Make ``count`` codes; the same id with the same batch again is the one made (False)."""
    await take_turn(session, f"claims:{batch_id}")
    existing = await session.get(ClaimBatch, batch_id)
    if existing is not None:
        if same_batch(existing, title, points, count, expires_at):
            return existing, False
        raise Refused(409, "this id belongs to another batch")
    row = ClaimBatch(
        id=batch_id,
        title=title,
        points=points,
        count=count,
        expires_at=expires_at.astimezone(UTC),
        created_by=created_by,
    )
    session.add(row)
    await session.flush()
    codes = [
        {"code_hash": hash_of(key, code_for(key, batch_id, n)), "batch": batch_id, "number": n}
        for n in range(count)
    ]
    conn = await session.connection()
    await conn.execute(insert(ClaimCode.__table__), codes)  # type: ignore[attr-defined]
    return row, True


async def batches(session: AsyncSession) -> list[tuple[ClaimBatch, int]]:
    """Every batch, newest first, with how many of its codes were redeemed."""
    redeemed = (
        select(ClaimCode.batch, func.count().label("n"))
        .where(col(ClaimCode.redeemed_by).is_not(None))
        .group_by(col(ClaimCode.batch))
        .subquery()
    )
    rows = await session.exec(
        select(ClaimBatch, redeemed.c.n)
        .outerjoin(redeemed, redeemed.c.batch == ClaimBatch.id)
        .order_by(col(ClaimBatch.created_at).desc())
    )
    return [(batch, int(n or 0)) for batch, n in rows.all()]


async def codes_of(session: AsyncSession, batch: ClaimBatch, key: str) -> list[tuple[str, bool]]:
    """The batch's codes in order, and whether each was redeemed."""
    rows = await session.exec(
        select(ClaimCode.number, ClaimCode.redeemed_by).where(ClaimCode.batch == batch.id)
    )
    redeemed = {number: by is not None for number, by in rows.all()}
    return [(code_for(key, batch.id, n), redeemed.get(n, False)) for n in range(batch.count)]


async def guesses_since(session: AsyncSession, person: str, since: datetime) -> list[datetime]:
    rows = await session.exec(
        select(ClaimGuess.at)
        .where(ClaimGuess.person == person, ClaimGuess.at > since)
        .order_by(col(ClaimGuess.at))
    )
    return [_aware(at) for at in rows.all()]


async def count_guess(session: AsyncSession, person: str, at: datetime) -> None:
    session.add(ClaimGuess(person=person, at=at))


async def redeem(
    session: AsyncSession,
    *,
    person: str,
    code: str,
    key: str,
    now: datetime,
    today: date,
    guesses_per_hour: int,
) -> tuple[ClaimBatch, ClaimCode]:
    """Redeem ``code`` for ``person`` and grant the batch's points, in the caller's
    transaction. Redeeming one's own code again is the redemption made. Raises
    :class:`Guess` for a code that does not redeem, :class:`Refused` otherwise."""
    await take_turn(session, f"claim-guess:{person}")
    recent = await guesses_since(session, person, now - timedelta(hours=1))
    if len(recent) >= guesses_per_hour:
        wait = recent[len(recent) - guesses_per_hour] + timedelta(hours=1) - now
        raise Refused(
            429, "too many wrong codes; try again later", retry_after=int(wait.total_seconds()) + 1
        )
    row = await session.get(ClaimCode, hash_of(key, code), with_for_update=True)
    if row is None:
        raise Guess(404, "no such code")
    batch = await session.get(ClaimBatch, row.batch)
    assert batch is not None
    if row.redeemed_by == person:
        return batch, row
    if row.redeemed_by is not None:
        raise Guess(409, "this code was used already")
    if _aware(batch.expires_at) <= now:
        raise Guess(410, "this code has expired")
    mine = await session.scalar(
        select(func.count())
        .select_from(ClaimCode)
        .where(ClaimCode.batch == batch.id, ClaimCode.redeemed_by == person)
    )
    if mine:
        raise Refused(409, "you already redeemed a code of this batch")
    row.redeemed_by = person
    row.redeemed_at = now
    session.add(row)
    await session.flush()
    await recognition.grant(
        session,
        grant=f"claim:{batch.id}:{person}",
        person=person,
        kind=RecognitionKind.CLAIM,
        day=today,
        title=batch.title,
        granted_by=batch.created_by,
        points=batch.points,
    )
    return batch, row
