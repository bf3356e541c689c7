"""Points, caps, bonuses, badges and levels, and that arrival order does not change them."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.scoring.domain.calendar import WorkCalendar
from services.scoring.domain.engine import PersonState, score
from services.scoring.domain.model import Award, AwardKind, Signal
from services.scoring.domain.rules import parse_rules
from shared.events import ActivityKind, App

TZ = ZoneInfo("Europe/Brussels")
RULES = parse_rules(
    """
points:
  per_kind: {active_day: 10, prompt: 4}
  per_app: {chat: {active_day: 5}}
  daily_cap: 25
bonuses:
  - {id: outlook, title: O, start: 2026-11-09, end: 2026-11-13, apps: [outlook], multiplier: 2}
badges:
  - {type: first_use, id: first-excel, title: Excel, app: excel}
  - {type: explorer, id: explorer-2, title: Two apps, apps: 2}
  - {type: streak, id: streak-3, title: Three, days: 3}
  - {type: milestone, id: prompts-3, title: Prompts, metric: prompts, count: 3}
levels:
  - {level: 1, title: One, points: 0}
  - {level: 2, title: Two, points: 30}
  - {level: 3, title: Three, points: 40}
"""
)
CAL = WorkCalendar(RULES.calendar)


def sig(
    n: int,
    day: int,
    app: App = App.WORD,
    kind: ActivityKind = ActivityKind.ACTIVE_DAY,
    hour: int = 9,
    person: str = "p-1",
) -> Signal:
    return Signal(
        f"e{n:03d}",
        person,
        app,
        kind,
        date(2026, 11, day),
        datetime(2026, 11, day, hour, tzinfo=UTC),
    )


def run(signals: list[Signal], batches: int = 1) -> list[Award]:
    states: dict[str, PersonState] = {}
    awards = []
    size = max(1, len(signals) // batches)
    for start in range(0, len(signals), size):
        awards += score(RULES, 1, signals[start : start + size], states, CAL, TZ)
    return awards


def test_points_per_kind_and_app() -> None:
    awards = run([sig(1, 2), sig(2, 2, App.CHAT), sig(3, 3, App.TEAMS, ActivityKind.PROMPT)])
    assert [(a.rule, a.points) for a in awards if a.kind == AwardKind.POINTS] == [
        ("points.active_day", 10),
        ("points.active_day", 5),
        ("points.prompt", 4),
    ]


def test_daily_cap_clips_and_explains() -> None:
    awards = run([sig(1, 2), sig(2, 2, App.EXCEL), sig(3, 2, App.TEAMS), sig(4, 2, App.LOOP)])
    paid = [a for a in awards if a.kind == AwardKind.POINTS]
    assert [a.points for a in paid] == [10, 10, 5, 0]
    assert "daily cap of 25: 5 of 10" in (paid[2].note or "")
    assert "daily cap of 25 reached" in (paid[3].note or "")
    assert sum(a.points for a in run([sig(5, 3), sig(6, 4)])) == 20  # the cap is per day


def test_bonus_window_multiplies_matching_signals_only() -> None:
    awards = run([sig(1, 10, App.OUTLOOK), sig(2, 17, App.OUTLOOK), sig(3, 11, App.WORD)])
    assert [a.points for a in awards if a.kind == AwardKind.POINTS] == [20, 10, 10]


def test_badges_and_levels() -> None:
    signals = [
        sig(1, 2),
        sig(2, 3, App.EXCEL),
        sig(3, 4),
        *(sig(10 + i, 5, App.TEAMS, ActivityKind.PROMPT, hour=10 + i) for i in range(3)),
    ]
    awards = run(signals)
    badges = {a.ref: a.day for a in awards if a.kind == AwardKind.BADGE}
    assert badges == {
        "first-excel": date(2026, 11, 3),
        "explorer-2": date(2026, 11, 3),
        "streak-3": date(2026, 11, 4),
        "prompts-3": date(2026, 11, 5),
    }
    levels = {a.ref: a.day for a in awards if a.kind == AwardKind.LEVEL}
    assert levels == {"2": date(2026, 11, 4), "3": date(2026, 11, 5)}


def test_totals_badges_and_dates_do_not_depend_on_arrival_order() -> None:
    rng = random.Random(7)
    signals = [
        sig(
            i,
            2 + (i % 12),
            rng.choice(list(App)),
            rng.choice(list(ActivityKind)),
            hour=8 + i % 9,
            person=f"p-{i % 3}",
        )
        for i in range(120)
    ]

    def summary(awards: list[Award]) -> tuple[Any, ...]:
        per_day: dict[Any, int] = {}
        for a in awards:
            if a.kind == AwardKind.POINTS:
                per_day[(a.person, a.day)] = per_day.get((a.person, a.day), 0) + a.points
        held = sorted((a.person, a.kind, a.ref) for a in awards if a.kind != AwardKind.POINTS)
        return per_day, held

    clean = summary(run(sorted(signals, key=Signal.sort_key), batches=1))
    for seed in range(4):
        shuffled = list(signals)
        random.Random(seed).shuffle(shuffled)
        assert summary(run(shuffled, batches=1)) == clean
    # in-order batches: identical to one batch, row for row
    in_order = sorted(signals, key=Signal.sort_key)
    assert sorted(a.key for a in run(in_order, batches=10)) == sorted(a.key for a in run(in_order))


def test_tz_edge_signal_at_local_midnight_counts_on_its_org_day() -> None:
    # 23:30 UTC on 1 Nov is 00:30 on 2 Nov in Brussels: the event's date says 2 Nov.
    late = Signal(
        "x",
        "p-1",
        App.WORD,
        ActivityKind.PROMPT,
        date(2026, 11, 2),
        datetime(2026, 11, 1, 23, 30, tzinfo=UTC),
    )
    (award, *_) = score(RULES, 1, [late], {}, CAL, TZ)
    assert award.day == date(2026, 11, 2)


def test_state_carries_paid_points_across_batches() -> None:
    state = {"p-1": PersonState(paid_by_day={date(2026, 11, 2): 20})}
    (award, *_) = score(RULES, 1, [sig(1, 2)], state, CAL, TZ)
    assert award.points == 5
    assert state["p-1"].total == 25
    assert timedelta(0) == timedelta(0)
