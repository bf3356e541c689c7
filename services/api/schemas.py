"""Response models of the public API: what leaves the gateway, and nothing more."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from shared.leaderboards import Scope
from shared.periods import Window


class BoardEntry(BaseModel):
    """One row of a board. People who did not opt in have no name and no team."""

    rank: int = Field(description="1-based rank among the rows this caller may see")
    label: str = Field(description="A name when allowed, otherwise 'Colleague #rank'")
    name: str | None = Field(default=None, description="Only for opted-in people and groups")
    value: float = Field(description="Points, or points per licensed member for groups")
    members: int | None = Field(default=None, description="Licensed members of a group")
    me: bool = Field(default=False, description="This row is the caller")


class Board(BaseModel):
    """A leaderboard for one scope and period."""

    scope: Scope
    window: Window
    period: str
    unit: Literal["points", "points_per_member"]
    entries: list[BoardEntry]
    hidden_groups: int = Field(
        default=0, description="Groups left out because they have too few licensed members"
    )
    generated_at: datetime


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    status: Literal["ready", "not_ready"]
    checks: dict[str, bool]


class Adoption(BaseModel):
    """Licensed people and how many of them were active in a period."""

    period: str
    licensed: int
    active: int
    active_rate: float = Field(description="active / licensed, 0..1")


class Celebration(BaseModel):
    """A recent badge, level or challenge win, as a screen may show it."""

    kind: Literal["badge", "level", "challenge"]
    name: str | None = None
    team: str | None = None
    title: str | None = None
    at: datetime


class ActiveChallenge(BaseModel):
    id: str
    title: str
    scope: Literal["person", "team", "department"]
    ends_at: datetime
    board: Board | None = None
