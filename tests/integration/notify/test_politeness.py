"""Quiet hours, weekends, daily limits and bursts, with a moved clock and a real sandbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
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

BRUSSELS = ZoneInfo("Europe/Brussels")


def office(sandbox: Sandbox, **extra: object) -> Channel:
    return Channel.model_validate(
        {"name": "office", "type": "teams", "url": sandbox.webhook, "language": "en"} | extra
    )


async def test_quiet_hours_and_weekends_hold_posts_until_monday_morning(
    engine: AsyncEngine, sandbox: Sandbox, notify_settings: Callable[..., NotifySettings]
) -> None:
    settings = notify_settings(
        notify_quiet_start="19:00", notify_quiet_end="08:30", notify_quiet_weekends=True
    )
    async with httpx.AsyncClient() as http:
        friday_evening = datetime(2026, 11, 27, 21, 0, tzinfo=BRUSSELS)
        h = Harness(engine, settings, [office(sandbox)], http, now=friday_evening)
        await h.take([badge("p-1", "Night owl")])
        assert await h.dispatcher.tick() == 0
        h.clock.now = datetime(2026, 11, 28, 11, 0, tzinfo=BRUSSELS)  # Saturday
        assert await h.dispatcher.tick() == 0
        h.clock.now = datetime(2026, 11, 30, 8, 0, tzinfo=BRUSSELS)  # Monday, before 8:30
        assert await h.dispatcher.tick() == 0
        assert await sandbox.posts() == []
        h.clock.now = datetime(2026, 11, 30, 8, 31, tzinfo=BRUSSELS)
        assert await h.dispatcher.tick() == 1
    [post] = await sandbox.posts()
    assert "Night owl" in post["card"]["body"][0]["text"]


async def test_daily_limit_per_channel_holds_the_rest_for_the_next_day(
    engine: AsyncEngine, sandbox: Sandbox, notify_settings: Callable[..., NotifySettings]
) -> None:
    settings = notify_settings(notify_burst_threshold=100)
    async with httpx.AsyncClient() as http:
        wednesday = datetime(2026, 11, 25, 10, 0, tzinfo=BRUSSELS)
        h = Harness(engine, settings, [office(sandbox, daily_limit=3)], http, now=wednesday)
        await h.take([badge(f"p-{i}", f"Badge {i}") for i in range(5)])
        assert await h.dispatcher.tick() == 3
        assert await h.dispatcher.tick() == 0
        h.clock.now = datetime(2026, 11, 26, 9, 0, tzinfo=BRUSSELS)
        assert await h.dispatcher.tick() == 2
    assert len(await sandbox.posts()) == 5


async def test_a_backfill_burst_becomes_one_digest_card(
    js: JetStreamContext,
    engine: AsyncEngine,
    sandbox: Sandbox,
    notify_settings: Callable[..., NotifySettings],
) -> None:
    settings = notify_settings(notify_burst_threshold=8)
    events = [
        badge(f"p-{i}", "Explorer" if i % 3 else "Early bird", team=f"Team {i % 4}")
        for i in range(1200)
    ]
    await publish_many(js, events)
    async with httpx.AsyncClient() as http:
        h = Harness(
            engine,
            settings,
            [office(sandbox)],
            http,
            now=datetime(2026, 11, 25, 10, 0, tzinfo=BRUSSELS),
        )
        consumer = AwardConsumer(js, h.take, batch_size=500)
        sub = await js.pull_subscribe(
            "awards.*", durable="notify-test", stream="AWARDS", config=consumer.config
        )
        while len(await h.outbox()) < 1200:
            await consumer.handle(await sub.fetch(500, timeout=5))
        await sub.unsubscribe()
        assert await h.dispatcher.tick() == 0  # folded; the digest waits for its window
        h.clock.advance(seconds=settings.notify_fold_seconds)
        assert await h.dispatcher.tick() == 1
        assert await h.dispatcher.tick() == 0
    [post] = await sandbox.posts()
    card = post["card"]
    assert "1200" in card["body"][0]["text"]
    facts = {
        f["title"]: f["value"] for b in card["body"] if b["type"] == "FactSet" for f in b["facts"]
    }
    assert facts["Explorer"] == "800" and facts["Early bird"] == "400"
    rows = await h.outbox()
    assert sum(r.status == Status.FOLDED for r in rows) == 1200
    assert [r.kind for r in rows if r.status == Status.SENT] == ["burst"]
