"""Activity batches read by msgspec give what the pydantic contract gives, or are left to it."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import pytest
from nats.aio.msg import Msg
from pydantic import TypeAdapter, ValidationError

from services.scoring.consumer import parse_batch
from services.scoring.signals import ActivityEvent, read_activities, to_signal
from shared import subjects
from shared.bus import BATCH_CONTENT_TYPE, CONTENT_TYPE_HEADER
from shared.events import ActivityKind, App, CloudEvent, CopilotActivity, SignalSource

TZ = ZoneInfo("Europe/Brussels")
CONTRACT = TypeAdapter(list[CloudEvent[CopilotActivity]])


def varied_events() -> list[dict[str, Any]]:
    """Every app, kind and source; with and without a time (UTC, an offset, naive) and id."""
    moments = [
        None,
        datetime(2026, 3, 29, 0, 30, tzinfo=UTC),  # the night Brussels moves to summer time
        datetime(2026, 11, 2, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=2))),
        datetime(2026, 11, 2, 9, 15),  # naive: read as UTC
    ]
    out = []
    for n, (app, kind, source, moment) in enumerate(
        itertools.product(App, ActivityKind, SignalSource, moments)
    ):
        data = CopilotActivity(
            person=f"p-{n % 7}",
            app=app,
            kind=kind,
            date=date(2026, 3, 29) + timedelta(days=n % 3),
            occurred_at=moment,
            source=source,
            interaction_id=None if n % 2 else f"i-{n}",
        )
        sent = datetime(2026, 11, 27, tzinfo=UTC)
        event = CloudEvent.wrap(data, source="uptake/ingest", time=sent)
        out.append(event.model_dump(mode="json", exclude_none=True))
    return out


def batch_message(items: list[Any]) -> Msg:
    headers = {CONTENT_TYPE_HEADER: BATCH_CONTENT_TYPE, "ce-type": CopilotActivity.event_type}
    return Msg(None, subject=subjects.COPILOT_ACTIVITY, data=orjson.dumps(items), headers=headers)  # type: ignore[arg-type]


def test_msgspec_reads_what_the_contract_reads_with_equal_signals() -> None:
    items = varied_events()
    data = orjson.dumps(items)
    fast = read_activities(data)
    assert fast is not None
    contract = CONTRACT.validate_json(data)
    assert [to_signal(e, TZ) for e in fast] == [to_signal(e, TZ) for e in contract]
    assert [str(e.data.source) for e in fast] == [str(e.data.source) for e in contract]
    envelopes = [(e.id, e.type, e.subject, e.time) for e in contract]
    assert [(e.id, e.type, e.subject, e.time) for e in fast] == envelopes


def _changed(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    item = varied_events()[1]
    target = item
    for step in path[:-1]:
        target = target[step]
    if value is DROP:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return item


DROP = object()

# What the contract refuses: msgspec must refuse it too.
REFUSED = [
    (("data", "mood"), "happy"),  # an unknown payload field
    (("data", "app"), "Word"),
    (("data", "kind"), "chat"),
    (("data", "person"), DROP),
    (("data", "person"), 42),
    (("data", "date"), "2026-02-30"),
    (("data", "source"), "rumour"),
    (("data", "occurred_at"), "yesterday"),
    (("specversion",), "0.3"),
    (("datacontenttype",), "text/plain"),
    (("id",), DROP),
    (("time",), "later"),
]

# What the contract accepts and msgspec does not: the message falls back to the contract.
LAX = [
    (("data", "date"), "2026-03-29T00:00:00"),
    (("time",), 1_795_000_000),
]


@pytest.mark.parametrize(("path", "value"), REFUSED)
def test_what_the_contract_refuses_msgspec_refuses(path: tuple[str, ...], value: Any) -> None:
    data = orjson.dumps([_changed(path, value)])
    with pytest.raises(ValidationError):
        CONTRACT.validate_json(data)
    assert read_activities(data) is None
    good, bad = parse_batch(batch_message([varied_events()[0], _changed(path, value)]))
    assert len(good) == 1 and len(bad) == 1  # the bad one alone goes to the dead letters


@pytest.mark.parametrize(("path", "value"), LAX)
def test_what_only_the_contract_accepts_is_read_by_the_contract(
    path: tuple[str, ...], value: Any
) -> None:
    item = _changed(path, value)
    assert read_activities(orjson.dumps([item])) is None
    good, bad = parse_batch(batch_message([item]))
    assert bad == []
    assert [type(e) for e in good] == [CloudEvent[CopilotActivity]]


def test_an_event_of_another_type_on_the_activity_subject_is_not_taken() -> None:
    item = varied_events()[0] | {"type": "directory.person"}
    assert read_activities(orjson.dumps([item])) is None
    good, bad = parse_batch(batch_message([varied_events()[0], item]))
    assert len(good) == 1 and len(bad) == 1


def test_a_readable_batch_is_read_by_msgspec() -> None:
    good, bad = parse_batch(batch_message(varied_events()))
    assert bad == [] and all(isinstance(e, ActivityEvent) for e in good)
