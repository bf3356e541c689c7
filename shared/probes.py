"""Health, readiness and metrics for the workers (ingest, scoring, notify).

The workers have no other HTTP surface, so a few lines of asyncio answer the
orchestrator's probes instead of a web framework. Each worker supplies its
routes; this module speaks just enough HTTP/1.1 for probes and Prometheus.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

JSON = "application/json"
REASONS = {200: "OK", 404: "Not Found", 503: "Service Unavailable"}
OK_BODY = b'{"status":"ok"}'


@dataclass(frozen=True)
class Reply:
    code: int
    body: bytes
    content_type: str = JSON

    def encode(self) -> bytes:
        head = (
            f"HTTP/1.1 {self.code} {REASONS.get(self.code, 'Unknown')}\r\n"
            f"Content-Type: {self.content_type}\r\nContent-Length: {len(self.body)}\r\n"
            "Connection: close\r\n\r\n"
        )
        return head.encode() + self.body


Route = Callable[[], Awaitable[Reply]]


async def alive() -> Reply:
    return Reply(200, OK_BODY)


def readiness(is_ready: Callable[[], bool]) -> Route:
    async def ready() -> Reply:
        return Reply(200, OK_BODY) if is_ready() else Reply(503, b'{"status":"unavailable"}')

    return ready


async def metrics() -> Reply:
    return Reply(200, generate_latest(), CONTENT_TYPE_LATEST)


class ProbeServer:
    """Answers GET requests for a fixed set of paths; everything else is 404."""

    def __init__(self, routes: Mapping[str, Route]) -> None:
        self._routes = dict(routes)
        self._server: asyncio.Server | None = None

    async def start(self, port: int, host: str = "127.0.0.1") -> None:
        self._server = await asyncio.start_server(self._answer, host, port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def reply(self, path: str) -> Reply:
        route = self._routes.get(path.split("?", 1)[0])
        return await route() if route else Reply(404, b'{"status":"not found"}')

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(5):
                request = await reader.readline()
            parts = request.decode("latin-1").split()
            reply = await self.reply(parts[1] if len(parts) > 1 else "/")
            writer.write(reply.encode())
            await writer.drain()
        except (TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()
