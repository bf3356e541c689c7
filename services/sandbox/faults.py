"""Injected faults: throttling, server errors and slow answers on matching paths."""

from __future__ import annotations

import asyncio
import itertools
import re
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.sandbox.errors import entra_error, graph_error

ADMIN_PREFIX = "/sandbox/"


class FaultSpec(BaseModel):
    """What to inject: ``pattern`` is a regular expression searched in path?query."""

    pattern: str = ".*"
    status: int = Field(default=503, ge=200, le=599)
    retry_after: int | None = None
    count: int | None = Field(default=1, description="how many requests; null = until cleared")
    method: str | None = None
    delay_seconds: float = 0.0
    message: str | None = None


@dataclass
class Fault:
    id: int
    spec: FaultSpec
    regex: re.Pattern[str]
    remaining: int | None
    hits: int = 0

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            **self.spec.model_dump(),
            "remaining": self.remaining,
            "hits": self.hits,
        }


@dataclass
class FaultBook:
    faults: list[Fault] = field(default_factory=list)
    log: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=2000))
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, spec: FaultSpec) -> Fault:
        fault = Fault(next(self._ids), spec, re.compile(spec.pattern), spec.count)
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()

    def take(self, method: str, target: str) -> Fault | None:
        """The first live fault matching this request, consuming one of its uses."""
        with self._lock:
            for fault in self.faults:
                if fault.spec.method and fault.spec.method.upper() != method:
                    continue
                if not fault.regex.search(target):
                    continue
                fault.hits += 1
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self.faults.remove(fault)
                return fault
        return None


def fault_response(fault: Fault, path: str) -> Response:
    spec = fault.spec
    headers = {"Retry-After": str(spec.retry_after)} if spec.retry_after is not None else {}
    message = spec.message or f"Injected fault {fault.id} ({spec.status})."
    if "/oauth2/" in path:
        error = "temporarily_unavailable" if spec.status >= 500 else "invalid_request"
        return entra_error(
            spec.status, error, 50001 if spec.status < 500 else 90033, message, headers
        )
    return graph_error(spec.status, message, headers=headers)


class FaultMiddleware:
    """Pure ASGI middleware: injects faults and records requests, cheaply per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        book: FaultBook = scope["app"].state.sandbox.faults
        path: str = scope["path"]
        query = scope["query_string"].decode("latin-1")
        admin = path.startswith(ADMIN_PREFIX)
        method: str = scope["method"]
        fault = None if admin else book.take(method, f"{path}?{query}" if query else path)
        headers = dict(scope["headers"])
        entry: dict[str, Any] = {
            "method": method,
            "path": path,
            "query": query,
            "authorization": b"authorization" in headers,
        }
        if fault is not None and fault.spec.delay_seconds:
            await asyncio.sleep(fault.spec.delay_seconds)
        if fault is not None and fault.spec.status >= 300:
            entry.update(fault=fault.id, status=fault.spec.status)
            book.log.append(entry)
            await fault_response(fault, path)(scope, receive, send)
            return

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry["status"] = message["status"]
                if not admin:
                    book.log.append(entry)
                    sent = [name for name, _ in message.get("headers", [])]
                    if b"request-id" not in sent:
                        # Graph names every answer; clients log these ids for support cases
                        request_id = str(uuid.uuid4()).encode()
                        client_id = headers.get(b"client-request-id", request_id)
                        extra = [(b"request-id", request_id), (b"client-request-id", client_id)]
                        message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, recording_send)
