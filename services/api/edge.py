"""A response cache in front of routing for public board reads.

Many screens poll the same few boards; an anonymous ``GET`` of a public
board is answered from here, byte for byte what the route answered moments
ago, without routing, validation or dependencies. Only anonymous answers are
kept (no ``Authorization`` header, no ``token``), only ``200`` JSON, only for
``ttl`` seconds, and everything is dropped when an award or a rule change
arrives, like the rendered-board cache behind it.
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CACHED_PREFIX = "/api/leaderboards/"


class EdgeCache:
    def __init__(self, ttl: float, max_entries: int = 512) -> None:
        self.ttl = ttl
        self._max = max_entries
        self._entries: dict[tuple[str, bytes], tuple[float, list[Message]]] = {}
        self._generation = 0

    def get(self, key: tuple[str, bytes]) -> list[Message] | None:
        hit = self._entries.get(key)
        if hit is None or hit[0] <= time.monotonic():
            return None
        return hit[1]

    def put(self, key: tuple[str, bytes], messages: list[Message], generation: int) -> None:
        if generation != self._generation:
            return  # an award arrived while this answer was being made
        if len(self._entries) >= self._max:
            self._entries.clear()
        self._entries[key] = (time.monotonic() + self.ttl, messages)

    @property
    def generation(self) -> int:
        return self._generation

    def clear(self) -> None:
        self._generation += 1
        self._entries.clear()


def cacheable(scope: Scope) -> bool:
    if scope["type"] != "http" or scope["method"] != "GET":
        return False
    if not scope["path"].startswith(CACHED_PREFIX) or b"token=" in scope["query_string"]:
        return False
    return all(name != b"authorization" for name, _ in scope["headers"])


class EdgeCacheMiddleware:
    def __init__(self, app: ASGIApp, cache: EdgeCache) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.cache.ttl <= 0 or not cacheable(scope):
            await self.app(scope, receive, send)
            return
        key = (scope["path"], scope["query_string"])
        hit = self.cache.get(key)
        if hit is not None:
            for message in hit:
                await send(message)
            return
        generation = self.cache.generation
        sent: list[Message] = []

        async def record(message: Message) -> None:
            sent.append(message)
            await send(message)

        await self.app(scope, receive, record)
        if complete_ok(sent):
            self.cache.put(key, sent, generation)


def complete_ok(sent: list[Message]) -> bool:
    """A 200 answer sent whole: a start and one final body message."""
    return (
        len(sent) == 2
        and sent[0]["type"] == "http.response.start"
        and sent[0]["status"] == 200
        and not sent[1].get("more_body", False)
    )
