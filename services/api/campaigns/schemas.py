"""What the campaign endpoints take and answer."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from services.api.campaigns.store import Kind
from services.api.text import Document, OneLine

Title = Annotated[OneLine, Field(min_length=1, max_length=200)]
Department = Annotated[OneLine, Field(min_length=1, max_length=256)]
Reason = Literal["not_built", "too_early", "too_few_before", "hidden", "no_control"]
Period = Literal["pre", "transition", "post"]


class CampaignBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: UUID = Field(description="Made by the client; a retry with the same id is no new one")
    kind: Kind
    title: Title
    starts_on: date = Field(description="At most a year from today")
    ends_on: date | None = Field(default=None, description="On or after starts_on")
    departments: Annotated[list[Department], Field(min_length=1, max_length=50)] = Field(
        description="The target departments, at least one"
    )
    note: Document = Field(default="", max_length=2000)


class CampaignPublic(BaseModel):
    id: str
    kind: str
    title: str
    starts_on: date
    ends_on: date | None
    departments: list[str]
    note: str
    created_as: str = Field(description="admin or champion")
    created_at: datetime
    mine: bool = Field(description="I recorded it")
    may_withdraw: bool


class WeekPoint(BaseModel):
    week: date = Field(description="The week's Monday")
    period: Period = Field(description="pre, transition (the campaign's week, left out), post")
    target: float = Field(description="The target group's weekly active rate, in %")
    control: float = Field(description="The other departments' weekly active rate, in %")


class Group(BaseModel):
    departments: list[str]
    licensed: int


class EffectPublic(BaseModel):
    campaign: str
    available: bool = Field(description="False: see reason and message")
    reason: Reason | None = None
    message: str | None = Field(default=None, description="Why no effect is shown, in words")
    come_back_on: date | None = Field(default=None, description="When too early: from then on")
    transition_week: date
    pre_weeks: list[date] = Field(default=[])
    post_weeks: list[date] = Field(default=[])
    estimate: float | None = Field(default=None, description="Percentage points")
    low: float | None = Field(default=None, description="95% interval, points")
    high: float | None = None
    standard_error: float | None = None
    degrees_of_freedom: float | None = None
    likely_real: bool | None = Field(default=None, description="The interval leaves out 0")
    verdict: str | None = None
    assumption: str | None = None
    pre_trend_target: float | None = Field(default=None, description="Points per week")
    pre_trend_control: float | None = None
    target: Group | None = None
    control: Group | None = None
    series: list[WeekPoint] = Field(default=[])
