"""Readiness follows the last cycle; the body is the status payload."""

from __future__ import annotations

import orjson

from services.ingest.health import probes
from services.ingest.status import IngestStatus


async def test_readiness_follows_the_status() -> None:
    status = IngestStatus()
    server = probes(status)
    assert (await server.reply("/healthz")).code == 200
    starting = await server.reply("/readyz")
    assert starting.code == 503 and orjson.loads(starting.body)["state"] == "starting"
    status.ready, status.state = True, "idle"
    assert (await server.reply("/readyz")).code == 200
    assert (await server.reply("/elsewhere")).code == 404
    assert b"python_info" in (await server.reply("/metrics")).body
