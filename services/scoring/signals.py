"""From bus events to the engine's values."""

from __future__ import annotations

from datetime import UTC
from zoneinfo import ZoneInfo

from services.scoring.domain.engine import day_start
from services.scoring.domain.model import Signal
from shared.events import CloudEvent, CopilotActivity


def to_signal(event: CloudEvent[CopilotActivity], tz: ZoneInfo) -> Signal:
    data = event.data
    if data.occurred_at is None:
        at = day_start(data.date, tz)
    else:
        moment = data.occurred_at
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        at = moment.astimezone(UTC)
    return Signal(event.id, data.person, data.app, data.kind, data.date, at)
