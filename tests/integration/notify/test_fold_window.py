"""A backfill spread over several intake batches: one digest per channel per fold window.

Through the real consumer (NATS JetStream) into the outbox, and the arrival-pattern
property on the real SQL stores (SQLite, and PostgreSQL with TEST_DATABASE_URL).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
from hypothesis import HealthCheck, given, settings
from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncEngine

from services.notify.channels import Channel
from services.notify.consumer import AwardConsumer
from services.notify.models import Status
from shared.bus import publish_many
from shared.settings import NotifySettings
from tests.integration.notify.awards import badge
from tests.integration.notify.conftest import Sandbox
from tests.integration.notify.harness import Harness
from tests.unit.notify.arrivals import Pattern, check, patterns, reset, run

BRUSSELS = ZoneInfo("Europe/Brussels")
BATCHES = 4
PER_BATCH = 300


async def test_a_backfill_arriving_in_batches_over_seconds_posts_one_digest(
    js: JetStreamContext,
    engine: AsyncEngine,
    sandbox: Sandbox,
    notify_settings: Callable[..., NotifySettings],
) -> None:
    # As in production: a card waits three seconds, more than eight due become a digest.
    settings = notify_settings(notify_burst_threshold=8, notify_settle_seconds=3.0)
    office = Channel(name="office", type="teams", url=sandbox.webhook, language="en")
    async with httpx.AsyncClient() as http:
        h = Harness(
            engine, settings, [office], http, now=datetime(2026, 11, 25, 10, 0, tzinfo=BRUSSELS)
        )
        consumer = AwardConsumer(js, h.take, batch_size=PER_BATCH)
        sub = await js.pull_subscribe(
            "awards.*", durable="notify-fold", stream="AWARDS", config=consumer.config
        )
        # Scoring announces a backfill batch by batch, about one a second; the
        # dispatcher goes round every second meanwhile.
        for number in range(BATCHES):
            batch = [
                badge(f"p-{number}-{i}", "Explorer", team=f"Team {i % 4}") for i in range(PER_BATCH)
            ]
            await publish_many(js, batch)
            taken = (number + 1) * PER_BATCH
            while len(await h.outbox()) < taken:
                await consumer.handle(await sub.fetch(PER_BATCH, timeout=5))
            await h.dispatcher.tick()
            h.clock.advance(seconds=1)
        await sub.unsubscribe()
        for _ in range(30):
            await h.dispatcher.tick()
            h.clock.advance(seconds=1)
        h.clock.advance(hours=1)
        await h.dispatcher.tick()
        await h.dispatcher.tick()
        rows = await h.outbox()
    posts = await sandbox.posts()
    assert len(posts) == 1, [p["card"]["body"][0]["text"] for p in posts]
    assert str(BATCHES * PER_BATCH) in posts[0]["card"]["body"][0]["text"]
    [digest] = [r for r in rows if r.kind == "burst"]
    assert digest.status == Status.SENT
    assert all(r.folded_into == digest.key for r in rows if r.kind == "badge")


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(pattern=patterns)
async def test_any_arrival_pattern_on_the_real_store(engine: AsyncEngine, pattern: Pattern) -> None:
    await reset(engine)
    check(await run(engine, pattern))
