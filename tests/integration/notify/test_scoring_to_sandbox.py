"""The real chain: sandbox report -> ingest -> scoring -> notify -> the sandbox's Teams channel."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from nats.errors import TimeoutError as NatsTimeoutError

from services.sandbox.testing import SandboxHandle, sandbox_tenant
from services.scoring.rulebook import default_rules
from shared.batches import decode
from tests.integration.notify.conftest import eventually

pytestmark = pytest.mark.e2e


@pytest.fixture
def tenant(tmp_path: Path) -> Iterator[SandboxHandle]:
    with sandbox_tenant(tmp_path, people=15, seed=5, concealed_names=False) as handle:
        yield handle


def start(module: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", module], env=env, stdout=out, stderr=out)


def stop(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


async def test_scored_awards_arrive_as_a_few_polite_cards_on_the_sandbox(
    tenant: SandboxHandle, nc: Any, nats_url: str, redis_url: str, tmp_path: Path
) -> None:
    webhook = f"{tenant.graph_base_url}/workflows/e2e/triggers/manual/paths/invoke"
    env = (
        os.environ
        | tenant.settings_env()
        | {
            "NATS_URL": nats_url,
            "REDIS_URL": redis_url,
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'uptake.db'}",
            "INGEST_STATUS_PATH": str(tmp_path / "ingest-status.json"),
            "INGEST_INTERACTIONS": "false",
            "TEAMS_WEBHOOK_URL": f"{webhook}?api-version=2016-06-01&sig=e2e-signature",
            "NOTIFY_QUIET_START": "00:00",
            "NOTIFY_QUIET_END": "00:00",
            "NOTIFY_QUIET_WEEKENDS": "false",
            "NOTIFY_FOLD_SECONDS": "5",
            "LOG_FORMAT": "json",
        }
    )
    # In a thread, so that this loop keeps answering the NATS server's pings meanwhile.
    ingest = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "services.ingest", "--once"],
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert ingest.returncode == 0, ingest.stderr.decode()[-2000:]
    async with httpx.AsyncClient(verify=tenant.ssl_context(), timeout=10) as http:
        (await http.delete(f"{tenant.graph_base_url}/sandbox/posts")).raise_for_status()

    async def ours(http: httpx.AsyncClient) -> list[dict[str, Any]]:
        found = (await http.get(f"{tenant.graph_base_url}/sandbox/posts.json")).json()
        return [p for p in found if p["channel"] == "e2e"]

    js = nc.jetstream()

    async def notify_caught_up() -> bool:
        """Every award so far taken by notify, and no new ones for a moment."""
        before = (await js.stream_info("AWARDS")).state.messages
        consumer = await js.consumer_info("AWARDS", "notify-awards")
        await asyncio.sleep(1)
        after = (await js.stream_info("AWARDS")).state.messages
        return bool(before == after and consumer.num_pending == consumer.num_ack_pending == 0)

    async def award_events() -> int:
        """Awards on the stream, counted in events: batch messages hold many."""
        sub = await js.pull_subscribe("awards.>", stream="AWARDS")
        total = 0
        try:
            while True:
                try:
                    messages = await sub.fetch(100, timeout=1)
                except NatsTimeoutError:
                    return total
                total += sum(len(decode(m)[0]) for m in messages)
        finally:
            await sub.unsubscribe()

    scoring = start("services.scoring", env, tmp_path / "scoring.log")
    notify = start("services.notify", env, tmp_path / "notify.log")
    posts: list[dict[str, Any]] = []
    try:
        async with httpx.AsyncClient(verify=tenant.ssl_context(), timeout=10) as http:

            async def posted() -> bool:
                return bool(await ours(http))

            await eventually(posted, timeout=90, every=0.5)
            await eventually(notify_caught_up, timeout=60, every=0.5)
            awards = await award_events()
            await asyncio.sleep(3)  # a few dispatcher rounds more: the burst must stay one card
            posts = await ours(http)
    except AssertionError as exc:
        tail = (tmp_path / "notify.log").read_text()[-3000:]
        raise AssertionError(f"{exc}; the notify log ends with:\n{tail}") from exc
    finally:
        notify_exit = await asyncio.to_thread(stop, notify)
        await asyncio.to_thread(stop, scoring)
    log = (tmp_path / "notify.log").read_text()
    assert notify_exit == 0, log[-3000:]
    assert posts, log[-3000:]
    assert awards > len(posts)
    assert len(posts) <= 10  # a backfill of many awards is folded, never one card each
    assert all(p["card"]["version"] == "1.5" for p in posts)
    assert all(p["card"]["lang"] == "nl" for p in posts)  # the default NOTIFY_LANGUAGE
    # The rule set's titles in Dutch too, never its English ones.
    rules = default_rules()
    titled = [*rules.badges, *rules.levels, *rules.challenges]
    english = {t.title.in_language("en") for t in titled} - {t.title for t in titled}
    shown = json.dumps([p["card"] for p in posts], ensure_ascii=False)
    assert not [title for title in english if title in shown], shown[:2000]
    assert any(t.title in shown for t in titled if t.title not in english), shown[:2000]
    assert "e2e-signature" not in log
