"""Response models of the public API: what leaves the gateway, and nothing more."""

from __future__ import annotations

from datetime import date, datetime
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
    """Licensed people and how many were active in the adoption window (shared.adoption)."""

    period: str = Field(description="The window as an ISO 8601 interval: since/until")
    since: date
    until: date
    days: int = Field(description="Days in the window, today included")
    licensed: int
    active: int
    active_rate: float = Field(description="active / licensed, 0..1")


class TenantWideAdoption(BaseModel):
    """Adoption across the tenant, counting usage-report rows that match no person."""

    label: str = Field(description="What this figure is, to show beside it")
    licensed: int = Field(description="Licensed people plus unknown report identities")
    active: int = Field(description="max(people active, concealed identities) + unknown ones")
    active_rate: float
    people_active: int
    concealed_active: int = Field(description="Concealed report identities active")
    unknown_active: int = Field(description="Report identities the directory does not know")


class Celebration(BaseModel):
    """A recent badge, level or challenge win, as a screen may show it."""

    kind: Literal["badge", "level", "challenge"]
    name: str | None = None
    team: str | None = None
    title: str | None = Field(default=None, description="In the language asked for (?lang=)")
    titles: dict[str, str] = Field(
        default={}, description="The title in every language (nl, en, fr), gaps filled"
    )
    at: datetime


class ActiveChallenge(BaseModel):
    id: str
    title: str = Field(description="In the language asked for (?lang=)")
    titles: dict[str, str] = Field(
        default={}, description="The title in every language (nl, en, fr), gaps filled"
    )
    scope: Literal["person", "team", "department"]
    metric: str = Field(
        description="points, active_days, distinct_apps or active_rate (board values in percent)"
    )
    ends_at: datetime
    board: Board | None = None


class WindowStanding(BaseModel):
    window: Window
    period: str
    points: float
    rank: int | None = Field(description="None when not on this board yet")
    ranked: int = Field(description="How many people are on this board")


class LevelView(BaseModel):
    level: int
    title: str
    points: int = Field(description="Points this level starts at")
    next_level: int | None
    next_title: str | None
    next_points: int | None


class BadgeView(BaseModel):
    id: str
    title: str
    earned_on: date


class StreakView(BaseModel):
    current: int = Field(description="Consecutive working days, bridged by freezes")
    best: int
    last_active: date | None
    freezes_used: int


class HabitView(BaseModel):
    active_days: int
    days: int = Field(description="Active days the habit needs")
    window: int = Field(description="Within this many days")
    reached: bool


class TierView(BaseModel):
    id: str
    title: str
    active_weeks: int
    weekly_actions: float


class Goal(BaseModel):
    """Something within reach: a level or a badge, and how far along."""

    kind: str
    id: str
    title: str
    progress: float
    target: float


class Profile(BaseModel):
    """One person's own view of the game; the scoring fields are empty before any activity."""

    opted_in: bool = Field(description="Whether the name may appear on boards and screens")
    name_shown: bool = Field(
        default=False,
        description="Whether boards show the name now: an opted-in name is held back while"
        " naming it would give away what unnamed colleagues scored (see README, Privacy)",
    )
    name: str | None = Field(description="The caller's own name, shown only to them")
    team: str | None
    department: str | None
    standings: list[WindowStanding]
    rules_version: int | None = None
    points: int = 0
    level: LevelView | None = None
    badges: list[BadgeView] = []
    streak: StreakView | None = None
    habit: HabitView | None = None
    tier: TierView | None = None
    next_goals: list[Goal] = []
    active_days: int = 0
    active: bool = Field(
        default=False, description="Counted as active: a Copilot fact in the last 7 days"
    )


class ExplanationLine(BaseModel):
    rule: str
    points: int
    paid: bool
    reason: str
    app: str | None = None
    at: datetime | None = None
    title: str | None = Field(default=None, description="What granted points were for")


class DayExplanation(BaseModel):
    """Why I got what I got on one day."""

    day: date
    rules_version: int
    points: int
    daily_cap: int | None
    lines: list[ExplanationLine]
    recognition: list[ExplanationLine] = Field(
        default=[], description="Points granted outside Copilot usage, and revocations"
    )
    awards: list[ExplanationLine]
    notes: list[str]


class AppUsage(BaseModel):
    app: str
    active_people: int | None = Field(description="None when fewer than the minimum group size")
    actions: int


class GroupAdoption(BaseModel):
    group: str
    licensed: int
    active: int
    active_rate: float
    previous_rate: float = Field(description="Active rate the week before")
    trend: Literal["growing", "stalling", "steady"]


class DayActive(BaseModel):
    day: date
    active_people: int


class WeekActive(BaseModel):
    week: str
    active_people: int
    active_rate: float


class Segment(BaseModel):
    segment: Literal["not_started", "trying", "regular", "habitual"]
    active_days_28: str = Field(description="Active days in the last 28 that define it")
    people: int


class AdoptionInsights(BaseModel):
    """Adoption across the organisation; groups below the minimum size are left out."""

    as_of: date
    licensed: int
    active_7d: int
    active_rate_7d: float
    active_28d: int
    by_app: list[AppUsage]
    by_department: list[GroupAdoption]
    by_team: list[GroupAdoption] = Field(
        description="Empty once the insight cube is built: insights are kept per department "
        "and job function; team standings are on the boards"
    )
    hidden_groups: int
    daily: list[DayActive]
    weekly: list[WeekActive]
    segments: list[Segment]
    actions_28d: int
    assisted_hours_28d: float
    minutes_saved_per_action: float = Field(description="The assumption behind assisted hours")
    since: date | None = Field(default=None, description="First day of the 7-day window")
    definition: str = Field(default="", description="Who counts as licensed and as active")
    tenant_wide: TenantWideAdoption | None = Field(
        default=None, description="Only while usage-report rows match no person"
    )


class ErrorMessage(BaseModel):
    detail: str


def errors(*codes: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI entries for the 4xx answers a route may give."""
    described = {
        400: "The body is not valid JSON",
        401: "No credentials, or credentials that cannot be trusted",
        403: "Signed in, but without the role this needs",
        404: "Not found",
        413: "Request body too large",
    }
    return {code: {"model": ErrorMessage, "description": described[code]} for code in codes}


class Contributor(BaseModel):
    """A member who opted in to be named, and what they added."""

    name: str
    points: float


class GroupStanding(BaseModel):
    """A team or department: rank, per-capita points, active rate, who contributed."""

    scope: Scope
    group: str
    window: Window
    period: str
    rank: int | None = Field(description="Among groups big enough to show; None if unranked")
    points_per_member: float
    members: int = Field(description="Licensed members")
    active: int = Field(description="Members with points in this period")
    active_rate: float
    named: list[Contributor] = Field(
        description="Opted-in members, best first; empty while fewer than the minimum group"
        " size stay unnamed (their sum would give away what they scored)"
    )
    others: int = Field(description="Active members who are not named")
    others_points: float = Field(
        description="What the active members who are not named added together; always a sum"
        " over everyone, nobody or at least the minimum group size of unnamed members"
    )


class ChallengeView(BaseModel):
    id: str
    title: str = Field(description="In the language asked for (?lang=)")
    titles: dict[str, str] = Field(
        default={}, description="The title in every language (nl, en, fr), gaps filled"
    )
    scope: Literal["person", "team", "department"]
    metric: str
    status: Literal["upcoming", "active", "deciding", "past"] = Field(
        description="deciding: over, winners not yet decided (late usage data may still count)"
    )
    start: date
    end: date
    decided_on: date = Field(description="When the winners are decided and announced")
    winners: int
    rules_in_words: str


class ChallengeStandings(ChallengeView):
    board: Board
