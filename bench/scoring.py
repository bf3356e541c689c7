"""Scoring throughput, memory and latency on a real embedded nats-server and valkey.

    .venv/bin/python -m bench.scoring [--people N] [--events N] [--per-person K]
                                      [--rate R] [--seconds S] [--postgres URL]

1. 100,000 people (directory facts) and N Copilot activity signals are put on
   the SIGNALS stream first, packed as ingest packs them: CloudEvents JSON
   batch messages of up to 500 events, a person's signals in a row (K, 12 by
   default, as ingest publishes a person's week of interactions together).
2. Reference: a raw nats-py pull consumer fetches and acks the same activity
   messages, measured in the same run (events/s counts the events they hold).
3. ``python -m services.scoring`` (its own process, SQLite file, batches) scores
   everything: ledger rows, boards, award events. Events per second from the
   first delivery to the last acknowledgement, the ratio to the raw rate, and
   the peak resident memory of the scoring process. The same again with every
   signal of a different person (the worst case), and on PostgreSQL when a
   server is given (``--postgres`` or ``$BENCH_POSTGRES_URL``).
4. Latency: while scoring runs, signals are published at a steady rate; each
   one belongs to a person never seen before, and the time from publish until
   that person appears on the all-time board is measured; p50 and p95.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import nats
import psutil
from nats.js.api import AckPolicy, ConsumerConfig
from sqlalchemy.engine import make_url

from devtools.servers import nats_server, redis_server
from shared.bus import publish_batched
from shared.cache import create_redis
from shared.database import async_url
from shared.events import (
    ActivityKind,
    App,
    CloudEvent,
    CopilotActivity,
    DirectoryPerson,
    SignalSource,
)
from shared.streams import ensure_streams

PEOPLE = 100_000
EVENTS = 200_000
PER_PERSON = 12  # signals per person in a row, as ingest publishes them
RATE = 1_000
SECONDS = 15
APPS = [App.TEAMS, App.WORD, App.EXCEL, App.OUTLOOK, App.POWERPOINT, App.CHAT]
START = date(2026, 11, 2)


def directory(people: int) -> list[CloudEvent[Any]]:
    observed = datetime(2026, 11, 1, tzinfo=UTC)
    return [
        CloudEvent.wrap(
            DirectoryPerson(
                person=f"p-{i:06d}",
                team=f"team-{i % 2000:04d}",
                department=f"dept-{i % 40:02d}",
                observed_at=observed,
            ),
            source="bench",
        )
        for i in range(people)
    ]


def activities(count: int, people: int, per_person: int, seed: int = 1) -> list[CloudEvent[Any]]:
    """``count`` signals in runs of ``per_person`` for one person each.

    Ingest publishes a person's interaction history together (its benchmark:
    about 12 events per person for a week), so batches hold runs of one person's
    events; ``per_person=1`` spreads every event to a random person, the worst
    case for a batch (no state, board entry or index page shared).
    """
    rng = random.Random(seed)
    out = []
    person = ""
    for n in range(count):
        if n % per_person == 0:
            person = f"p-{rng.randrange(people):06d}"
        day = START + timedelta(days=rng.randrange(25))
        prompt = rng.random() < 0.5
        data = CopilotActivity(
            person=person,
            app=rng.choice(APPS),
            kind=ActivityKind.PROMPT if prompt else ActivityKind.ACTIVE_DAY,
            date=day,
            occurred_at=datetime(day.year, day.month, day.day, 9, rng.randrange(60), tzinfo=UTC)
            if prompt
            else None,
            source=SignalSource.INTERACTION_HISTORY if prompt else SignalSource.USAGE_REPORT,
            interaction_id=f"i-{n}" if prompt else None,
        )
        out.append(CloudEvent.wrap(data, source="bench"))
    return out


async def raw_consume_rate(nats_url: str, expected: int, events: int) -> tuple[float, float]:
    """Messages and events per second a bare pull consumer fetches and acknowledges."""
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    config = ConsumerConfig(
        durable_name="bench-raw",
        ack_policy=AckPolicy.EXPLICIT,
        max_ack_pending=20_000,
        filter_subject="signals.copilot.activity",
    )
    await js.add_consumer("SIGNALS", config=config)
    sub = await js.pull_subscribe_bind(durable="bench-raw", stream="SIGNALS")
    seen = 0
    start = time.perf_counter()
    while seen < expected:
        # Batch messages hold up to 500 events each: a fetch of 100 stays well within
        # the client's pending-bytes limit, however long the run.
        for msg in await sub.fetch(100, timeout=5):
            await msg.ack()
            seen += 1
    elapsed = time.perf_counter() - start
    await nc.drain()
    return seen / elapsed, events / elapsed


def start_scoring(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "services.scoring"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=Path(__file__).resolve().parent.parent,
        )


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


async def wait_scored(
    js: Any, start_seq: int, total: int, processes: list[psutil.Process], peak: list[float]
) -> tuple[float, float, list[float]]:
    """Poll until messages up to ``total`` are acknowledged.

    Returns the wall time and the CPU seconds of each process spent between the
    first delivery of a message after ``start_seq`` (from the first poll when
    ``start_seq`` is 0) and the acknowledgement floor reaching ``total``.
    Acknowledgements can come out of order, so the floor passing ``start_seq``
    may lag behind work already done on later messages: timing starts at the
    delivery instead.
    """
    first = 0.0
    cpu_first: list[float] = []
    while True:
        try:
            info = await js.consumer_info("SIGNALS", "scoring")
            done, delivered = info.ack_floor.stream_seq, info.delivered.stream_seq
        except Exception:
            done = delivered = 0
        now = time.perf_counter()
        peak[0] = max(peak[0], processes[0].memory_info().rss / 2**20)
        if (start_seq == 0 or delivered > start_seq) and not first:
            first = now
            cpu_first = [cpu_seconds(p) for p in processes]
        if done >= total:
            cpu = [cpu_seconds(p) - c for p, c in zip(processes, cpu_first, strict=True)]
            return now - first, now, cpu
        await asyncio.sleep(0.02)


async def latency(
    nats_url: str, redis_url: str, rate: int, seconds: int
) -> tuple[float, float, int]:
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    redis = create_redis(redis_url)
    sent: dict[str, float] = {}
    seen: dict[str, float] = {}
    today = START + timedelta(days=3)
    total = rate * seconds

    async def publisher() -> None:
        start = time.perf_counter()
        for n in range(total):
            due = start + n / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            member = f"lat-{n:06d}"
            data = CopilotActivity(
                person=member,
                app=App.WORD,
                kind=ActivityKind.ACTIVE_DAY,
                date=today,
                source=SignalSource.USAGE_REPORT,
            )
            event = CloudEvent.wrap(data, source="bench")
            sent[member] = time.perf_counter()
            await js.publish_async(
                data.nats_subject(), event.to_bytes(), headers={"Nats-Msg-Id": event.id}
            )

    async def watcher() -> None:
        while len(seen) < total:
            waiting = [m for m in sent if m not in seen]
            if waiting:
                scores = await redis.zmscore("lb:people:all:all", waiting)
                now = time.perf_counter()
                for member, value in zip(waiting, scores, strict=True):
                    if value is not None:
                        seen[member] = now
            await asyncio.sleep(0.002)

    await asyncio.wait_for(asyncio.gather(publisher(), watcher()), timeout=seconds * 6 + 60)
    delays = sorted((seen[m] - sent[m]) * 1000 for m in seen)
    await redis.aclose()
    await nc.drain()
    p95 = delays[int(len(delays) * 0.95) - 1]
    return statistics.median(delays), p95, len(delays)


@dataclass(frozen=True)
class Scenario:
    """One scoring run: how signals are spread over people, and the database."""

    label: str
    per_person: int
    database: str  # "sqlite", or a PostgreSQL server URL to make a scratch database on
    latency: bool = False  # also measure publish-to-board latency after the backlog


@contextlib.asynccontextmanager
async def scratch_database(database: str, work: Path) -> AsyncIterator[str]:
    """A SQLAlchemy URL of an empty database: a SQLite file, or a new PostgreSQL database."""
    if database == "sqlite":
        yield f"sqlite+aiosqlite:///{work / 'scoring.db'}"
        return
    server = make_url(async_url(database))
    name = f"uptake_bench_{os.getpid()}"
    admin_dsn = server.set(drivername="postgresql").render_as_string(hide_password=False)
    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.close()


async def measure(
    scenario: Scenario, people: int, events: int, rate: int, seconds: int
) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="bench-scoring-") as tmp:
        work = Path(tmp)
        with nats_server(work) as nats_srv, redis_server(work) as redis_srv:
            nc = await nats.connect(nats_srv.url)
            js = nc.jetstream()
            await ensure_streams(js)
            people_events = directory(people)
            signal_events = activities(events, people, scenario.per_person)
            await publish_batched(js, people_events)
            people_messages = (await js.stream_info("SIGNALS")).state.messages
            await publish_batched(js, signal_events)
            total = (await js.stream_info("SIGNALS")).state.messages
            events = len(signal_events)
            del people_events, signal_events

            raw_messages, raw_rate = await raw_consume_rate(
                nats_srv.url, total - people_messages, events
            )

            async with scratch_database(scenario.database, work) as database_url:
                env = os.environ | {
                    "NATS_URL": nats_srv.url,
                    "REDIS_URL": redis_srv.url,
                    "DATABASE_URL": database_url,
                    "LOG_LEVEL": "WARNING",
                    "ENVIRONMENT": "test",
                }
                service = start_scoring(env, work / "scoring.log")
                try:
                    process = psutil.Process(service.pid)
                    redis_process = psutil.Process(redis_srv.process.pid)
                    peak = [0.0]
                    procs = [process, redis_process]
                    # Directory facts, timed from the service's start (start-up included).
                    directory_seconds, _, _ = await asyncio.wait_for(
                        wait_scored(js, 0, people_messages, procs, peak), timeout=3600
                    )
                    directory_peak = peak[0]
                    wall, _, cpu = await asyncio.wait_for(
                        wait_scored(js, people_messages, total, procs, peak), timeout=3600
                    )
                    scored_rate = events / max(wall, 1e-9)
                    if scenario.latency:
                        p50, p95, probes = await latency(nats_srv.url, redis_srv.url, rate, seconds)
                    peak[0] = max(peak[0], process.memory_info().rss / 2**20)
                finally:
                    service.terminate()
                    service.wait(timeout=30)
            await nc.drain()
    tag = f" ({scenario.label})"
    figures = [
        {"name": "scoring end-to-end rate" + tag, "value": round(scored_rate), "unit": "events/s"},
        {
            "name": "scoring / raw consume" + tag,
            "value": round(scored_rate / raw_rate, 3),
            "unit": "x",
        },
        {
            "name": "scoring per CPU second (scoring process)" + tag,
            "value": round(events / max(cpu[0], 1e-9)),
            "unit": "events/cpu-s",
        },
        {
            "name": "redis CPU per 1,000 events" + tag,
            "value": round(cpu[1] / events * 1000 * 1000, 1),
            "unit": "ms",
        },
        {"name": f"peak RSS at {people:,} people{tag}", "value": round(peak[0], 1), "unit": "MB"},
    ]
    if not scenario.latency:
        return figures
    figures += [
        {"name": "raw nats-py consume rate", "value": round(raw_rate), "unit": "events/s"},
        {
            "name": "raw nats-py consume rate (messages)",
            "value": round(raw_messages),
            "unit": "msg/s",
        },
        {
            "name": "directory facts scored",
            "value": round(people / max(directory_seconds, 1e-9)),
            "unit": "events/s",
        },
        {"name": "peak RSS after the directory", "value": round(directory_peak, 1), "unit": "MB"},
        {"name": f"publish-to-board p50 at {rate}/s", "value": round(p50, 1), "unit": "ms"},
        {"name": f"publish-to-board p95 at {rate}/s", "value": round(p95, 1), "unit": "ms"},
        {"name": "activity signals scored", "value": events, "unit": "events"},
        {"name": "activity messages", "value": total - people_messages, "unit": "messages"},
        {"name": "latency probes", "value": probes, "unit": "events"},
    ]
    return figures


def scenarios(per_person: int, postgres: str | None) -> list[Scenario]:
    """Ingest's order on SQLite (with latency), the worst case, and PostgreSQL when given."""
    out = [
        Scenario(f"{per_person} per person, SQLite", per_person, "sqlite", latency=True),
        Scenario("1 per person, SQLite", 1, "sqlite"),
    ]
    if postgres:
        out.append(Scenario(f"{per_person} per person, PostgreSQL", per_person, postgres))
    return out


def run(
    people: int = PEOPLE,
    events: int = EVENTS,
    rate: int = RATE,
    seconds: int = SECONDS,
    per_person: int = PER_PERSON,
    postgres: str | None = None,
) -> list[dict[str, Any]]:
    postgres = postgres or os.environ.get("BENCH_POSTGRES_URL") or None
    figures: list[dict[str, Any]] = []
    for scenario in scenarios(per_person, postgres):
        figures += asyncio.run(measure(scenario, people, events, rate, seconds))
    for figure in figures:
        print(f"{figure['name']:>60}: {figure['value']} {figure['unit']}")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=PEOPLE)
    parser.add_argument("--events", type=int, default=EVENTS)
    parser.add_argument("--rate", type=int, default=RATE)
    parser.add_argument("--seconds", type=int, default=SECONDS)
    parser.add_argument("--per-person", type=int, default=PER_PERSON)
    parser.add_argument(
        "--postgres",
        help="also score on PostgreSQL (a server URL; a scratch database is made and dropped);"
        " default $BENCH_POSTGRES_URL",
    )
    args = parser.parse_args()
    run(args.people, args.events, args.rate, args.seconds, args.per_person, args.postgres)


if __name__ == "__main__":
    main()
