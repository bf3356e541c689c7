"""``/healthz``, ``/readyz``, ``/metrics`` and ``/status`` over a bare asyncio server.

``/status`` is what an admin needs at a glance: each channel's health (for
example Engage waiting for a new sign-in) and how many posts wait or died.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, Counter, generate_latest
from sqlalchemy import func
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.notify.health import channel_health
from services.notify.models import OutboxEntry

POSTS = Counter("uptake_notify_posts_total", "Posts by channel and outcome", ["channel", "outcome"])
FOLDED = Counter("uptake_notify_folded_total", "Notifications folded into a burst digest")


async def status_report(sessions: async_sessionmaker[AsyncSession]) -> dict[str, Any]:
    async with sessions() as session:
        health = await channel_health(session)
        query = select(OutboxEntry.channel, OutboxEntry.status, func.count()).group_by(
            OutboxEntry.channel, OutboxEntry.status
        )
        counts = (await session.exec(query)).all()
    outbox: dict[str, dict[str, int]] = {}
    for channel, status, count in counts:
        outbox.setdefault(channel, {})[status] = int(count)
    return {
        "channels": {h.channel: {"state": h.state, "detail": h.detail} for h in health},
        "outbox": outbox,
    }


class StatusServer:
    def __init__(
        self,
        ready: Callable[[], bool],
        report: Callable[[], Awaitable[dict[str, Any]]],
    ) -> None:
        self._ready = ready
        self._report = report
        self._server: asyncio.Server | None = None

    async def start(self, port: int, host: str = "127.0.0.1") -> None:
        self._server = await asyncio.start_server(self._answer, host, port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _body(self, path: bytes) -> tuple[bytes, bytes, bytes]:
        if path == b"/healthz":
            return b"200 OK", b"application/json", b'{"status":"ok"}'
        if path == b"/readyz":
            if self._ready():
                return b"200 OK", b"application/json", b'{"status":"ok"}'
            return b"503 Service Unavailable", b"application/json", b'{"status":"unavailable"}'
        if path == b"/metrics":
            return b"200 OK", CONTENT_TYPE_LATEST.encode(), generate_latest()
        if path == b"/status":
            return b"200 OK", b"application/json", json.dumps(await self._report()).encode()
        return b"404 Not Found", b"application/json", b'{"status":"not found"}'

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readline(), timeout=5)
            path = request.split(b" ")[1] if request.count(b" ") >= 2 else b"/"
            status, kind, body = await self._body(path.split(b"?")[0])
            writer.write(
                b"HTTP/1.1 "
                + status
                + b"\r\ncontent-type: "
                + kind
                + b"\r\ncontent-length: "
                + str(len(body)).encode()
                + b"\r\nconnection: close\r\n\r\n"
                + body
            )
            await writer.drain()
        except (TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()
