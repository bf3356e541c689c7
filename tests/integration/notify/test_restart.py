"""Kill notify (SIGKILL) while a post is in flight, restart it: nothing lost, nothing twice."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncEngine

from services.notify.channels import Channel
from shared.bus import publish
from shared.settings import NotifySettings
from tests.integration.notify.awards import badge
from tests.integration.notify.conftest import Sandbox, eventually
from tests.integration.notify.harness import Harness


def start_notify(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "services.notify"], env=env, stdout=out, stderr=out
        )


async def test_kill_mid_send_and_restart_neither_loses_nor_repeats_a_post(
    js: JetStreamContext, nats_url: str, sandbox: Sandbox, tmp_path: Path
) -> None:
    env = os.environ | {
        "ENVIRONMENT": "test",
        "NATS_URL": nats_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'notify.db'}",
        "TEAMS_WEBHOOK_URL": sandbox.webhook,
        "NOTIFY_LANGUAGE": "en",
        "NOTIFY_QUIET_START": "00:00",
        "NOTIFY_QUIET_END": "00:00",
        "NOTIFY_QUIET_WEEKENDS": "false",
        "NOTIFY_SETTLE_SECONDS": "0",
        "NOTIFY_POLL_SECONDS": "0.2",
        "NOTIFY_BURST_THRESHOLD": "100",
        "NOTIFY_CLAIM_SECONDS": "3",
        "ENGAGE_TOKEN_CACHE": str(tmp_path / "engage.bin"),
        "LOG_LEVEL": "INFO",
    }
    log = tmp_path / "notify.log"
    titles = [f"Badge {i}" for i in range(6)]

    async def posted(n: int) -> bool:
        return len(await sandbox.posts()) >= n

    first = start_notify(env, log)
    try:
        for title in titles[:3]:
            await publish(js, badge(f"p-{title}", title))
        await eventually(lambda: posted(3), timeout=90)

        await sandbox.fault(target="teams", stall=True)  # the next post hangs in flight

        async def in_flight() -> bool:
            return bool((await sandbox.state())["stalled"])

        for title in titles[3:]:
            await publish(js, badge(f"p-{title}", title))
        await eventually(in_flight, timeout=60)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
    await sandbox.release()

    second = start_notify(env, log)
    try:
        await eventually(lambda: posted(6), timeout=90)
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=60) == 0  # a clean stop on SIGTERM
    finally:
        if second.poll() is None:
            second.kill()

    cards = [p["card"]["body"][0]["text"] for p in await sandbox.posts()]
    assert sorted(cards) == sorted(f"🏅 New badge: {t}" for t in titles)  # each exactly once
    statuses = [a["status"] for a in (await sandbox.state())["attempts"]]
    assert 499 in statuses  # the killed request really was in flight, and was not posted
    assert "sig=" + "s3cr3t" not in log.read_text()  # the webhook secret never reached a log


async def test_two_dispatchers_on_one_outbox_post_each_card_once(
    engine: AsyncEngine, sandbox: Sandbox, notify_settings: Callable[..., NotifySettings]
) -> None:
    channel = Channel.model_validate(
        {"name": "office", "type": "teams", "url": sandbox.webhook, "language": "en"}
    )
    titles = [f"Badge {i}" for i in range(8)]
    async with httpx.AsyncClient() as http:
        one = Harness(engine, notify_settings(), [channel], http)
        two = Harness(engine, notify_settings(), [channel], http)
        await one.take([badge(f"p-{t}", t) for t in titles])
        sent = await asyncio.gather(one.dispatcher.tick(), two.dispatcher.tick())
    assert sum(sent) == 8
    cards = sorted(p["card"]["body"][0]["text"] for p in await sandbox.posts())
    assert cards == sorted(f"🏅 New badge: {t}" for t in titles)
