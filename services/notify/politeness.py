"""When the organisation wants to hear from us: no evenings, nights or weekends."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays as public_holidays


@dataclass(frozen=True)
class QuietHours:
    tz: ZoneInfo
    start: time  # evening: from here on, hold posts
    end: time  # morning: posts flow again
    weekends: bool = True
    holidays: Container[date] = field(default_factory=frozenset)

    @classmethod
    def parse(
        cls, tz: ZoneInfo, start: str, end: str, weekends: bool, country: str | None = None
    ) -> QuietHours:
        closed: Container[date] = (
            public_holidays.country_holidays(country) if country else frozenset()
        )
        return cls(tz, time.fromisoformat(start), time.fromisoformat(end), weekends, closed)

    def _closed_day(self, day: date) -> bool:
        return (self.weekends and day.weekday() >= 5) or day in self.holidays

    def allows(self, now: datetime) -> bool:
        local = now.astimezone(self.tz)
        if self._closed_day(local.date()):
            return False
        if self.start == self.end:  # no quiet hours configured
            return True
        return self.end <= local.time() < self.start

    def next_open(self, now: datetime) -> datetime:
        """The first moment at or after ``now`` when posting is allowed (aware, UTC)."""
        if self.allows(now):
            return now.astimezone(UTC)
        local = now.astimezone(self.tz)
        day = local.date() if local.time() < self.end else local.date() + timedelta(days=1)
        for _ in range(30):  # a long holiday season still ends
            if not self._closed_day(day):
                break
            day += timedelta(days=1)
        return datetime.combine(day, self.end, tzinfo=self.tz).astimezone(UTC)

    def day_start(self, now: datetime) -> datetime:
        """Local midnight of ``now``'s day, for per-day limits (aware, UTC)."""
        local = now.astimezone(self.tz)
        return datetime.combine(local.date(), time(0), tzinfo=self.tz).astimezone(UTC)
