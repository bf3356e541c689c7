"""Adoption insights ("meten is weten") from the stored signals and the directory.

Only licensed people still in the directory count, so rates stay within 0..1;
per-group figures are left out for groups below the minimum size, and per-app
people counts below it are blanked. The headline (licensed, active in the last
7 days, and the tenant-wide figure) is :mod:`shared.adoption`'s, the same the
office screen and /me show, computed once per minute for both.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncEngine

from services.api.activity import Usage
from services.api.cache import RenderedCache
from services.api.directory import Directory, Snapshot
from services.api.schemas import (
    Adoption,
    AdoptionInsights,
    AppUsage,
    DayActive,
    GroupAdoption,
    Segment,
    TenantWideAdoption,
    WeekActive,
)
from shared import adoption as shared_adoption
from shared.leaderboards import Scope
from shared.periods import week_key
from shared.small_groups import shown as shown_group

WEEKS = 8
GROWTH = 0.05  # a change in weekly active rate below this is "steady"
SEGMENTS = (
    ("not_started", "0", 0, 0),
    ("trying", "1-3", 1, 3),
    ("regular", "4-11", 4, 11),
    ("habitual", "12+", 12, 28),
)


@dataclass(frozen=True)
class Options:
    min_group_size: int
    minutes_per_action: float


class Figures(BaseModel):
    """The adoption headline: what the screen shows, and what insights lead with."""

    people: Adoption
    tenant_wide: TenantWideAdoption | None = None


def figures_of(measured: shared_adoption.Adoption) -> Figures:
    people = measured.people
    tenant = measured.tenant
    within = people.window
    return Figures(
        people=Adoption(
            period=f"{within.since.isoformat()}/{within.until.isoformat()}",
            since=within.since,
            until=within.until,
            days=within.days,
            licensed=people.licensed,
            active=people.active,
            active_rate=people.rate,
        ),
        tenant_wide=None
        if tenant is None
        else TenantWideAdoption(
            label=shared_adoption.TENANT_WIDE_LABEL,
            licensed=tenant.licensed,
            active=tenant.active,
            active_rate=tenant.rate,
            people_active=tenant.people_active,
            concealed_active=tenant.concealed_active,
            unknown_active=tenant.unknown_active,
        ),
    )


async def current_figures(
    engine: AsyncEngine, directory: Directory, cache: RenderedCache, today: date
) -> Figures:
    """The headline for ``today``, measured at most once per cache period for everyone."""

    async def render() -> bytes:
        snapshot = await directory.snapshot()
        measured = await shared_adoption.measure(engine, snapshot.memberships, today)
        return figures_of(measured).model_dump_json().encode()

    return Figures.model_validate_json(await cache.get(("adoption", today), render))


def with_headline(insights: AdoptionInsights, figures: Figures) -> AdoptionInsights:
    """``insights`` led by the shared headline (the screen's figures, to the person)."""
    people = figures.people
    return insights.model_copy(
        update={
            "licensed": people.licensed,
            "active_7d": people.active,
            "active_rate_7d": people.active_rate,
            "since": people.since,
            "definition": shared_adoption.DEFINITION,
            "tenant_wide": figures.tenant_wide,
        }
    )


def first_day(today: date) -> date:
    return today - timedelta(days=7 * WEEKS - 1)


def _rate(active: int, licensed: int) -> float:
    return shared_adoption.rate(active, licensed)


def _groups(
    scope: Scope,
    directory: Snapshot,
    this_week: set[str],
    last_week: set[str],
    min_size: int,
) -> tuple[list[GroupAdoption], int]:
    members: dict[str, list[str]] = defaultdict(list)
    for person in directory.memberships:
        group = directory.group_of(scope, person)
        if group:
            members[group].append(person)
    shown, hidden = [], 0
    for group, people in sorted(members.items()):
        if not shown_group(len(people), min_size):
            hidden += 1
            continue
        now = _rate(sum(p in this_week for p in people), len(people))
        before = _rate(sum(p in last_week for p in people), len(people))
        trend = (
            "growing"
            if now - before >= GROWTH
            else "stalling"
            if before - now >= GROWTH
            else "steady"
        )
        shown.append(
            GroupAdoption(
                group=group,
                licensed=len(people),
                active=sum(p in this_week for p in people),
                active_rate=now,
                previous_rate=before,
                trend=trend,
            )
        )
    shown.sort(key=lambda g: (-g.active_rate, g.group))
    return shown, hidden


def adoption(
    usage: list[Usage], directory: Snapshot, today: date, options: Options
) -> AdoptionInsights:
    counted = [u for u in usage if u.person in directory.memberships]
    licensed = directory.licensed
    within = shared_adoption.window(today)
    since_7, since_14, since_28 = (today - timedelta(days=n - 1) for n in (7, 14, 28))
    headline = shared_adoption.people_adoption(
        directory.memberships, (u.person for u in counted if within.contains(u.day)), within
    )
    active_7 = {u.person for u in counted if within.contains(u.day)}
    previous_7 = {u.person for u in counted if since_14 <= u.day < since_7}
    recent = [u for u in counted if u.day >= since_28]
    days_active: dict[str, set[date]] = defaultdict(set)
    for u in recent:
        days_active[u.person].add(u.day)

    app_people: dict[str, set[str]] = defaultdict(set)
    app_actions: dict[str, int] = defaultdict(int)
    for u in recent:
        app_people[u.app].add(u.person)
        app_actions[u.app] += u.actions
    by_app = [
        AppUsage(
            app=app,
            active_people=len(people) if len(people) >= options.min_group_size else None,
            actions=app_actions[app],
        )
        for app, people in sorted(app_people.items(), key=lambda kv: -len(kv[1]))
    ]

    by_day: dict[date, set[str]] = defaultdict(set)
    by_week: dict[str, set[str]] = defaultdict(set)
    for u in counted:
        by_day[u.day].add(u.person)
        by_week[week_key(u.day)].add(u.person)
    daily = [
        DayActive(
            day=since_28 + timedelta(days=i),
            active_people=len(by_day[since_28 + timedelta(days=i)]),
        )
        for i in range(28)
    ]
    weeks = sorted(
        {week_key(first_day(today) + timedelta(days=7 * i)) for i in range(WEEKS)}
        | {week_key(today)}
    )
    weekly = [
        WeekActive(
            week=w, active_people=len(by_week[w]), active_rate=_rate(len(by_week[w]), licensed)
        )
        for w in weeks
    ]

    segments = [
        Segment(
            segment=name,
            active_days_28=label,
            people=sum(low <= len(days_active.get(p, ())) <= high for p in directory.memberships),
        )
        for name, label, low, high in SEGMENTS
    ]
    departments, hidden_d = _groups(
        Scope.DEPARTMENTS, directory, active_7, previous_7, options.min_group_size
    )
    teams, hidden_t = _groups(Scope.TEAMS, directory, active_7, previous_7, options.min_group_size)
    actions = sum(u.actions for u in recent)
    return AdoptionInsights(
        as_of=today,
        licensed=headline.licensed,
        active_7d=headline.active,
        active_rate_7d=headline.rate,
        since=within.since,
        definition=shared_adoption.DEFINITION,
        active_28d=len(days_active),
        by_app=by_app,
        by_department=departments,
        by_team=teams,
        hidden_groups=hidden_d + hidden_t,
        daily=daily,
        weekly=weekly,
        segments=segments if licensed >= options.min_group_size else [],
        actions_28d=actions,
        assisted_hours_28d=round(actions * options.minutes_per_action / 60, 1),
        minutes_saved_per_action=options.minutes_per_action,
    )
