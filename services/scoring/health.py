"""``/healthz``, ``/readyz`` and ``/metrics`` of scoring, on ``SCORING_HEALTH_PORT`` when set."""

from __future__ import annotations

from collections.abc import Callable

from shared.probes import ProbeServer, alive, metrics, readiness


def health_server(ready: Callable[[], bool]) -> ProbeServer:
    return ProbeServer({"/healthz": alive, "/readyz": readiness(ready), "/metrics": metrics})
