"""A champion's departments in aggregates: active rate, weekly trend, apps used and unused.

The figures are :func:`services.api.insights.adoption`'s, computed over one department's
licensed members (so "active" is :mod:`shared.adoption`'s), with its rules: app counts
under the minimum group size are blanked, teams under it are left out. A department
under the minimum is not shown at all, with the reason. Nothing here names anyone, or
lists who is not active: only how many.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, RootModel
from sqlalchemy.ext.asyncio import AsyncEngine

from services.api import activity
from services.api.activity import Usage
from services.api.cache import RenderedCache
from services.api.directory import Directory, Snapshot
from services.api.insights import Options, adoption, first_day
from services.api.schemas import AppUsage, GroupAdoption, WeekActive
from shared import adoption as shared_adoption
from shared.events import App
from shared.small_groups import shown

APPS = [app.value for app in App if app is not App.OTHER]
HiddenReason = Literal["small_group", "unknown_department"]


class DepartmentFigures(BaseModel):
    department: str
    shown: bool
    hidden_reason: HiddenReason | None = Field(
        default=None, description="Why the department's figures are not shown"
    )
    licensed: int | None = None
    active: int | None = Field(default=None, description="Active in the last 7 days")
    active_rate: float | None = None
    previous_rate: float | None = Field(default=None, description="Active rate a week earlier")
    trend: Literal["growing", "stalling", "steady"] | None = None
    not_yet_active: int | None = Field(
        default=None, description="Licensed colleagues not active in the last 7 days (a count)"
    )
    weekly: list[WeekActive] = []
    apps_used: list[AppUsage] = Field(default=[], description="Apps used in the last 28 days")
    apps_unused: list[str] = Field(default=[], description="Apps nobody used in 28 days")
    teams: list[GroupAdoption] = Field(default=[], description="Teams of at least the minimum")
    hidden_teams: int = 0


class Dashboard(BaseModel):
    as_of: date
    definition: str
    min_group_size: int
    departments: list[DepartmentFigures]


Figures = RootModel[dict[str, DepartmentFigures]]


def department_view(snapshot: Snapshot, department: str) -> Snapshot:
    """The directory as if ``department`` were the whole organisation."""
    return Snapshot(
        memberships={p: m for p, m in snapshot.memberships.items() if m[1] == department},
        placed={p: m for p, m in snapshot.placed.items() if m[1] == department},
        removed=snapshot.removed,
    )


def figures(
    usage: list[Usage], snapshot: Snapshot, today: date, options: Options
) -> dict[str, DepartmentFigures]:
    """Every department's figures (hidden ones with their reason)."""
    by_department: dict[str, list[Usage]] = defaultdict(list)
    for fact in usage:
        membership = snapshot.memberships.get(fact.person)
        if membership is not None and membership[1]:
            by_department[membership[1]].append(fact)
    found: dict[str, DepartmentFigures] = {}
    for department, size in snapshot.department_sizes.items():
        if not shown(size, options.min_group_size):
            found[department] = DepartmentFigures(
                department=department, shown=False, hidden_reason="small_group"
            )
            continue
        view = department_view(snapshot, department)
        insight = adoption(by_department[department], view, today, options)
        whole = next((g for g in insight.by_department if g.group == department), None)
        used = {usage.app for usage in insight.by_app}
        found[department] = DepartmentFigures(
            department=department,
            shown=True,
            licensed=insight.licensed,
            active=insight.active_7d,
            active_rate=insight.active_rate_7d,
            previous_rate=whole.previous_rate if whole else None,
            trend=whole.trend if whole else None,
            not_yet_active=insight.licensed - insight.active_7d,
            weekly=insight.weekly,
            apps_used=insight.by_app,
            apps_unused=[app for app in APPS if app not in used],
            teams=insight.by_team,
            hidden_teams=insight.hidden_groups,  # the department itself is shown
        )
    return found


async def dashboard(
    engine: AsyncEngine,
    directory: Directory,
    cache: RenderedCache,
    departments: list[str],
    today: date,
    options: Options,
) -> Dashboard:
    """The figures of ``departments``, computed at most once per cache period for all."""

    async def render() -> bytes:
        usage = await activity.usage_between(engine, first_day(today), today)
        snapshot = await directory.snapshot()
        return Figures(figures(usage, snapshot, today, options)).model_dump_json().encode()

    every = Figures.model_validate_json(await cache.get(("champion-departments", today), render))
    return Dashboard(
        as_of=today,
        definition=shared_adoption.DEFINITION,
        min_group_size=options.min_group_size,
        departments=[
            every.root.get(d)
            or DepartmentFigures(department=d, shown=False, hidden_reason="unknown_department")
            for d in departments
        ],
    )
