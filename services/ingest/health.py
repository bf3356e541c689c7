"""``/healthz`` and ``/readyz`` for orchestrators, on ``INGEST_HEALTH_PORT`` when set.

Ingest has no other HTTP surface, so a few lines of asyncio serve the probes
instead of a web framework. Ready means the last cycle succeeded; the body is
the status payload either way.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from services.ingest.status import IngestStatus

REASONS = {200: "OK", 404: "Not Found", 503: "Service Unavailable"}


def answer(path: str, status: IngestStatus) -> tuple[int, bytes]:
    if path == "/healthz":
        return 200, b'{"status":"ok"}'
    if path == "/readyz":
        return (200 if status.ready else 503), status.to_json()
    return 404, b'{"error":"not found"}'


@contextlib.asynccontextmanager
async def health_server(
    host: str, port: int | None, status: IngestStatus
) -> AsyncIterator[asyncio.Server | None]:
    if port is None:
        yield None
        return

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readline(), timeout=5)
            parts = request.decode("latin-1").split()
            code, body = answer(parts[1] if len(parts) > 1 else "/", status)
            head = (
                f"HTTP/1.1 {code} {REASONS[code]}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            )
            writer.write(head.encode() + body)
            await writer.drain()
        except (TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, host, port)
    try:
        yield server
    finally:
        server.close()
        await server.wait_closed()
