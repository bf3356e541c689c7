"""Display tokens: long-lived, read-only, revocable credentials for office screens.

Only a SHA-256 hash of each token is stored; the token itself is shown once,
when an admin issues it. Checks are cached for a few seconds, so a revoked
token stops working within ``cache_seconds`` (open live streams re-check it).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.api.auth.principal import Principal

PREFIX = "upd_"


def utcnow() -> datetime:
    return datetime.now(UTC)


class DisplayToken(SQLModel, table=True):
    __tablename__ = "api_display_token"

    id: int | None = Field(default=None, primary_key=True)
    label: str = Field(max_length=100)
    token_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str | None = Field(default=None, max_length=200)
    revoked_at: datetime | None = None


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_display_token(token: str) -> bool:
    return token.startswith(PREFIX)


class DisplayTokens:
    def __init__(self, engine: AsyncEngine, cache_seconds: float = 5.0) -> None:
        self._engine = engine
        self._cache_seconds = cache_seconds
        self._checked: dict[str, tuple[float, Principal | None]] = {}

    async def issue(self, label: str, created_by: str | None) -> tuple[DisplayToken, str]:
        token = PREFIX + secrets.token_urlsafe(32)
        row = DisplayToken(label=label, token_hash=digest(token), created_by=created_by)
        async with AsyncSession(self._engine) as session:
            session.add(row)
            await session.commit()
            await session.refresh(row)
        return row, token

    async def list(self) -> list[DisplayToken]:
        async with AsyncSession(self._engine) as session:
            rows = await session.exec(select(DisplayToken).order_by(col(DisplayToken.id)))
            return list(rows.all())

    async def revoke(self, token_id: int) -> DisplayToken | None:
        async with AsyncSession(self._engine) as session:
            row = await session.get(DisplayToken, token_id)
            if row is None:
                return None
            if row.revoked_at is None:
                row.revoked_at = utcnow()
                session.add(row)
                await session.commit()
                await session.refresh(row)
        self._checked.clear()
        return row

    async def principal(self, token: str) -> Principal | None:
        """The screen this token belongs to, or None when unknown or revoked."""
        hashed = digest(token)
        now = time.monotonic()
        cached = self._checked.get(hashed)
        if cached is not None and now - cached[0] < self._cache_seconds:
            return cached[1]
        async with AsyncSession(self._engine) as session:
            row = (
                await session.exec(select(DisplayToken).where(DisplayToken.token_hash == hashed))
            ).first()
        found = (
            Principal("display", label=row.label)
            if row is not None and row.revoked_at is None
            else None
        )
        if len(self._checked) > 10_000:
            self._checked.clear()
        self._checked[hashed] = (now, found)
        return found
