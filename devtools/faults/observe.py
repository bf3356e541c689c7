"""What the suite reads from a running stack: consumer lag, the outbox, cards, readiness."""

from __future__ import annotations

import contextlib
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from nats.aio.client import Client
from nats.errors import Error as NatsError
from nats.js.errors import NotFoundError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from devtools.faults.harness import FLOW

CONSUMERS = (("SIGNALS", "scoring"), ("AWARDS", "notify-awards"))


@dataclass(frozen=True)
class Lag:
    """What a durable consumer has not yet acknowledged; None where it cannot be asked."""

    pending: int | None
    unacked: int | None

    @property
    def zero(self) -> bool:
        return self.pending == 0 and self.unacked == 0


async def lag(nc: Client, stream: str, durable: str) -> Lag:
    if not nc.is_connected:
        return Lag(None, None)
    try:
        info = await nc.jetstream(timeout=2).consumer_info(stream, durable)
    except NotFoundError:
        return Lag(None, None)
    except (NatsError, TimeoutError):
        return Lag(None, None)
    return Lag(info.num_pending, info.num_ack_pending)


async def stream_messages(nc: Client, stream: str) -> int | None:
    try:
        info = await nc.jetstream(timeout=2).stream_info(stream)
    except (NatsError, TimeoutError):
        return None
    return info.state.messages


async def outbox_unsent(engine: AsyncEngine) -> int | None:
    """Outbox rows not yet accepted by their channel (None: no outbox yet, or no SQL)."""
    try:
        async with engine.connect() as conn:
            found = await conn.execute(
                text("SELECT count(*) FROM notify_outbox WHERE status = 'pending'")
            )
            return int(found.scalar_one())
    except (SQLAlchemyError, OSError):
        return None


async def dead_letters(nc: Client) -> int:
    return await stream_messages(nc, "DLQ") or 0


class Sandbox:
    """The sandbox tenant's recordings of what reached its Teams webhook."""

    def __init__(self, base_url: str, ca: Path) -> None:
        trust = ssl.create_default_context(cafile=str(ca))
        self.http = httpx.AsyncClient(base_url=base_url, verify=trust, timeout=30)

    async def close(self) -> None:
        await self.http.aclose()

    async def posts(self) -> list[dict[str, Any]]:
        response = await self.http.get("/sandbox/posts.json")
        response.raise_for_status()
        return [p for p in response.json() if p["target"] == "teams" and p["channel"] == FLOW]

    async def state(self) -> dict[str, Any]:
        response = await self.http.get("/sandbox/messaging/state")
        response.raise_for_status()
        return dict(response.json())

    async def stall_next_post(self) -> None:
        response = await self.http.post(
            "/sandbox/messaging/faults", json={"target": "teams", "stall": True, "count": 1}
        )
        response.raise_for_status()

    async def release(self) -> None:
        (await self.http.post("/sandbox/messaging/release")).raise_for_status()


async def ready(port: int) -> bool | None:
    """A service's /readyz: True (200), False (any other answer), None (nothing listens)."""
    with contextlib.suppress(httpx.HTTPError):
        async with httpx.AsyncClient(timeout=2) as client:
            response = await client.get(f"http://127.0.0.1:{port}/readyz")
            return response.status_code == 200
    return None
