"""Rule sets: the default validates, bad documents name the path and the problem."""

from __future__ import annotations

import pytest

from services.scoring.admin import validate
from services.scoring.domain.rules import RuleSetError, parse_rules
from services.scoring.rulebook import default_rules
from shared.events import ActivityKind, App


def test_default_rules_are_valid_and_cap_points() -> None:
    rules = default_rules()
    assert rules.points.daily_cap == 60
    assert rules.points.base(App.CHAT, ActivityKind.ACTIVE_DAY) == 5
    assert rules.points.base(App.WORD, ActivityKind.ACTIVE_DAY) == 10
    assert {b.type for b in rules.badges} == {
        "first_use",
        "explorer",
        "streak",
        "habit",
        "milestone",
    }


def test_field_errors_name_their_path() -> None:
    text = """
points: {daily_cap: 0}
badges:
  - {type: streak, id: s5, title: Streak, days: 0}
  - {type: explorer, id: e, title: E, apps: 3, colour: red}
"""
    with pytest.raises(RuleSetError) as caught:
        parse_rules(text)
    paths = {p.path for p in caught.value.problems}
    assert paths == {"points.daily_cap", "badges.0.days", "badges.1.colour"}


def test_cross_checks_name_their_path() -> None:
    text = """
levels: [{level: 1, title: A, points: 10}, {level: 1, title: B, points: 20}]
seasons:
  - {id: a, title: A, start: 2026-01-01, end: 2026-06-30}
  - {id: b, title: B, start: 2026-06-01, end: 2026-12-31}
"""
    result = validate(text)
    assert not result.ok
    messages = {str(p) for p in result.problems}
    assert "levels.1.level: duplicate level 1" in messages
    assert "levels: one level must start at 0 points" in messages
    assert "seasons: 'a' and 'b' overlap" in messages


def test_dates_and_yaml_syntax() -> None:
    bad_range = validate("bonuses: [{id: b, title: B, start: 2026-02-01, end: 2026-01-01}]")
    assert [p.path for p in bad_range.problems] == ["bonuses.0"]
    assert "end must not be before start" in bad_range.problems[0].message
    broken = validate("points: {daily_cap: [")
    assert not broken.ok and broken.problems[0].path.startswith("line ")
    assert validate("- a list").problems[0].message == "a rule set must be a mapping"


def test_no_code_in_rules() -> None:
    # YAML tags that would build Python objects are refused by the safe loader.
    result = validate("name: !!python/object/apply:os.system ['true']")
    assert not result.ok
