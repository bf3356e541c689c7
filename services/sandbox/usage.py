"""Rows of the Copilot usage user detail report, computed slice by slice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from services.sandbox.adoption import APPS, ActivityModel, Ints
from services.sandbox.organisation import Organisation, Person

PERIOD_DAYS = {"D7": 7, "D28": 28, "D30": 30, "D90": 90, "D180": 180}
V1_PERIODS = ("D7", "D30", "D90", "D180", "ALL")
V2_PERIODS = ("D7", "D28", "D30", "D90", "D180", "ALL")
CHUNK = 2048


@dataclass(frozen=True)
class UsageRow:
    person: Person
    refresh: dt.date
    period_days: int
    last: dict[str, dt.date | None]  # per app in APPS
    active_days: int = 0  # days with any activity within the period (v2)
    prompts: int = 0  # prompts within the period (v2)
    malformed: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def last_any(self) -> dt.date | None:
        dates = [d for d in self.last.values() if d is not None]
        return max(dates) if dates else None


class UsageReport:
    """The report as Graph would produce it on a given refresh date."""

    def __init__(self, org: Organisation, model: ActivityModel) -> None:
        self.org = org
        self.model = model
        self._eligible: dict[dt.date, Ints] = {}

    def eligible(self, refresh: dt.date) -> Ints:
        """Licensed people present on the refresh date, in a stable order."""
        if refresh not in self._eligible:
            picked = [p.index for p in self.org.people if p.licensed and p.present_on(refresh)]
            self._eligible = {refresh: np.array(picked, dtype=np.int64)}
        return self._eligible[refresh]

    def count(self, refresh: dt.date) -> int:
        return len(self.eligible(refresh))

    def period_days(self, period: str, refresh: dt.date) -> int:
        return PERIOD_DAYS.get(period, (refresh - self.org.history_start).days + 1)

    def rows(
        self,
        refresh: dt.date,
        period: str,
        start: int = 0,
        stop: int | None = None,
        with_counts: bool = False,
    ) -> Iterator[list[UsageRow]]:
        """Rows ``start:stop`` of the report, yielded in vectorised chunks."""
        people = self.eligible(refresh)[start:stop]
        period_days = self.period_days(period, refresh)
        history = (refresh - self.org.history_start).days + 1
        day_of: list[dt.date | None] = [
            self.org.history_start + dt.timedelta(days=d) for d in range(history)
        ]
        day_of.append(None)  # index -1: no activity
        window = max(0, history - period_days)
        for offset in range(0, len(people), CHUNK):
            chunk = people[offset : offset + CHUNK]
            block = self.model.block(chunk, self.org.history_start, history)
            seen = block.visible(refresh)
            last = history - 1 - np.argmax(seen[:, ::-1, :], axis=1)
            last = np.where(seen.any(axis=1), last, -1).tolist()
            active_days: list[int] = [0] * len(chunk)
            prompts: list[int] = active_days
            if with_counts:
                active_days = seen[:, window:, :].any(axis=2).sum(axis=1).tolist()
                counts = self.model.prompt_counts(block, chunk) * seen
                prompts = counts[:, window:, :].sum(axis=(1, 2)).tolist()
            people_list = self.org.people
            yield [
                UsageRow(
                    person=people_list[index],
                    refresh=refresh,
                    period_days=period_days,
                    last=dict(zip(APPS, [day_of[d] for d in last[k]], strict=True)),
                    active_days=active_days[k],
                    prompts=prompts[k],
                )
                for k, index in enumerate(chunk.tolist())
            ]

    def daily_active(self, refresh: dt.date, days: int) -> tuple[dt.date, Ints, Ints]:
        """Per day (last ``days`` up to refresh): active users per app and any app."""
        start = refresh - dt.timedelta(days=days - 1)
        people = self.eligible(refresh)
        per_app = np.zeros((days, len(APPS)), dtype=np.int64)
        any_app = np.zeros(days, dtype=np.int64)
        for offset in range(0, len(people), CHUNK):
            chunk = people[offset : offset + CHUNK]
            seen = self.model.block(chunk, start, days).visible(refresh)
            per_app += seen.sum(axis=0)
            any_app += seen.any(axis=2).sum(axis=0)
        return start, per_app, any_app
