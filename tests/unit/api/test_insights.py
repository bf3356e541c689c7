"""Adoption figures from usage rows: rates, groups below the minimum size, segments."""

from __future__ import annotations

from datetime import date, timedelta

from services.api.activity import Usage
from services.api.directory import Snapshot
from services.api.insights import Options, adoption

TODAY = date(2026, 11, 26)


def directory() -> Snapshot:
    memberships: dict[str, tuple[str | None, str | None]] = {}
    for i in range(10):
        memberships[f"s{i}"] = ("Sales A", "Sales")
    for i in range(3):
        memberships[f"l{i}"] = ("Legal", "Legal")
    return Snapshot(memberships=memberships)


def use(person: str, days_ago: int, app: str = "word", actions: int = 2) -> Usage:
    return Usage(person, TODAY - timedelta(days=days_ago), app, actions)


def test_rates_groups_and_segments() -> None:
    usage = [
        *(use(f"s{i}", 0) for i in range(6)),  # six of ten in Sales this week
        *(use(f"s{i}", 8) for i in range(2)),  # two of ten the week before
        *(use("s0", d, "excel") for d in range(1, 14)),  # s0 is a habit user
        use("l0", 1, "teams"),
        use("stranger", 0),  # not in the directory: not counted
    ]

    insights = adoption(usage, directory(), TODAY, Options(5, 6.0))

    assert insights.licensed == 13
    assert insights.active_7d == 7
    assert insights.active_rate_7d == round(7 / 13, 4)
    assert [(g.group, g.active, g.trend) for g in insights.by_department] == [
        ("Sales", 6, "growing")
    ]
    assert insights.hidden_groups == 2  # Legal as team and as department
    apps = {a.app: a.active_people for a in insights.by_app}
    assert apps == {"word": 6, "excel": None, "teams": None}
    segments = {s.segment: s.people for s in insights.segments}
    assert segments == {"not_started": 6, "trying": 6, "regular": 0, "habitual": 1}
    assert insights.actions_28d == sum(u.actions for u in usage if u.person != "stranger")
    assert insights.assisted_hours_28d == round(insights.actions_28d * 6 / 60, 1)
    assert insights.daily[-1].day == TODAY and insights.daily[-1].active_people == 6
    assert insights.weekly[-1].week == "2026-W48"
