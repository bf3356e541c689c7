"""Contracts in shared/: event ids, envelopes, pseudonyms, periods, board scores."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from shared.events import (
    ActivityKind,
    App,
    CloudEvent,
    CopilotActivity,
    DirectoryPerson,
    SignalSource,
    parse_event,
)
from shared.ids import pseudonym
from shared.leaderboards import decode_value, encode_score
from shared.periods import Window, local_date, period_key

BRUSSELS = ZoneInfo("Europe/Brussels")


def _activity(**overrides: object) -> CopilotActivity:
    fields: dict[str, object] = {
        "person": "p-1",
        "app": App.EXCEL,
        "kind": ActivityKind.ACTIVE_DAY,
        "date": date(2026, 11, 23),
        "source": SignalSource.USAGE_REPORT,
    }
    return CopilotActivity.model_validate(fields | overrides)


def test_same_fact_gets_same_id_whenever_it_is_wrapped() -> None:
    first = CloudEvent.wrap(_activity(), source="a", time=datetime(2026, 1, 1, tzinfo=UTC))
    again = CloudEvent.wrap(_activity(), source="b")
    assert first.id == again.id
    assert CloudEvent.wrap(_activity(app=App.WORD), source="a").id != first.id
    assert CloudEvent.wrap(_activity(date=date(2026, 11, 24)), source="a").id != first.id


def test_envelope_is_cloudevents_json_and_parses_back_typed() -> None:
    event = CloudEvent.wrap(_activity(), source="/uptake/ingest")
    raw = event.to_bytes()
    parsed = parse_event(raw)
    assert parsed.specversion == "1.0"
    assert parsed.type == "copilot.activity"
    assert parsed.subject == "p-1"
    assert isinstance(parsed.data, CopilotActivity)
    assert parsed.data == event.data


def test_unknown_type_and_bad_payload_are_refused() -> None:
    event = CloudEvent.wrap(_activity(), source="x").model_dump(mode="json")
    with pytest.raises(ValueError, match="unknown event type"):
        parse_event(event | {"type": "something.else"})
    with pytest.raises(ValueError):
        parse_event(event | {"data": event["data"] | {"app": "notepad"}})


def test_directory_event_round_trips() -> None:
    data = DirectoryPerson(person="p-2", department="Finance", team="Boekhouding")
    parsed = parse_event(CloudEvent.wrap(data, source="x").to_bytes())
    assert parsed.data == data


def test_pseudonym_is_keyed_stable_and_case_insensitive() -> None:
    oid = "254EFCD0-5094-4fc5-b2b3-1637629393e1"
    assert pseudonym(oid, "k1") == pseudonym(oid.lower(), "k1")
    assert pseudonym(oid, "k1") != pseudonym(oid, "k2")
    assert oid.lower() not in pseudonym(oid, "k1")


def test_local_date_crosses_midnight_in_brussels() -> None:
    late_utc = datetime(2026, 6, 30, 22, 30, tzinfo=UTC)  # 00:30 on 1 July in summer time
    assert local_date(late_utc, BRUSSELS) == date(2026, 7, 1)
    assert local_date(datetime(2026, 12, 31, 22, 30, tzinfo=UTC), BRUSSELS) == date(2026, 12, 31)


@pytest.mark.parametrize(
    ("window", "day", "key"),
    [
        (Window.DAY, date(2026, 11, 26), "2026-11-26"),
        (Window.WEEK, date(2026, 11, 26), "2026-W48"),
        (Window.WEEK, date(2027, 1, 1), "2026-W53"),
        (Window.MONTH, date(2026, 2, 3), "2026-02"),
        (Window.ALL, date(2026, 2, 3), "all"),
    ],
)
def test_period_keys(window: Window, day: date, key: str) -> None:
    assert period_key(window, day) == key


def test_scores_order_by_value_then_who_got_there_first() -> None:
    early = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    late = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    assert encode_score(120, early) > encode_score(120, late)
    assert encode_score(121, late) > encode_score(120, early)
    assert decode_value(encode_score(120, late)) == 120
    assert decode_value(encode_score(3.25, late)) == 3.25
