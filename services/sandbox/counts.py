"""Copilot user counts: the UserCountSummary and UserCountTrend reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.sandbox.adoption import APPS
from services.sandbox.state import SandboxState

SUMMARY_APPS = (
    ("microsoftTeams", "teams"),
    ("word", "word"),
    ("powerPoint", "powerpoint"),
    ("outlook", "outlook"),
    ("excel", "excel"),
    ("oneNote", "onenote"),
    ("loop", "loop"),
    ("copilotChat", "chat"),
)


def summary(state: SandboxState, refresh: dt.date, period: str) -> dict[str, Any]:
    """Enabled and active users per app over the period (UserCountSummary)."""
    days = state.report.period_days(period, refresh)
    enabled = state.report.count(refresh)
    since = refresh - dt.timedelta(days=days - 1)
    active = dict.fromkeys(APPS, 0)
    any_active = 0
    for row in (r for chunk in state.report.rows(refresh, period) for r in chunk):
        recent = [app for app, d in row.last.items() if d is not None and d >= since]
        any_active += bool(recent)
        for app in recent:
            active[app] += 1
    item: dict[str, Any] = {
        "reportPeriod": days,
        "anyAppEnabledUsers": enabled,
        "anyAppActiveUsers": any_active,
    }
    for name, app in SUMMARY_APPS:
        item[f"{name}EnabledUsers"] = enabled
        item[f"{name}ActiveUsers"] = active[app]
    return {"value": [{"reportRefreshDate": refresh.isoformat(), "adoptionByProduct": [item]}]}


def trend(state: SandboxState, refresh: dt.date, period: str) -> dict[str, Any]:
    """Enabled and active users per app and day (UserCountTrend)."""
    days = min(state.report.period_days(period, refresh), 180)
    start, per_app, any_app = state.report.daily_active(refresh, days)
    enabled = state.report.count(refresh)
    by_date = []
    for k in range(days):
        item: dict[str, Any] = {
            "reportDate": (start + dt.timedelta(days=k)).isoformat(),
            "anyAppEnabledUsers": enabled,
            "anyAppActiveUsers": int(any_app[k]),
        }
        for name, app in SUMMARY_APPS:
            item[f"{name}EnabledUsers"] = enabled
            item[f"{name}ActiveUsers"] = int(per_app[k, APPS.index(app)])
        by_date.append(item)
    return {
        "value": [
            {
                "reportRefreshDate": refresh.isoformat(),
                "reportPeriod": days,
                "adoptionByDate": by_date,
            }
        ]
    }
