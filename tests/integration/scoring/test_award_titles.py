"""Award events carry the rule set's titles in every language it gives; the ledger keeps one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from nats.js import JetStreamContext
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.scoring import admin
from services.scoring.rulebook import Rulebook
from services.scoring.scorer import Batch, Scorer
from shared.batches import decode
from shared.events import App, BadgeAwarded, CloudEvent, LevelReached
from tests.integration.scoring.conftest import RULES, TZ, activity

FIRST_WORD = {"nl": "Eerste Word", "en": "First Word", "fr": "Premier Word"}
LEVEL_TWO = {"nl": "Twee", "fr": "Deux"}
TRANSLATED = (
    RULES.replace(
        "{type: first_use, id: first-word, title: First Word, app: word}",
        "{type: first_use, id: first-word, app: word,"
        " title: {nl: Eerste Word, en: First Word, fr: Premier Word}}",
    ).replace(
        "{level: 2, title: Two, points: 50}", "{level: 2, points: 50, title: {nl: Twee, fr: Deux}}"
    )
    + "language: nl\n"
)


@pytest.fixture
async def scorer(engine: AsyncEngine, redis: Redis, js: JetStreamContext) -> Scorer:
    await admin.publish(engine, js, TRANSLATED, TZ, by="test")
    return Scorer(engine, redis, js, TZ, Rulebook())


@pytest.fixture
async def sub(js: JetStreamContext) -> AsyncIterator[JetStreamContext.PullSubscription]:
    subscription = await js.pull_subscribe("awards.>", durable="t-titles", stream="AWARDS")
    yield subscription
    await subscription.unsubscribe()


async def told(sub: JetStreamContext.PullSubscription) -> dict[str, Any]:
    try:
        messages = await sub.fetch(100, timeout=1)
    except TimeoutError:
        return {}
    for msg in messages:
        await msg.ack()
    events = [e.data for m in messages for e in decode(m)[0]]
    return {
        e.badge if isinstance(e, BadgeAwarded) else f"level-{e.level}": e
        for e in events
        if isinstance(e, BadgeAwarded | LevelReached)
    }


def signals() -> list[CloudEvent[Any]]:
    return [activity("p-1", day, app) for day in (2, 3, 4) for app in (App.WORD, App.EXCEL)]


async def test_badges_and_levels_are_told_in_every_language_and_again_after_a_redelivery(
    sub: JetStreamContext.PullSubscription, engine: AsyncEngine, scorer: Scorer
) -> None:
    await scorer.handle(Batch(activities=[*signals()]))
    first = await told(sub)
    async with engine.connect() as conn:
        stored: dict[str, str] = dict(
            (
                await conn.execute(
                    text("SELECT ref, title FROM scoring_ledger WHERE kind IN ('badge', 'level')")
                )
            ).all()
        )

    badge, level = first["first-word"], first["level-2"]
    assert (badge.title, badge.titles) == ("Eerste Word", FIRST_WORD)
    assert (level.title, level.title_in("fr"), level.title_in("en")) == ("Twee", "Deux", "Twee")
    assert first["streak-3"].titles == {}  # a plain string: one language only
    assert stored["first-word"] == "Eerste Word" and stored["2"] == "Twee"

    # Committed, then delivered again: told again from the ledger, titles and all.
    await scorer.stage(Batch(activities=[activity("p-2", 2), activity("p-2", 3, App.EXCEL)]))
    assert await told(sub) == {}
    again = Batch(
        activities=[activity("p-2", 2), activity("p-2", 3, App.EXCEL)], redelivered={"p-2"}
    )
    await scorer.handle(again)
    retold = await told(sub)
    assert retold["first-word"].titles == FIRST_WORD
