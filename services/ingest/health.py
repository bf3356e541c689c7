"""``/healthz`` and ``/readyz`` for orchestrators, on ``INGEST_HEALTH_PORT`` when set.

Ready means the last cycle succeeded; the readiness body is the status payload
either way, so a failing probe says why.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from services.ingest.status import IngestStatus
from shared.probes import ProbeServer, Reply, alive, metrics


def probes(status: IngestStatus) -> ProbeServer:
    async def ready() -> Reply:
        return Reply(200 if status.ready else 503, status.to_json())

    return ProbeServer({"/healthz": alive, "/readyz": ready, "/metrics": metrics})


@contextlib.asynccontextmanager
async def health_server(
    host: str, port: int | None, status: IngestStatus
) -> AsyncIterator[ProbeServer | None]:
    if port is None:
        yield None
        return
    server = probes(status)
    await server.start(port, host)
    try:
        yield server
    finally:
        await server.stop()
