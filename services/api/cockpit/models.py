"""The cockpit's answer (``GET /api/insights/cockpit``): one model per chart.

Rates are shares of licensed people (0..1); changes are in percentage points. A
figure that cannot be known (a week before the cube's first day) is ``null``, never 0.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from shared.intents import Intent

FlagName = Literal["growing", "stagnating", "steady"]


class HiddenGroup(BaseModel):
    """A group left out of per-group figures, and why."""

    group: str
    label: str
    reason: str


class CoverageOut(BaseModel):
    refreshed_at: datetime = Field(description="When the cube was last built")
    first_day: date
    last_day: date = Field(description="The figures are as of this day")
    last_complete_week: date | None = Field(description="Monday of the last complete week")
    segments_until: date
    segment_weeks: int


class ScopeOut(BaseModel):
    department: str | None = None
    function: str | None = None
    label: str = Field(description="The whole organisation, or the department or function")
    licensed: int


class TrendWeek(BaseModel):
    week: date = Field(description="The week's Monday")
    licensed: int
    active: int | None
    rate: float | None


class AppLine(BaseModel):
    app: str
    label: str
    active: list[int | None]
    rates: list[float | None]


class Trend(BaseModel):
    """Weekly active rate: in any app, and one line per app (active in the app / licensed)."""

    weeks: list[TrendWeek]
    apps: list[AppLine]
    definition: str


class HowOftenWeek(BaseModel):
    week: date
    active: int | None
    days_per_active_person: float | None
    actions_per_active_person: float | None


class HowOften(BaseModel):
    weeks: list[HowOftenWeek]
    definition: str


class HeatCell(BaseModel):
    app: str
    week_rate: float | None = Field(description="Active rate in the last complete week")
    four_week_rate: float | None = Field(description="Mean weekly rate, last 4 complete weeks")


class HeatRow(BaseModel):
    department: str
    label: str
    licensed: int
    cells: list[HeatCell]


class Heatmap(BaseModel):
    apps: list[str]
    app_labels: list[str]
    week: date | None = Field(description="The last complete week (its Monday)")
    four_weeks: list[date] = Field(description="The 4 complete weeks averaged")
    rows: list[HeatRow]
    hidden: list[HiddenGroup]
    definition: str


class TierOut(BaseModel):
    id: str
    title: str
    definition: str


class TierShare(BaseModel):
    tier: str
    people: int
    share: float


class SegmentGroup(BaseModel):
    group: str
    label: str
    licensed: int
    tiers: list[TierShare]


class Segments(BaseModel):
    tiers: list[TierOut]
    weeks: int
    until: date
    overall: SegmentGroup | None
    departments: list[SegmentGroup]
    hidden: list[HiddenGroup]
    definition: str


class FunctionRow(BaseModel):
    function: str
    label: str
    licensed: int
    active_last_week: int | None
    rate_last_week: float | None
    rate_four_weeks: float | None
    rate_four_weeks_before: float | None
    change_points: float | None


class Functions(BaseModel):
    rows: list[FunctionRow]
    hidden: list[HiddenGroup]
    definition: str


class IntentApp(BaseModel):
    app: str
    label: str
    intent: Intent


class IntentWeek(BaseModel):
    week: date
    actions: dict[Intent, int | None]
    shares: dict[Intent, float | None]


class Intents(BaseModel):
    mapping: list[IntentApp]
    labels: dict[Intent, str]
    weeks: list[IntentWeek]
    definition: str


class AssistedWeek(BaseModel):
    week: date
    actions: int | None
    hours: float | None


class Assisted(BaseModel):
    minutes_per_action: float
    weeks: list[AssistedWeek]
    definition: str


class Flag(BaseModel):
    department: str
    label: str
    licensed: int
    rate_now: float | None
    rate_before: float | None
    change_points: float | None
    flag: FlagName | None = Field(description="None while fewer than 8 complete weeks exist")


class Flags(BaseModel):
    rule: str
    weeks: int
    growing_points: float
    stagnating_points: float
    organisation_rate: float | None
    departments: list[Flag]
    hidden: list[HiddenGroup]


class Cockpit(BaseModel):
    """Everything the ``/insights`` page shows below the headline."""

    lang: str
    min_group_size: int
    coverage: CoverageOut | None = Field(description="None until the cube is first built")
    scope: ScopeOut | None
    notice: str | None = Field(default=None, description="Why there is nothing to show")
    weeks: list[date] = Field(default_factory=list, description="Mondays of the weeks shown")
    trend: Trend | None = None
    how_often: HowOften | None = None
    heatmap: Heatmap | None = None
    segments: Segments | None = None
    functions: Functions | None = None
    intents: Intents | None = None
    assisted: Assisted | None = None
    flags: Flags | None = None
