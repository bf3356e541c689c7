"""The rule set in force, as the gateway needs it, read from scoring's rule-set table.

The gateway reads only what it shows (challenges, levels, badges as goals)
and ignores the rest, so rule-set fields can grow without touching it.
"""

from __future__ import annotations

import json
import time
from datetime import date, datetime
from datetime import time as clock_time
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    ConfigDict,
    ModelWrapValidatorHandler,
    ValidationError,
    model_validator,
)
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.languages import Text, in_its_language
from shared.logs import get_logger
from shared.periods import days_after

log = get_logger(__name__)

PUBLISHED = text(
    "SELECT body FROM scoring_ruleset WHERE published_at IS NOT NULL ORDER BY version DESC LIMIT 1"
)


class ChallengeInfo(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    title: Text
    scope: Literal["person", "team", "department"] = "team"
    metric: str = "points"
    min_size: int = 5
    winners: int = 3
    settle_days: int = 0  # rule sets published before challenges had settling days
    start: date
    end: date

    def decided_on(self) -> date:
        """The day scoring decides the winners (as ``domain.rules.Challenge``)."""
        return days_after(self.end, self.settle_days + 1)

    def status(self, today: date) -> Literal["upcoming", "active", "deciding", "past"]:
        """``deciding``: over, but late usage data may still move the standings."""
        if today < self.start:
            return "upcoming"
        if today <= self.end:
            return "active"
        return "deciding" if today < self.decided_on() else "past"

    def ends_at(self, tz: ZoneInfo) -> datetime:
        """The start of the day after the last; the last moment of 9999-12-31 at the latest."""
        if self.end == date.max:
            return datetime.combine(date.max, clock_time.max, tz)
        return datetime.combine(days_after(self.end, 1), clock_time.min, tz)


class LevelInfo(BaseModel):
    model_config = ConfigDict(extra="ignore")

    level: int
    title: Text
    points: int


class BadgeInfo(BaseModel):
    """Any badge kind; the fields a kind does not use stay empty."""

    model_config = ConfigDict(extra="ignore")

    type: str
    id: str
    title: Text
    app: str | None = None
    apps: int | None = None
    days: int | None = None
    window: int | None = None
    metric: str | None = None
    count: int | None = None


class RulesDocument(BaseModel):
    model_config = ConfigDict(extra="ignore")

    challenges: list[ChallengeInfo] = []
    levels: list[LevelInfo] = []
    badges: list[BadgeInfo] = []

    @model_validator(mode="wrap")
    @classmethod
    def _texts_in_its_language(
        cls, data: Any, handler: ModelWrapValidatorHandler[RulesDocument]
    ) -> RulesDocument:
        return in_its_language(data, handler)


class Published:
    """The published rule set, reloaded at most every ``ttl`` seconds."""

    def __init__(self, engine: AsyncEngine, ttl: float = 30.0) -> None:
        self._engine = engine
        self._ttl = ttl
        self._loaded_at = -ttl
        self._rules = RulesDocument()

    async def rules(self) -> RulesDocument:
        if time.monotonic() - self._loaded_at >= self._ttl:
            self._rules = await self._load()
            self._loaded_at = time.monotonic()
        return self._rules

    async def running(self, today: date) -> ChallengeInfo | None:
        """The running challenge that ends first, if any runs."""
        current = [c for c in (await self.rules()).challenges if c.start <= today <= c.end]
        return min(current, key=lambda c: c.end) if current else None

    def invalidate(self) -> None:
        self._loaded_at = -self._ttl

    async def _load(self) -> RulesDocument:
        try:
            async with self._engine.connect() as conn:
                body = (await conn.execute(PUBLISHED)).scalar_one_or_none()
        except SQLAlchemyError:
            return RulesDocument()  # scoring has not created its tables yet
        if body is None:
            return RulesDocument()
        try:
            return RulesDocument.model_validate(json.loads(body))
        except (ValueError, ValidationError) as exc:
            log.warning("published rule set unreadable", error=str(exc))
            return RulesDocument()
