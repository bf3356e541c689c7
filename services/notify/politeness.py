"""When the organisation wants to hear from us: no evenings, nights or weekends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class QuietHours:
    tz: ZoneInfo
    start: time  # evening: from here on, hold posts
    end: time  # morning: posts flow again
    weekends: bool = True

    @classmethod
    def parse(cls, tz: ZoneInfo, start: str, end: str, weekends: bool) -> QuietHours:
        return cls(tz, time.fromisoformat(start), time.fromisoformat(end), weekends)

    def _closed_day(self, moment: datetime) -> bool:
        return self.weekends and moment.weekday() >= 5

    def allows(self, now: datetime) -> bool:
        local = now.astimezone(self.tz)
        if self._closed_day(local):
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
        while self.weekends and day.weekday() >= 5:
            day += timedelta(days=1)
        return datetime.combine(day, self.end, tzinfo=self.tz).astimezone(UTC)

    def day_start(self, now: datetime) -> datetime:
        """Local midnight of ``now``'s day, for per-day limits (aware, UTC)."""
        local = now.astimezone(self.tz)
        return datetime.combine(local.date(), time(0), tzinfo=self.tz).astimezone(UTC)
