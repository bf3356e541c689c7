"""Badges and levels of a batch committed but never announced are told when its messages return."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncEngine

from services.scoring.domain.model import AwardKind
from services.scoring.scorer import Batch, Scorer
from shared.batches import decode
from shared.events import App, BadgeAwarded, CloudEvent, LevelReached
from tests.integration.scoring.conftest import activity, ledger_rows


@pytest.fixture
async def sub(js: JetStreamContext) -> AsyncIterator[JetStreamContext.PullSubscription]:
    """A pull subscription to every award event."""
    subscription = await js.pull_subscribe("awards.>", durable="t-retold", stream="AWARDS")
    yield subscription
    await subscription.unsubscribe()


async def told(sub: JetStreamContext.PullSubscription) -> list[Any]:
    """The award events published since the last call."""
    try:
        messages = await sub.fetch(100, timeout=1)
    except TimeoutError:
        return []
    for msg in messages:
        await msg.ack()
    return [e.data for m in messages for e in decode(m)[0]]


def held(events: list[Any]) -> list[tuple[str, str]]:
    return sorted(
        (e.person, e.ledger_key) for e in events if isinstance(e, BadgeAwarded | LevelReached)
    )


def signals() -> list[CloudEvent[Any]]:
    return [activity("p-1", day, app) for day in (2, 3, 4) for app in (App.WORD, App.EXCEL)] + [
        activity("p-2", 2)
    ]


async def test_a_redelivered_batch_tells_the_badges_its_first_delivery_did_not(
    sub: JetStreamContext.PullSubscription, engine: AsyncEngine, scorer: Scorer
) -> None:
    # The ledger transaction commits, and the process stops before settling.
    await scorer.stage(Batch(activities=[*signals()]))
    rows = await ledger_rows(engine)
    brought = sorted((r[2], r[0]) for r in rows if r[1] in (AwardKind.BADGE, AwardKind.LEVEL))
    assert brought  # first use, explorer and levels at least
    assert held(await told(sub)) == []

    # The same messages come back, delivered a second time.
    again = Batch(activities=[*signals()], redelivered={"p-1", "p-2"})
    outcome = await scorer.handle(again)
    assert outcome.new_signals == 0 and outcome.awards == []  # nothing pays twice
    assert held(await told(sub)) == brought
    assert await ledger_rows(engine) == rows


async def test_only_the_badges_of_the_redelivered_events_are_told_again(
    sub: JetStreamContext.PullSubscription, scorer: Scorer
) -> None:
    first = await scorer.handle(Batch(activities=[*signals()]))
    announced = held(await told(sub))
    assert announced == sorted(
        (a.person, a.key) for a in first.awards if a.kind in (AwardKind.BADGE, AwardKind.LEVEL)
    )

    # A message of p-2 only comes again: p-1's badges are not repeated.
    await scorer.handle(Batch(activities=[activity("p-2", 2)], redelivered={"p-2"}))
    repeated = held(await told(sub))
    assert repeated and [person for person, _ in repeated] == ["p-2"] * len(repeated)
    assert set(repeated) <= set(announced)

    # Delivered a second time or not, a batch of signals already told tells nothing new.
    await scorer.handle(Batch(activities=[activity("p-1", 2, App.WORD)]))
    assert held(await told(sub)) == []
