"""Gateway benchmarks: leaderboard GET against a bare FastAPI endpoint, and SSE fan-out.

``python -m bench.api`` starts an embedded Redis and nats-server, seeds a
directory (2,000 people in 40 teams) and boards, and runs each server in its
own process (one uvicorn worker each), so the load generator here does not
share an interpreter with the server it measures:

1. throughput and p99 at 32 keep-alive connections: a bare FastAPI JSON
   endpoint, then ``GET /api/leaderboards/teams`` and ``/people`` (the default
   one-second board cache), then the people board with the cache off;
2. SSE fan-out: 1,000 connected ``/api/live`` streams, one award published on
   JetStream, and how long until each screen has it.

The load generator is a minimal HTTP/1.1 client on raw asyncio streams; it is
much lighter than the servers it drives, so the server is the bottleneck.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from devtools import servers

CONNECTIONS = 32
DURATION = float(os.environ.get("BENCH_API_SECONDS", "12"))
ROUNDS = 3
SCREENS = int(os.environ.get("BENCH_API_SCREENS", "1000"))
PARTS = os.environ.get("BENCH_API_PARTS", "throughput,sse").split(",")
ROOT = Path(__file__).resolve().parent.parent


def bare_app() -> FastAPI:
    """The yardstick: a FastAPI JSON endpoint doing no work."""
    app = FastAPI()

    @app.get("/bare")
    async def bare() -> dict[str, Any]:
        return {"scope": "teams", "entries": [{"rank": 1, "label": "Alpha", "value": 1.0}]}

    return app


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    await reader.readexactly(length)
    return status


async def load(port: int, path: str, seconds: float) -> dict[str, float]:
    """Requests per second and latency percentiles over ``CONNECTIONS`` keep-alive connections."""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    latencies: list[float] = []
    errors = 0
    stop_at = 0.0

    async def worker() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            if await _get(reader, writer, request) != 200:
                errors += 1
            latencies.append(time.perf_counter() - started)
        writer.close()

    stop_at = time.perf_counter() + 0.5  # warm-up
    await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
    latencies.clear()
    started = time.perf_counter()
    stop_at = started + seconds
    await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "rps": len(ordered) / elapsed,
        "p50_ms": 1000 * ordered[len(ordered) // 2],
        "p99_ms": 1000 * ordered[int(len(ordered) * 0.99)],
        "errors": errors,
    }


@contextmanager
def process(command: list[str], port: int, env: dict[str, str], log: Path) -> Iterator[None]:
    with log.open("ab") as out:
        proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        servers.wait_for_port(port, timeout=30)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


async def seed(redis_url: str, database_url: str) -> None:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from shared.cache import create_redis
    from shared.database import create_engine, create_tables
    from shared.leaderboards import Scope, board_key, encode_score
    from shared.people import Person
    from shared.periods import CALENDAR_WINDOWS, period_key

    engine = create_engine(database_url)
    await create_tables(engine)
    async with AsyncSession(engine) as session:
        for i in range(2000):
            session.add(
                Person(
                    person=f"p-{i:05d}",
                    display_name=f"Person {i}",
                    team=f"Team {i % 40:02d}",
                    department=f"Department {i % 8}",
                    opted_in=i % 4 == 0,
                )
            )
        await session.commit()
    await engine.dispose()
    redis = create_redis(redis_url)
    moment = datetime.now(UTC)
    today = date.today()
    for window in CALENDAR_WINDOWS:
        period = period_key(window, today)
        people = {f"p-{i:05d}": encode_score((i * 37) % 500, moment) for i in range(2000)}
        teams = {f"Team {t:02d}": encode_score(t * 1.25, moment) for t in range(40)}
        await redis.zadd(board_key(Scope.PEOPLE, window, period), people)
        await redis.zadd(board_key(Scope.TEAMS, window, period), teams)
    await redis.aclose()


async def fan_out(port: int, nats_url: str, screens: int) -> dict[str, float]:
    """Connect ``screens`` SSE clients, publish one award, time its arrival at each."""
    from shared.bus import connect, publish
    from shared.events import CloudEvent, PointsAwarded

    request = b"GET /api/live HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
    connected = 0
    all_connected = asyncio.Event()
    arrivals: list[float] = []
    published_at = 0.0

    async def screen() -> None:
        nonlocal connected
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(request)
        await reader.readuntil(b"event: hello")
        connected += 1
        if connected == screens:
            all_connected.set()
        await reader.readuntil(b"event: boards")
        arrivals.append(time.perf_counter() - published_at)
        writer.close()

    tasks = []
    for _ in range(screens):
        tasks.append(asyncio.create_task(screen()))
        await asyncio.sleep(0.001)  # do not SYN-flood the listen backlog
    await asyncio.wait_for(all_connected.wait(), 120)
    await asyncio.sleep(1.5)  # let the coalescing interval of the hello burst pass
    nc = await connect(nats_url, "bench-api")
    award = PointsAwarded(
        person="p-00001",
        rule="bench",
        ruleset_version=1,
        activity_date=date.today(),
        team="Team 01",
        ledger_key=f"bench-{time.time_ns()}",
        points=5,
    )
    published_at = time.perf_counter()
    await publish(nc.jetstream(), CloudEvent.wrap(award, source="bench"))
    await asyncio.wait_for(asyncio.gather(*tasks), 60)
    await nc.drain()
    ordered = sorted(arrivals)
    return {
        "screens": len(ordered),
        "within_2s": sum(a <= 2.0 for a in ordered),
        "p50_ms": 1000 * statistics.median(ordered),
        "max_ms": 1000 * ordered[-1],
    }


async def measure(workdir: Path) -> list[dict[str, Any]]:
    with ExitStack() as stack:
        nats = stack.enter_context(servers.nats_server(workdir))
        redis = stack.enter_context(servers.redis_server(workdir))
        database_url = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
        await seed(redis.url, database_url)
        env = os.environ | {
            "NATS_URL": nats.url,
            "REDIS_URL": redis.url,
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "WARNING",
        }
        figures: list[dict[str, Any]] = []

        def add(name: str, value: float, unit: str) -> None:
            figures.append({"name": name, "value": round(value, 2), "unit": unit})
            print(f"{name:48} {value:12.2f} {unit}", flush=True)

        if "throughput" in PARTS:
            await throughput(env, workdir, add)
        if "sse" in PARTS:
            await sse(env, workdir, nats.url, add)
        return figures


async def throughput(
    env: dict[str, str], workdir: Path, add: Callable[[str, float, str], None]
) -> None:
    """Bare and gateway servers run side by side, measured in alternating rounds.

    The machine is shared, so its load drifts; alternating short rounds and
    taking medians compares the endpoints under the same conditions.
    """
    bare_port, cached_port, uncached_port = (servers.free_port() for _ in range(3))
    bare_cmd = [sys.executable, "-m", "uvicorn", "bench.api:bare_app", "--factory"]
    bare_cmd += ["--port", str(bare_port), "--log-level", "warning", "--no-access-log"]
    gateway = [sys.executable, "-m", "services.api"]
    targets = {
        "bare": (bare_port, "/bare"),
        "teams": (cached_port, "/api/leaderboards/teams?window=week"),
        "people": (cached_port, "/api/leaderboards/people"),
        "people_uncached": (uncached_port, "/api/leaderboards/people"),
    }
    rounds: dict[str, list[dict[str, float]]] = {name: [] for name in targets}
    with (
        process(bare_cmd, bare_port, env, workdir / "bare.log"),
        process(gateway, cached_port, env | {"API_PORT": str(cached_port)}, workdir / "a.log"),
        process(
            gateway,
            uncached_port,
            env | {"API_PORT": str(uncached_port), "API_BOARD_CACHE_SECONDS": "0"},
            workdir / "b.log",
        ),
    ):
        for _ in range(ROUNDS):
            for name, (port, path) in targets.items():
                rounds[name].append(await load(port, path, DURATION / ROUNDS))

    def median(name: str, figure: str) -> float:
        return statistics.median(r[figure] for r in rounds[name])

    bare = median("bare", "rps")
    add("bare_fastapi_rps", bare, "req/s")
    add("bare_fastapi_p99", median("bare", "p99_ms"), "ms")
    for name in ("teams", "people", "people_uncached"):
        add(f"leaderboard_{name}_rps", median(name, "rps"), "req/s")
        add(f"leaderboard_{name}_p99", median(name, "p99_ms"), "ms")
        add(f"leaderboard_{name}_vs_bare", 100 * median(name, "rps") / bare, "%")


async def sse(
    env: dict[str, str], workdir: Path, nats_url: str, add: Callable[[str, float, str], None]
) -> None:
    port = servers.free_port()
    with process(
        [sys.executable, "-m", "services.api"],
        port,
        env | {"API_PORT": str(port)},
        workdir / "api-sse.log",
    ):
        servers.wait_for_port(port)
        await asyncio.sleep(1.0)  # the gateway follows AWARDS once NATS answers
        fanned = await fan_out(port, nats_url, SCREENS)
    add("sse_screens_connected", fanned["screens"], "screens")
    add("sse_screens_within_2s", fanned["within_2s"], "screens")
    add("sse_award_p50", fanned["p50_ms"], "ms")
    add("sse_award_max", fanned["max_ms"], "ms")


def run() -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        return asyncio.run(measure(Path(tmp)))


if __name__ == "__main__":
    run()
