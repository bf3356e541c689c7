"""The Graph client's retry, redirect and paging rules, over an in-memory transport."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from services.ingest.graph import GraphClient, GraphError, GraphUnavailable
from services.ingest.retry import Backoff, retry_after_seconds

BASE = "https://graph.test"


class Tokens:
    def __init__(self) -> None:
        self.issued = 0

    async def token(self, *, force: bool = False) -> str:
        if force or not self.issued:
            self.issued += 1
        return f"t{self.issued}"


def client(handler: Callable[[httpx.Request], httpx.Response]) -> tuple[GraphClient, list[float]]:
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    graph = GraphClient(
        BASE,
        Tokens(),
        transport=httpx.MockTransport(handler),
        backoff=Backoff(base=1.0, cap=8.0, attempts=4),
        sleep=sleep,
    )
    return graph, sleeps


async def test_429_waits_for_retry_after_then_succeeds() -> None:
    answers = iter(
        [httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, json={})]
    )
    graph, sleeps = client(lambda request: next(answers))
    assert (await graph.get("v1.0/x")).status_code == 200
    assert sleeps == [7.0]


async def test_5xx_backs_off_exponentially_with_jitter_and_gives_up() -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(
            503, json={"error": {"code": "serviceNotAvailable", "message": "busy"}}
        )

    graph, sleeps = client(handler)
    with pytest.raises(GraphError) as failure:
        await graph.get("v1.0/x")
    assert failure.value.status == 503 and failure.value.code == "serviceNotAvailable"
    assert len(calls) == 4 and len(sleeps) == 3
    for attempt, wait in enumerate(sleeps, start=1):
        ceiling = min(8.0, 2 ** (attempt - 1))
        assert ceiling / 2 <= wait <= ceiling


async def test_network_errors_are_retried_then_reported() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    graph, sleeps = client(handler)
    with pytest.raises(GraphUnavailable):
        await graph.get("v1.0/x")
    assert len(sleeps) == 3


async def test_4xx_is_not_retried() -> None:
    graph, sleeps = client(
        lambda request: httpx.Response(403, json={"error": {"code": "Forbidden"}})
    )
    with pytest.raises(GraphError) as failure:
        await graph.get("v1.0/x")
    assert failure.value.status == 403 and sleeps == []


async def test_redirect_is_followed_without_the_token() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "graph.test":
            return httpx.Response(302, headers={"Location": "https://download.test/r.csv?sig=x"})
        return httpx.Response(200, content=b"a,b\n")

    graph, _ = client(handler)
    response = await graph.get("v1.0/report")
    assert response.content == b"a,b\n"
    assert seen[0].headers["authorization"] == "Bearer t1"
    assert "authorization" not in seen[1].headers


async def test_401_renews_the_token_once() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.headers["authorization"] == "Bearer t1":
            return httpx.Response(401, json={"error": {"code": "InvalidAuthenticationToken"}})
        return httpx.Response(200, json={"ok": True})

    graph, _ = client(handler)
    assert await graph.get_json("v1.0/x") == {"ok": True}


async def test_pages_follow_next_link_until_absent() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "0"))
        body: dict[str, object] = {"value": [page]}
        if page < 2:
            body["@odata.nextLink"] = f"{BASE}/v1.0/items?page={page + 1}"
        return httpx.Response(200, json=body)

    graph, _ = client(handler)
    values = [page["value"][0] async for page in graph.pages("v1.0/items")]
    assert values == [0, 1, 2]


@pytest.mark.parametrize(
    ("header", "expected"),
    [("12", 12.0), ("0", 0.0), (None, None), ("soon", None), ("-3", 0.0)],
)
def test_retry_after_parsing(header: str | None, expected: float | None) -> None:
    assert retry_after_seconds(header) == expected


def test_retry_after_as_http_date() -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 7, 3, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("Fri, 03 Jul 2026 12:00:30 GMT", now=now) == 30.0
