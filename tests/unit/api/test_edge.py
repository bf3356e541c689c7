"""The response cache before routing: anonymous 200s of public boards, dropped on change."""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import Message, Receive, Scope, Send

from services.api.edge import EdgeCache, EdgeCacheMiddleware


class CountingApp:
    def __init__(self, status: int = 200) -> None:
        self.calls = 0
        self.status = status
        self.before_answer: Callable[[], None] = lambda: None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.calls += 1
        self.before_answer()
        await send({"type": "http.response.start", "status": self.status, "headers": []})
        await send({"type": "http.response.body", "body": str(self.calls).encode()})


def request(path: str = "/api/leaderboards/teams", query: bytes = b"", **headers: str) -> Scope:
    return {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": query,
        "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
    }


async def get(middleware: EdgeCacheMiddleware, scope: Scope) -> bytes:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        sent.append(message)

    await middleware(scope, receive, send)
    return bytes(sent[1]["body"])


async def test_anonymous_board_reads_are_answered_from_the_cache_until_cleared() -> None:
    app, cache = CountingApp(), EdgeCache(ttl=60)
    middleware = EdgeCacheMiddleware(app, cache)

    assert await get(middleware, request()) == b"1"
    assert await get(middleware, request()) == b"1"
    assert await get(middleware, request(query=b"window=week")) == b"2"
    cache.clear()
    assert await get(middleware, request()) == b"3"


async def test_callers_with_credentials_and_other_paths_always_reach_the_app() -> None:
    app = CountingApp()
    middleware = EdgeCacheMiddleware(app, EdgeCache(ttl=60))

    for scope in (
        request(authorization="Bearer x"),
        request(query=b"token=upd_abc"),
        request(path="/api/me"),
    ):
        await get(middleware, scope)
        await get(middleware, scope)
    assert app.calls == 6


async def test_errors_and_answers_made_during_a_change_are_not_kept() -> None:
    failing = CountingApp(status=422)
    middleware = EdgeCacheMiddleware(failing, EdgeCache(ttl=60))
    await get(middleware, request())
    await get(middleware, request())
    assert failing.calls == 2

    app, cache = CountingApp(), EdgeCache(ttl=60)
    app.before_answer = cache.clear  # an award arrives while the answer is made
    middleware = EdgeCacheMiddleware(app, cache)
    await get(middleware, request())
    await get(middleware, request())
    assert app.calls == 2
