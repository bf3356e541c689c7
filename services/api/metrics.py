"""Prometheus metrics: requests by route, latency, connected screens, awards seen."""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class ApiMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "uptake_api_requests",
            "HTTP requests by route and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "uptake_api_request_seconds",
            "Time to first response byte by route",
            ["route"],
            registry=self.registry,
        )
        self.screens = Gauge(
            "uptake_api_connected_screens", "Open live streams", registry=self.registry
        )
        self.awards = Counter(
            "uptake_api_awards", "Awards received from AWARDS", ["kind"], registry=self.registry
        )


class MetricsMiddleware:
    """Counts requests by route template (never by raw path, which could hold ids)."""

    def __init__(self, app: ASGIApp, metrics: ApiMetrics) -> None:
        self.app = app
        self.metrics = metrics
        # labels() takes a lock and builds a key each call: keep the children at hand.
        self._counters: dict[tuple[str, str, int], Any] = {}
        self._timers: dict[str, Any] = {}

    def _timer(self, route: str) -> Any:
        timer = self._timers.get(route)
        if timer is None:
            timer = self._timers[route] = self.metrics.latency.labels(route)
        return timer

    def _counter(self, method: str, route: str, status: int) -> Any:
        key = (method, route, status)
        counter = self._counters.get(key)
        if counter is None:
            counter = self._counters[key] = self.metrics.requests.labels(method, route, str(status))
        return counter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                self.metrics.latency.labels(_route_of(scope)).observe(time.perf_counter() - started)
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            self._counter(scope["method"], _route_of(scope), status).inc()


def _route_of(scope: Scope) -> str:
    """The matched route template; the router records it in the shared scope."""
    route = scope.get("route")
    return str(getattr(route, "path", "unmatched"))
