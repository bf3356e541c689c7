"""The signals a scenario streams: a directory and Copilot activity, the same for every run.

Events are built as ingest sends them (CloudEvents JSON batch messages, one
person's signals in a row) but encoded directly, so a million of them cost
seconds rather than the minutes pydantic would take; :func:`self_check` proves
the fast encoding equals the contract's.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import orjson

from shared import partitions
from shared.bus import EncodedEvent, batched
from shared.events import ActivityKind, App, CloudEvent, CopilotActivity, DirectoryPerson
from shared.ids import event_id

TZ = ZoneInfo("Europe/Brussels")
SOURCE = "uptake/faults"
APPS = (App.WORD, App.EXCEL, App.OUTLOOK, App.TEAMS, App.CHAT, App.POWERPOINT)
FIRST_DAY, LAST_DAY = 2, 27  # November 2026: a finished month, so no window moves meanwhile
BATCH_EVENTS = 50  # events per message: small enough that a kill lands mid-batch
OBSERVED = datetime(2026, 11, 1, 8, tzinfo=UTC)
STAMP = "2026-12-01T00:00:00+00:00"

# Titles that are no substring of one another: a received card is told apart by its
# title and the team in it (each person has a team of their own).
RULES = """
name: fault suite
language: en
points:
  per_kind: {active_day: 10, prompt: 3}
  per_app: {chat: {active_day: 5}}
  daily_cap: 40
calendar: {country: BE}
badges:
  - {type: first_use, id: word-opener, title: Word Opener, app: word}
  - {type: first_use, id: excel-opener, title: Excel Opener, app: excel}
  - {type: explorer, id: three-apps, title: Three Apps Tried, apps: 3}
  - {type: streak, id: three-days, title: Three Days Running, days: 3}
levels:
  - {level: 1, title: Rank Novice, points: 0}
  - {level: 2, title: Rank Adept, points: 80}
  - {level: 3, title: Rank Expert, points: 250}
"""


@dataclass(frozen=True)
class Workload:
    """``signals`` activity events over ``people`` people, from ``seed``."""

    people: int
    signals: int
    seed: int = 7

    def team_of(self, person: str) -> str:
        return "T" + person.removeprefix("p-")

    def person_ids(self) -> list[str]:
        return [f"p-{n:05d}" for n in range(self.people)]

    def directory(self) -> list[EncodedEvent]:
        """One directory fact per person, single-event messages as ingest's directory sends."""
        out = []
        for n, person in enumerate(self.person_ids()):
            data = DirectoryPerson(
                person=person,
                display_name=f"Person {n}",
                department=f"D{n % 5}",
                team=self.team_of(person),
                observed_at=OBSERVED,
            )
            event = CloudEvent.wrap(data, source=SOURCE, time=OBSERVED)
            out.append(EncodedEvent(data.nats_subject(), event.id, event.type, event.to_bytes()))
        return out

    def activity_events(self) -> Iterator[EncodedEvent]:
        """``signals`` activity events, a person's in a row, deterministic from the seed."""
        rng = random.Random(self.seed)
        people = self.person_ids()
        per_person, extra = divmod(self.signals, self.people)
        serial = 0
        for index, person in enumerate(people):
            for _ in range(per_person + (1 if index < extra else 0)):
                serial += 1
                day = date(2026, 11, rng.randint(FIRST_DAY, LAST_DAY))
                app = rng.choice(APPS)
                if rng.random() < 0.4:
                    yield activity(person, app, ActivityKind.ACTIVE_DAY, day, None, None)
                else:
                    at = datetime.combine(day, time(8 + rng.randrange(10), rng.randrange(60)), TZ)
                    yield activity(person, app, ActivityKind.PROMPT, day, f"i-{serial}", at)

    def messages(self) -> Iterator[EncodedEvent]:
        """The activity events packed in batch messages of :data:`BATCH_EVENTS`."""
        return batched(self.activity_events(), max_events=BATCH_EVENTS)


def activity(
    person: str,
    app: App,
    kind: ActivityKind,
    day: date,
    interaction: str | None,
    at: datetime | None,
) -> EncodedEvent:
    """A ``CloudEvent[CopilotActivity]`` as ``to_bytes`` writes it, without pydantic."""
    identity = event_id(CopilotActivity.event_type, person, app, kind, day, interaction)
    data: dict[str, object] = {"person": person, "app": str(app), "kind": str(kind)}
    data["date"] = day.isoformat()
    if at is not None:
        data["occurred_at"] = at.isoformat()
    source = "interaction_history" if interaction else "usage_report"
    data["source"] = source
    if interaction is not None:
        data["interaction_id"] = interaction
    body = orjson.dumps(
        {
            "specversion": "1.0",
            "id": identity,
            "source": SOURCE,
            "type": CopilotActivity.event_type,
            "time": STAMP,
            "subject": person,
            "datacontenttype": "application/json",
            "data": data,
        }
    )
    subject = partitions.subject_for(CopilotActivity.subject_name, person)
    return EncodedEvent(subject, identity, CopilotActivity.event_type, body)


def self_check(workload: Workload, sample: int = 200) -> None:
    """The fast encoding reads back as the contract's event with the contract's id."""
    envelope = CloudEvent[CopilotActivity]
    for count, encoded in enumerate(workload.activity_events()):
        if count >= sample:
            return
        event = envelope.model_validate_json(encoded.body)
        expected = event_id(event.type, *event.data.identity())
        if event.id != expected or encoded.id != expected:
            raise AssertionError(f"event {count}: id {event.id} is not the contract's {expected}")
