"""``copilot.activity`` CloudEvents serialised straight to bytes.

A backfill produces hundreds of thousands of facts; building and validating a
pydantic envelope per fact costs more than publishing it. The inputs here are
already typed (enums, dates), and a unit test holds the bytes equal to what
``CloudEvent.wrap(CopilotActivity(...))`` produces, so consumers see no difference.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any

import orjson

from shared import partitions
from shared.bus import EncodedEvent
from shared.events import (
    ActivityKind,
    App,
    CopilotActivity,
    DirectoryPerson,
    SignalSource,
    UnattributedActivity,
    UnattributedReason,
)
from shared.ids import event_id

SOURCE = "uptake/ingest"
TYPE = CopilotActivity.event_type
SUBJECT = CopilotActivity.subject_name


def activity_id(
    person: str, app: App, kind: ActivityKind, day: date, interaction_id: str | None = None
) -> str:
    """``shared.ids.event_id(TYPE, person, app, kind, day, interaction_id)``, spelled out:
    the generic version calls ``str()`` on each part, which is slow for enums."""
    text = f"{TYPE}\x1f{person}\x1f{app.value}\x1f{kind.value}\x1f{day.isoformat()}\x1f"
    if interaction_id is not None:
        text += interaction_id
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def encode_activity(
    *,
    person: str,
    app: App,
    kind: ActivityKind,
    day: date,
    source: SignalSource,
    time: str,
    occurred_at: datetime | None = None,
    interaction_id: str | None = None,
    fact_id: str | None = None,
) -> EncodedEvent:
    """``time`` is the envelope time, ISO 8601, shared by a batch."""
    data: dict[str, Any] = {"person": person, "app": app.value, "kind": kind.value, "date": day}
    if occurred_at is not None:
        data["occurred_at"] = occurred_at
    data["source"] = source.value
    if interaction_id is not None:
        data["interaction_id"] = interaction_id
    identifier = fact_id or activity_id(person, app, kind, day, interaction_id)
    return _activity_event(identifier, person, time, data)


APP_VALUES = {app: app.value for app in App}
PROMPT = ActivityKind.PROMPT.value
HISTORY = SignalSource.INTERACTION_HISTORY.value


def encode_prompt(
    *, person: str, app: App, day: date, occurred_at: datetime, interaction_id: str, time: str
) -> EncodedEvent:
    """``encode_activity`` for a prompt from the interaction history: the same bytes, with
    the enum values looked up once (a backfill encodes hundreds of thousands)."""
    app_value = APP_VALUES[app]
    day_text = day.isoformat()
    identifier = hashlib.sha256(
        f"{TYPE}\x1f{person}\x1f{app_value}\x1f{PROMPT}\x1f{day_text}\x1f{interaction_id}".encode()
    ).hexdigest()[:32]
    data = {
        "person": person,
        "app": app_value,
        "kind": PROMPT,
        "date": day_text,
        "occurred_at": occurred_at,
        "source": HISTORY,
        "interaction_id": interaction_id,
    }
    return _activity_event(identifier, person, time, data)


def _activity_event(identifier: str, person: str, time: str, data: dict[str, Any]) -> EncodedEvent:
    """The CloudEvents envelope of a ``copilot.activity`` fact, as the model would write it."""
    body = orjson.dumps(
        {
            "specversion": "1.0",
            "id": identifier,
            "source": SOURCE,
            "type": TYPE,
            "time": time,
            "subject": person,
            "datacontenttype": "application/json",
            "data": data,
        },
        option=orjson.OPT_UTC_Z,
    )
    return EncodedEvent(partitions.subject_for(SUBJECT, person), identifier, TYPE, body)


UNATTRIBUTED_TYPE = UnattributedActivity.event_type
UNATTRIBUTED_SUBJECT = UnattributedActivity.subject_name


def unattributed_id(report_identity: str, app: App, day: date, epoch: int) -> str:
    """``shared.ids.event_id`` of an :class:`UnattributedActivity`, spelled out."""
    text = (
        f"{UNATTRIBUTED_TYPE}\x1f{report_identity}\x1f{app.value}\x1f{day.isoformat()}\x1f{epoch}"
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def encode_unattributed(
    *,
    report_identity: str,
    reason: UnattributedReason,
    app: App,
    day: date,
    epoch: int,
    time: str,
    fact_id: str | None = None,
) -> EncodedEvent:
    """``CloudEvent.wrap(UnattributedActivity(...))`` as bytes (a concealed report is all
    unattributed rows); a unit test holds the two equal."""
    identifier = fact_id or unattributed_id(report_identity, app, day, epoch)
    body = orjson.dumps(
        {
            "specversion": "1.0",
            "id": identifier,
            "source": SOURCE,
            "type": UNATTRIBUTED_TYPE,
            "time": time,
            "subject": report_identity,
            "datacontenttype": "application/json",
            "data": {
                "report_identity": report_identity,
                "reason": reason.value,
                "app": app.value,
                "date": day,
                "epoch": epoch,
            },
        },
        option=orjson.OPT_UTC_Z,
    )
    return EncodedEvent(UNATTRIBUTED_SUBJECT, identifier, UNATTRIBUTED_TYPE, body)


PERSON_TYPE = DirectoryPerson.event_type
PERSON_SUBJECT = DirectoryPerson.subject_name
OPTIONAL_PERSON_FIELDS = ("display_name", "department", "team", "job_title", "office_location")


def encode_person(
    *,
    person: str,
    display_name: str | None,
    department: str | None,
    team: str | None,
    job_title: str | None,
    office_location: str | None,
    licensed: bool,
    removed: bool,
    time: str,
    observed_at: datetime,
) -> EncodedEvent:
    """``CloudEvent.wrap(DirectoryPerson(...))`` as bytes, without building the models (a
    full directory sync publishes one per person); a unit test holds the two equal."""
    identifier = event_id(PERSON_TYPE, person, display_name, department, team, licensed, removed)
    data: dict[str, Any] = {"person": person}
    for name, value in zip(
        OPTIONAL_PERSON_FIELDS,
        (display_name, department, team, job_title, office_location),
        strict=True,
    ):
        if value is not None:
            data[name] = value
    data["licensed"] = licensed
    data["removed"] = removed
    data["observed_at"] = observed_at
    body = orjson.dumps(
        {
            "specversion": "1.0",
            "id": identifier,
            "source": SOURCE,
            "type": PERSON_TYPE,
            "time": time,
            "subject": person,
            "datacontenttype": "application/json",
            "data": data,
        },
        option=orjson.OPT_UTC_Z,
    )
    return EncodedEvent(
        partitions.subject_for(PERSON_SUBJECT, person), identifier, PERSON_TYPE, body
    )
