"""The workers' probe server over a real socket: probes, metrics, unknown paths."""

from __future__ import annotations

import asyncio

from devtools.servers import free_port
from shared.probes import ProbeServer, Reply, alive, metrics, readiness


async def _get(port: int, path: str) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    await writer.drain()
    raw = await reader.read()
    writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


async def test_probe_server_answers_over_http() -> None:
    ready = False

    async def status() -> Reply:
        return Reply(200, b'{"queue":3}')

    server = ProbeServer(
        {"/healthz": alive, "/readyz": readiness(lambda: ready), "/metrics": metrics, "/s": status}
    )
    port = free_port()
    await server.start(port)
    try:
        assert await _get(port, "/healthz") == (200, b'{"status":"ok"}')
        assert (await _get(port, "/readyz"))[0] == 503
        ready = True
        assert (await _get(port, "/readyz?verbose=1"))[0] == 200
        assert await _get(port, "/s") == (200, b'{"queue":3}')
        assert b"# HELP" in (await _get(port, "/metrics"))[1]
        assert (await _get(port, "/nowhere"))[0] == 404
    finally:
        await server.stop()
