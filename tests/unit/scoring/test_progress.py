"""Usage tiers after Microsoft's segments, and the next goals a person sees."""

from __future__ import annotations

from datetime import date, timedelta

from services.scoring.domain.model import History
from services.scoring.domain.progress import StreakStatus, next_goals, tier_of
from services.scoring.rulebook import default_rules
from shared.events import ActivityKind, App

RULES = default_rules()
TODAY = date(2026, 11, 27)


def history(days: list[int], per_day: int = 1) -> History:
    """Activity ``days`` days ago, ``per_day`` prompts each."""
    h = History()
    for back in days:
        h.add_many(TODAY - timedelta(days=back), App.WORD, ActivityKind.PROMPT, per_day)
    return h


def test_tiers() -> None:
    every_week = [7 * w for w in range(12)]
    assert tier_of(history(every_week, per_day=20), RULES, TODAY).id == "power"
    assert tier_of(history(every_week, per_day=2), RULES, TODAY).id == "habitual"
    assert tier_of(history(every_week[:4], per_day=3), RULES, TODAY).id == "novice"
    assert tier_of(history([3]), RULES, TODAY).id == "low"
    none = tier_of(history([200]), RULES, TODAY)
    assert (none.id, none.title) == ("none", "Nog geen gebruiker")  # the rule set is in Dutch


def test_next_goals_nearest_first() -> None:
    h = History()
    for app in (App.WORD, App.EXCEL):
        h.add_many(TODAY, app, ActivityKind.ACTIVE_DAY, 1)
    streak = StreakStatus(current=4, best=4, last_active=TODAY, freezes_used=0)
    goals = next_goals(
        h, RULES, points=80, held={"first-word", "first-excel"}, streak=streak, today=TODAY
    )
    # 4 of 5 streak days and 80 of 100 points are equally close; badges sort first.
    assert [g.id for g in goals] == ["streak-5", "2", "explorer-3"]
    assert (goals[1].progress, goals[1].target) == (80, 100)
