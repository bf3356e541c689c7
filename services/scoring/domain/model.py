"""The values scoring reasons about: signals in, awards out, and a person's history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from shared.events import ActivityKind, App


@dataclass(frozen=True, slots=True)
class Signal:
    """One stored Copilot usage fact.

    ``at`` is when it happened (aware, UTC), or the start of its org-local day
    when the source only knows the date.
    """

    event_id: str
    person: str
    app: App
    kind: ActivityKind
    day: date
    at: datetime

    def sort_key(self) -> tuple[date, datetime, str]:
        return (self.day, self.at, self.event_id)


class AwardKind(StrEnum):
    POINTS = "points"
    BADGE = "badge"
    LEVEL = "level"
    CHALLENGE = "challenge"


@dataclass(frozen=True, slots=True)
class Award:
    """One ledger row to be: its ``key`` makes it happen at most once."""

    key: str
    kind: AwardKind
    rule: str
    version: int
    person: str
    day: date
    at: datetime
    points: int = 0
    event_id: str | None = None
    app: App | None = None
    ref: str | None = None  # badge id, level number, challenge id
    title: str | None = None
    note: str | None = None  # why it paid what it paid
    # A badge or level already held, reached earlier than recorded: its day moves back.
    redated: bool = False


_PROMPT = ActivityKind.PROMPT


def award_key(rule: str, version: int, scope: str) -> str:
    """The ledger's unique key: rule, rule-set version, and the event or period."""
    return f"{rule}|v{version}|{scope}"


@dataclass(slots=True)
class History:
    """Everything a person did, by activity date: the set badges and streaks derive from."""

    apps_by_day: dict[date, set[App]] = field(default_factory=dict)
    prompts_by_day: dict[date, int] = field(default_factory=dict)
    actions_by_day: dict[date, int] = field(default_factory=dict)
    first_use: dict[App, date] = field(default_factory=dict)

    def add(self, signal: Signal) -> None:
        self.add_many(signal.day, signal.app, signal.kind, 1)

    def add_many(self, day: date, app: App, kind: ActivityKind, count: int) -> None:
        apps = self.apps_by_day.get(day)
        if apps is None:
            self.apps_by_day[day] = {app}
        else:
            apps.add(app)
        actions = self.actions_by_day
        actions[day] = actions.get(day, 0) + count
        if kind == _PROMPT:
            prompts = self.prompts_by_day
            prompts[day] = prompts.get(day, 0) + count
        known = self.first_use.get(app)
        if known is None or day < known:
            self.first_use[app] = day

    @property
    def active_days(self) -> list[date]:
        return sorted(self.apps_by_day)

    def apps_between(self, start: date, end: date) -> set[App]:
        found: set[App] = set()
        for day, apps in self.apps_by_day.items():
            if start <= day <= end:
                found |= apps
        return found

    def days_between(self, start: date, end: date) -> int:
        return sum(1 for day in self.apps_by_day if start <= day <= end)
