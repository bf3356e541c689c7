"""A demo data set, scored in any order, gives the ledger and boards of the ordered run.

The sandbox tenant (the demo's organisation and adoption curve, names revealed)
is read by ``python -m services.ingest --once`` into JetStream; every event on
the stream is then scored twice by the real scorer on SQL and Redis: once in
activity order, once shuffled into batches of random sizes with some events
repeated, as late data and redeliveries bring them.
"""

from __future__ import annotations

import contextlib
import os
import random
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from nats.aio.client import Client
from nats.js.errors import NotFoundError
from redis.asyncio import Redis
from sqlalchemy import select

from services.sandbox.testing import SandboxHandle, sandbox_tenant
from services.scoring import admin
from services.scoring.domain.model import AwardKind, Signal
from services.scoring.rulebook import Rulebook, default_source
from services.scoring.scorer import Batch, Scorer
from services.scoring.signals import to_signal
from services.scoring.store.ledger import LEDGER
from shared.batches import decode
from shared.database import create_engine, create_tables
from shared.events import CopilotActivity, DirectoryPerson
from tests.integration.scoring.conftest import snapshot_boards

ROOT = Path(__file__).resolve().parents[2]
TZ = ZoneInfo("Europe/Brussels")
pytestmark = pytest.mark.e2e


@pytest.fixture
def tenant(tmp_path: Path) -> Iterator[SandboxHandle]:
    with sandbox_tenant(tmp_path, people=80, seed=7, weeks=6, concealed_names=False) as handle:
        yield handle


async def read_stream(nc: Client) -> tuple[list[Any], list[Any]]:
    """Every directory and activity event on SIGNALS."""
    js = nc.jetstream()
    sub = await js.pull_subscribe("signals.>", stream="SIGNALS")
    people, activities = [], []
    while True:
        try:
            messages = await sub.fetch(200, timeout=1)
        except TimeoutError:
            break
        for message in messages:
            events, unreadable = decode(message)
            assert not unreadable
            for event in events:
                if isinstance(event.data, DirectoryPerson):
                    people.append(event.data)
                elif isinstance(event.data, CopilotActivity):
                    activities.append(event)
            await message.ack()
    await sub.unsubscribe()
    return people, activities


async def score(
    db: Path, redis: Redis, people: list[Any], batches: list[list[Any]]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Score ``batches`` on a fresh database; the ledger as people see it, and the boards."""
    await redis.flushdb()
    engine = create_engine(f"sqlite+aiosqlite:///{db}")
    await create_tables(engine)
    await admin.publish(engine, None, default_source(), TZ, by="test")
    scorer = Scorer(engine, redis, None, TZ, Rulebook())
    await scorer.handle(Batch(people=people))
    for batch in batches:
        await scorer.handle(Batch(activities=batch))
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                select(LEDGER.c.person, LEDGER.c.key, LEDGER.c.kind, LEDGER.c.day, LEDGER.c.points)
            )
        ).all()
    await engine.dispose()
    per_day: dict[tuple[str, Any], int] = defaultdict(int)
    held = {}
    for person, key, kind, day, points in rows:
        if kind == AwardKind.POINTS:
            per_day[(person, day)] += points
        else:
            held[(person, key)] = day
    ledger = {
        "rows": sorted((person, key) for person, key, *_ in rows),
        "held": held,
        "per_day": dict(per_day),
    }
    return ledger, await snapshot_boards(redis)


async def test_a_shuffled_replay_of_the_demo_data_gives_the_same_ledger(
    tenant: SandboxHandle, nats_url: str, redis: Redis, nc: Client, tmp_path: Path
) -> None:
    env = dict(os.environ) | tenant.settings_env()
    env |= {
        "NATS_URL": nats_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'ingest.db'}",
        "INGEST_STATUS_PATH": str(tmp_path / "ingest-status.json"),
        "INGEST_REPORT_PERIOD": "D30",
    }
    with contextlib.suppress(NotFoundError):  # ingest creates the stream when it is missing
        await nc.jetstream().purge_stream("SIGNALS")
    ingest = subprocess.run(
        [sys.executable, "-m", "services.ingest", "--once"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=300,
    )
    assert ingest.returncode == 0, ingest.stderr.decode()[-3000:]
    people, activities = await read_stream(nc)
    assert people and len(activities) > 1000

    ordered = sorted(activities, key=lambda e: Signal.sort_key(to_signal(e, TZ)))
    in_order = [ordered[i : i + 500] for i in range(0, len(ordered), 500)]
    expected, expected_boards = await score(tmp_path / "ordered.db", redis, people, in_order)
    assert len(expected["held"]) > 50  # badges and levels were reached

    rng = random.Random(2026)
    arrival = [*activities, *rng.sample(activities, len(activities) // 10)]
    rng.shuffle(arrival)
    shuffled, cut = [], 0
    while cut < len(arrival):
        size = rng.choice([1, 7, 50, 300, 1200])
        shuffled.append(arrival[cut : cut + size])
        cut += size
    actual, actual_boards = await score(tmp_path / "shuffled.db", redis, people, shuffled)

    assert actual["rows"] == expected["rows"]
    assert actual["held"] == expected["held"]
    assert actual["per_day"] == expected["per_day"]
    assert actual_boards == expected_boards
