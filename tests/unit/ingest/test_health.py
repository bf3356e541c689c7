"""Readiness follows the last cycle; the body is the status payload."""

from __future__ import annotations

import orjson

from services.ingest.health import answer
from services.ingest.status import IngestStatus


def test_readiness_follows_the_status() -> None:
    status = IngestStatus()
    assert answer("/healthz", status)[0] == 200
    code, body = answer("/readyz", status)
    assert code == 503 and orjson.loads(body)["state"] == "starting"
    status.ready, status.state = True, "idle"
    assert answer("/readyz", status)[0] == 200
    assert answer("/elsewhere", status)[0] == 404
