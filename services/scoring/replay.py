"""Replaying stored signals under a rule set: the whole ledger a version would have written."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from services.scoring.domain.calendar import WorkCalendar
from services.scoring.domain.engine import PersonState, score
from services.scoring.domain.model import Award, Signal
from services.scoring.domain.rules import RuleSet


def replay(signals: Sequence[Signal], rules: RuleSet, version: int, tz: ZoneInfo) -> list[Award]:
    """Score every signal from scratch, in activity order, as one batch."""
    states: dict[str, PersonState] = {}
    ordered = sorted(signals, key=Signal.sort_key)
    return score(rules, version, ordered, states, WorkCalendar(rules.calendar), tz)
