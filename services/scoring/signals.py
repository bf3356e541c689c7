"""From bus events to the engine's values.

Activity batch messages are the bulk of what scoring reads. They are decoded
with msgspec into :class:`ActivityEvent`, the same fields as
``shared.events.CloudEvent[CopilotActivity]`` (unknown payload fields refused
alike), in a fraction of pydantic's time. msgspec is the stricter of the two
(for instance, it takes a date only as ``YYYY-MM-DD`` and a time only as
RFC 3339), so a message it refuses is read again by the pydantic contract,
which accepts what the contract accepts and names what is wrong with the rest.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

import msgspec

from services.scoring.domain.engine import day_start
from services.scoring.domain.model import Signal
from shared.events import ActivityKind, App, CloudEvent, CopilotActivity, SignalSource

ACTIVITY_TYPE = CopilotActivity.event_type


class ActivityData(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """``CopilotActivity``'s fields."""

    person: str
    app: App
    kind: ActivityKind
    date: date
    source: SignalSource
    occurred_at: datetime | None = None
    interaction_id: str | None = None


class ActivityEvent(msgspec.Struct, frozen=True):
    """``CloudEvent[CopilotActivity]``'s fields."""

    id: str
    source: str
    type: str
    time: datetime
    data: ActivityData
    specversion: Literal["1.0"] = "1.0"
    subject: str | None = None
    datacontenttype: Literal["application/json"] = "application/json"


Activity = CloudEvent[CopilotActivity] | ActivityEvent

_batch = msgspec.json.Decoder(list[ActivityEvent])


def read_activities(data: bytes) -> list[ActivityEvent] | None:
    """The events of an activity batch message, or None when msgspec cannot take all of them
    (the caller then reads it with the pydantic contract)."""
    try:
        events = _batch.decode(data)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None
    if any(event.type != ACTIVITY_TYPE for event in events):
        return None
    return events


def to_signal(event: Activity, tz: ZoneInfo) -> Signal:
    data = event.data
    if data.occurred_at is None:
        at = day_start(data.date, tz)
    else:
        moment = data.occurred_at
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        at = moment.astimezone(UTC)
    return Signal(event.id, data.person, data.app, data.kind, data.date, at)
