"""``/healthz`` and ``/readyz`` over a bare asyncio server: no web framework for two answers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class Health:
    def __init__(self, ready: Callable[[], bool]) -> None:
        self._ready = ready
        self._server: asyncio.Server | None = None

    async def start(self, port: int, host: str = "127.0.0.1") -> None:
        self._server = await asyncio.start_server(self._answer, host, port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readline(), timeout=5)
            path = request.split(b" ")[1] if request.count(b" ") >= 2 else b"/"
            ok = path == b"/healthz" or (path == b"/readyz" and self._ready())
            known = path in (b"/healthz", b"/readyz")
            status = (
                b"200 OK" if ok else (b"503 Service Unavailable" if known else b"404 Not Found")
            )
            body = b'{"status":"ok"}' if ok else b'{"status":"unavailable"}'
            writer.write(
                b"HTTP/1.1 " + status + b"\r\ncontent-type: application/json\r\n"
                b"content-length: "
                + str(len(body)).encode()
                + b"\r\nconnection: close\r\n\r\n"
                + body
            )
            await writer.drain()
        except (TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()
