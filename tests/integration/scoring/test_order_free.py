"""The real consumer gives the same ledger and boards for the same facts, whatever their order.

Random sets of facts go through NATS JetStream, the scoring consumer, SQL and
Redis twice: once in activity order in one go, once shuffled, repeated under
other message ids (so JetStream's de-duplication cannot help) and split into
deliveries that arrive one after another, as late data does. Both ledgers must
hold the same rows, badges and levels dated alike, and the boards must be equal;
the badges and levels must also be those the domain gives for the whole set.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nats.js import JetStreamContext
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from services.scoring.consumer import ConsumerSettings
from services.scoring.domain.calendar import WorkCalendar
from services.scoring.domain.engine import PersonState, score
from services.scoring.domain.model import AwardKind, Signal
from services.scoring.domain.rules import parse_rules
from services.scoring.rulebook import Rulebook
from services.scoring.scorer import Scorer
from services.scoring.signals import to_signal
from shared.events import ActivityKind, App, CloudEvent, CopilotActivity
from tests.integration.scoring.conftest import (
    RULES,
    TZ,
    activity,
    drain,
    ledger_rows,
    person,
    publish_as,
    reset,
    snapshot_boards,
)

PEOPLE = {"p-0": "Red", "p-1": "Red", "p-2": "Blue", "p-3": "Blue"}
DIRECTORY = [person(pid, team) for pid, team in PEOPLE.items()]
SETTINGS = ConsumerSettings(batch_size=15, fetch_timeout=0.2)

fact = st.builds(
    lambda who, day, app, prompt, hour: (
        activity(who, day, app, ActivityKind.PROMPT, f"i-{who}-{day}-{app}-{hour}", hour=hour)
        if prompt
        else activity(who, day, app)
    ),
    who=st.sampled_from(sorted(PEOPLE)),
    day=st.integers(2, 27),
    app=st.sampled_from([App.WORD, App.EXCEL, App.TEAMS, App.OUTLOOK, App.CHAT]),
    prompt=st.booleans(),
    hour=st.integers(7, 19),
)


def in_activity_order(events: list[CloudEvent[CopilotActivity]]) -> list[CloudEvent[Any]]:
    return sorted(events, key=lambda e: to_signal(e, TZ).sort_key())


async def fresh_start(engine: AsyncEngine, redis: Redis, js: JetStreamContext) -> Scorer:
    """Nothing stored, nothing on the boards, and a scoring service that just started."""
    await reset(engine, redis, js)
    return Scorer(engine, redis, js, TZ, Rulebook())


def outcome(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    """Every key; badges and levels with their day; points per person and day."""
    per_day: dict[tuple[str, date], int] = defaultdict(int)
    held = {}
    for key, kind, who, day, points, ref, _version in rows:
        if kind == AwardKind.POINTS:
            per_day[(who, day)] += points
        else:
            held[key] = (who, kind, ref, day)
    return {"keys": sorted(r[0] for r in rows), "held": held, "per_day": dict(per_day)}


def domain_held(events: list[CloudEvent[CopilotActivity]]) -> dict[str, tuple[Any, ...]]:
    """The badges and levels the domain gives for the whole set, scored at once."""
    rules = parse_rules(RULES)
    signals = sorted({e.id: to_signal(e, TZ) for e in events}.values(), key=Signal.sort_key)
    states: dict[str, PersonState] = {}
    awards = score(rules, 1, signals, states, WorkCalendar(rules.calendar), TZ)
    return {
        a.key: (a.person, a.kind.value, a.ref, a.day) for a in awards if a.kind != AwardKind.POINTS
    }


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    facts=st.lists(fact, min_size=1, max_size=60, unique_by=lambda e: e.id),
    seed=st.integers(0, 2**32 - 1),
    deliveries=st.integers(1, 5),
    repeats=st.floats(0, 0.5),
)
async def test_the_same_facts_in_any_order_give_the_same_ledger_and_boards(
    js: JetStreamContext,
    redis: Redis,
    engine: AsyncEngine,
    scorer: Scorer,  # publishes the rules
    facts: list[CloudEvent[CopilotActivity]],
    seed: int,
    deliveries: int,
    repeats: float,
) -> None:
    run = uuid.uuid4().hex  # message ids of this example's own: earlier ones are still known
    scorer = await fresh_start(engine, redis, js)
    await publish_as(js, [*DIRECTORY, *in_activity_order(facts)], f"{run}-ordered")
    await drain(js, scorer, SETTINGS)
    ordered = outcome(await ledger_rows(engine))
    ordered_boards = await snapshot_boards(redis)
    assert {k: v for k, v in ordered["held"].items()} == domain_held(facts)

    scorer = await fresh_start(engine, redis, js)
    rng = random.Random(seed)
    arrival = [*facts, *(e for e in facts if rng.random() < repeats)]
    rng.shuffle(arrival)
    await publish_as(js, DIRECTORY, f"{run}-directory")
    size = -(-len(arrival) // deliveries)
    for number, start in enumerate(range(0, len(arrival), size)):
        await publish_as(js, arrival[start : start + size], f"{run}-{number}")
        await drain(js, scorer, SETTINGS)

    assert outcome(await ledger_rows(engine)) == ordered
    assert await snapshot_boards(redis) == ordered_boards
