"""Throttling, failures and dead letters against the sandbox's real HTTP endpoints."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
import pytest
from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncEngine

from services.notify.__main__ import command_line
from services.notify.admin import admin
from services.notify.channels import Channel
from services.notify.consumer import AwardConsumer
from services.notify.deadletters import list_dead, replay
from services.notify.models import Status
from shared.settings import NotifySettings
from tests.integration.notify.awards import badge
from tests.integration.notify.conftest import Sandbox, eventually
from tests.integration.notify.harness import Harness


def office(sandbox: Sandbox) -> Channel:
    return Channel.model_validate(
        {"name": "office", "type": "teams", "url": sandbox.webhook, "language": "nl"}
    )


async def test_429_waits_for_retry_after_and_then_posts_once(
    engine: AsyncEngine, sandbox: Sandbox, notify_settings: Callable[..., NotifySettings]
) -> None:
    await sandbox.fault(target="teams", status=429, retry_after=1)
    async with httpx.AsyncClient() as http:
        h = Harness(engine, notify_settings(), [office(sandbox)], http)
        await h.take([badge("p-1", "Verkenner")])
        assert await h.dispatcher.tick() == 0
        [entry] = await h.outbox()
        assert entry.status == Status.PENDING and entry.attempts == 1
        assert "429" in (entry.last_error or "")
        assert await h.dispatcher.tick() == 0  # still inside Retry-After: nothing is sent
        h.clock.advance(seconds=1.01)
        assert await h.dispatcher.tick() == 1
    attempts = (await sandbox.state())["attempts"]
    assert [a["status"] for a in attempts] == [429, 202]
    first, second = (datetime.fromisoformat(a["at"]) for a in attempts)
    assert second > first
    [post] = await sandbox.posts()
    assert "Verkenner" in post["card"]["body"][0]["text"]
    assert post["card"]["lang"] == "nl"


async def test_server_errors_back_off_and_retry(
    engine: AsyncEngine, sandbox: Sandbox, notify_settings: Callable[..., NotifySettings]
) -> None:
    await sandbox.fault(target="teams", status=503, count=2)
    async with httpx.AsyncClient() as http:
        h = Harness(engine, notify_settings(), [office(sandbox)], http)
        await h.take([badge("p-1", "Explorer")])
        for _ in range(2):
            assert await h.dispatcher.tick() == 0
            [entry] = await h.outbox()
            assert entry.not_before > h.clock()
            h.clock.now = entry.not_before
        assert await h.dispatcher.tick() == 1
    assert [a["status"] for a in (await sandbox.state())["attempts"]] == [503, 503, 202]


async def test_network_errors_are_retried_not_dropped(
    engine: AsyncEngine, sandbox: Sandbox, notify_settings: Callable[..., NotifySettings]
) -> None:
    dead_port = Channel.model_validate(
        {"name": "office", "type": "teams", "url": "http://127.0.0.1:9/workflows/x?sig=abc"}
    )
    async with httpx.AsyncClient() as http:
        h = Harness(engine, notify_settings(), [dead_port], http)
        await h.take([badge("p-1", "Explorer")])
        assert await h.dispatcher.tick() == 0
    [entry] = await h.outbox()
    assert entry.status == Status.PENDING and (entry.last_error or "").startswith("network")
    assert "sig=" not in (entry.last_error or "")


async def test_permanent_4xx_goes_to_the_dead_letter_list_and_can_be_replayed(
    engine: AsyncEngine,
    sandbox: Sandbox,
    notify_settings: Callable[..., NotifySettings],
) -> None:
    await sandbox.fault(target="teams", status=404)
    settings = notify_settings()
    async with httpx.AsyncClient() as http:
        h = Harness(engine, settings, [office(sandbox)], http)
        await h.take([badge("p-1", "Explorer"), badge("p-2", "Early bird")])
        assert await h.dispatcher.tick() == 1  # the second one is unaffected
        async with h.sessions() as session:
            [dead] = await list_dead(session)
        assert dead.channel == "office" and "404" in (dead.last_error or "")
        async with h.sessions() as session:
            assert await replay(session, [dead.id]) == 1
        h.clock.advance(seconds=1)  # replay queues it as of the real now
        assert await h.dispatcher.tick() == 1
    assert len(await sandbox.posts()) == 2
    assert [r.status for r in await h.outbox()] == [Status.SENT, Status.SENT]


async def test_dead_letter_commands_list_and_replay(
    engine: AsyncEngine,
    sandbox: Sandbox,
    notify_settings: Callable[..., NotifySettings],
    capsys: pytest.CaptureFixture[str],
) -> None:
    await sandbox.fault(target="teams", status=400)
    settings = notify_settings()
    async with httpx.AsyncClient() as http:
        h = Harness(engine, settings, [office(sandbox)], http)
        await h.take([badge("p-1", "Explorer")])
        await h.dispatcher.tick()

    async def run(*argv: str) -> Any:
        capsys.readouterr()
        await admin(settings, command_line().parse_args(argv))
        return json.loads(capsys.readouterr().out)

    [dead] = await run("dead-letters")
    assert dead["channel"] == "office" and "400" in dead["last_error"]
    assert await run("replay", "--all") == {"replayed": 1}
    assert await run("dead-letters") == []


async def test_unparseable_award_goes_to_dlq_awards_with_the_reason(
    js: JetStreamContext,
    engine: AsyncEngine,
    notify_settings: Callable[..., NotifySettings],
    sandbox: Sandbox,
) -> None:
    async with httpx.AsyncClient() as http:
        h = Harness(engine, notify_settings(), [office(sandbox)], http)
        await js.publish("awards.badge", b'{"not": "a cloud event"}')
        consumer = AwardConsumer(js, h.take, batch_size=10)
        sub = await js.pull_subscribe(
            "awards.*", durable="notify-dlq-test", stream="AWARDS", config=consumer.config
        )
        await consumer.handle(await sub.fetch(10, timeout=5))
        await sub.unsubscribe()
    dlq = await js.pull_subscribe("dlq.awards", durable="dlq-reader", stream="DLQ")
    [msg] = await dlq.fetch(1, timeout=5)
    await dlq.unsubscribe()
    assert msg.headers and msg.headers["Uptake-Reason"].startswith("unparseable")
    assert msg.headers["Uptake-Subject"] == "awards.badge"


async def test_failing_intake_is_redelivered_then_dead_lettered(
    js: JetStreamContext,
) -> None:
    calls = 0

    async def broken(events: object) -> None:
        nonlocal calls
        calls += 1
        raise RuntimeError("database down")

    from shared.bus import publish

    await publish(js, badge("p-1", "Explorer"))
    consumer = AwardConsumer(js, broken, batch_size=10, max_deliver=2, ack_wait=30)
    sub = await js.pull_subscribe(
        "awards.*", durable="notify-redeliver", stream="AWARDS", config=consumer.config
    )
    await consumer.handle(await sub.fetch(1, timeout=5))  # nak with a 2 s delay

    async def redelivered() -> bool:
        try:
            await consumer.handle(await sub.fetch(1, timeout=1))
        except Exception:
            return False
        return True

    await eventually(redelivered, timeout=20)
    assert calls == 2
    await sub.unsubscribe()
    dlq = await js.pull_subscribe("dlq.awards", durable="dlq-reader2", stream="DLQ")
    [msg] = await dlq.fetch(1, timeout=5)
    await dlq.unsubscribe()
    assert msg.headers and "after 2 deliveries" in msg.headers["Uptake-Reason"]
