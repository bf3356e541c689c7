"""notify: award intake into the outbox, card rendering, and folding a backfill burst.

    .venv/bin/python -m bench.notify [--awards N]

1. N badge awards are put on the AWARDS stream of an embedded nats-server;
   notify's consumer (batches of 500) stores them in a SQLite outbox for one
   Teams channel: awards per second from the first fetch to the last commit.
2. The same outbox is folded into one burst digest (what a backfill becomes):
   seconds for the fold.
3. Adaptive Cards rendered per second (badge card, English).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import nats
from pydantic import SecretStr
from sqlalchemy import func
from sqlmodel import select

from devtools.servers import nats_server
from services.notify import models  # noqa: F401
from services.notify.cards import render_card
from services.notify.channels import Channel
from services.notify.consumer import AwardConsumer
from services.notify.digest import fold_burst
from services.notify.facts import BadgeFacts
from services.notify.intake import take
from services.notify.models import OutboxEntry
from shared.bus import publish_many
from shared.database import create_engine, create_tables, session_factory
from shared.events import BadgeAwarded, CloudEvent
from shared.streams import ensure_streams

AWARDS = 20_000
DAY = date(2026, 11, 23)


def awards(count: int) -> list[CloudEvent[Any]]:
    return [
        CloudEvent.wrap(
            BadgeAwarded(
                person=f"p{i:06d}",
                rule="badge.explorer",
                ruleset_version=1,
                activity_date=DAY,
                team=f"Team {i % 40}",
                department="Ops",
                ledger_key=f"explorer:{i}",
                badge="explorer",
                title="Explorer",
            ),
            source="bench",
        )
        for i in range(count)
    ]


async def measure(count: int, workdir: Path) -> list[dict[str, Any]]:
    channel = Channel(name="office", type="teams", url=SecretStr("https://example/x?sig=s"))
    engine = create_engine(f"sqlite+aiosqlite:///{workdir / 'notify.db'}")
    await create_tables(engine)
    sessions = session_factory(engine)
    with nats_server(workdir) as server:
        nc = await nats.connect(server.url)
        js = nc.jetstream()
        await ensure_streams(js)
        await publish_many(js, awards(count))

        async def intake(events: Any) -> None:
            async with sessions() as session:
                await take(session, events, [channel], timedelta(0))
                await session.commit()

        consumer = AwardConsumer(js, intake, batch_size=500, max_ack_pending=5000)
        sub = await js.pull_subscribe(
            "awards.*", durable="bench", stream="AWARDS", config=consumer.config
        )
        started = time.perf_counter()
        stored = 0
        while stored < count:
            await consumer.handle(await sub.fetch(500, timeout=10))
            async with sessions() as session:
                stored = (await session.exec(select(func.count()).select_from(OutboxEntry))).one()
        intake_seconds = time.perf_counter() - started
        await sub.unsubscribe()
        await nc.close()
    async with sessions() as session:
        started = time.perf_counter()
        await fold_burst(session, channel, datetime.now(UTC) + timedelta(seconds=1))
        fold_seconds = time.perf_counter() - started
    await engine.dispose()
    facts = BadgeFacts(person="p1", team="Legal", badge="b", title="Explorer", activity_date=DAY)
    started = time.perf_counter()
    for _ in range(2000):
        render_card(facts, "en", {"p1": "Anna"}, "https://uptake.example/screen")
    render_rate = 2000 / (time.perf_counter() - started)
    return [
        {
            "name": "notify intake (awards into the outbox)",
            "value": round(count / intake_seconds),
            "unit": "awards/s",
        },
        {
            "name": f"notify fold of a {count}-award burst",
            "value": round(fold_seconds, 3),
            "unit": "s",
        },
        {"name": "notify Adaptive Cards rendered", "value": round(render_rate), "unit": "cards/s"},
    ]


def run(count: int = AWARDS) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as workdir:
        figures = asyncio.run(measure(count, Path(workdir)))
    for figure in figures:
        print(f"{figure['name']}: {figure['value']} {figure['unit']}")
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.notify")
    parser.add_argument("--awards", type=int, default=AWARDS)
    run(parser.parse_args().awards)
