"""``python -m services.scoring rebuild``: boards come back exactly after Redis is flushed."""

from __future__ import annotations

from nats.js import JetStreamContext
from redis.asyncio import Redis

from services.scoring.bootstrap import rebuild
from services.scoring.scorer import Scorer
from shared.events import App
from shared.settings import ScoringSettings
from tests.integration.scoring.conftest import activity, drain, feed, person, snapshot_boards


async def test_rebuild_command_restores_boards(
    js: JetStreamContext,
    redis: Redis,
    scorer: Scorer,
    nats_url: str,
    redis_url: str,
    database_url: str,
) -> None:
    await feed(
        js,
        [
            person("p-a", "Red"),
            person("p-b", "Blue"),
            activity("p-a", 2, App.WORD),
            activity("p-b", 3, App.EXCEL),
            activity("p-b", 17, App.OUTLOOK),
        ],
    )
    await drain(js, scorer)
    before = await snapshot_boards(redis)
    assert len(before) > 10
    await redis.flushdb()
    settings = ScoringSettings(nats_url=nats_url, redis_url=redis_url, database_url=database_url)
    assert await rebuild(settings) == len(before)
    assert await snapshot_boards(redis) == before
