"""Graph JSON batching on the client side: request shape, answers by id, retries, links."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

from services.ingest.batching import (
    UNREADABLE,
    Answer,
    Pending,
    follow,
    relative_url,
    retry_wait,
    send_batch,
    split_version,
)
from services.ingest.graph import GraphClient, GraphError
from services.ingest.interactions import HistoryPage
from services.ingest.retry import Backoff
from tests.unit.ingest.test_graph_client import BASE, Tokens


def graph(answer: dict[str, Any] | bytes, seen: list[httpx.Request]) -> GraphClient:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        content = answer if isinstance(answer, bytes) else orjson.dumps(answer)
        return httpx.Response(200, content=content, headers={"content-type": "application/json"})

    async def sleep(seconds: float) -> None:
        pass

    return GraphClient(
        BASE,
        Tokens(),
        transport=httpx.MockTransport(handler),
        backoff=Backoff(base=1.0, cap=8.0, attempts=3),
        sleep=sleep,
    )


def page(*ids: str, next_link: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "value": [
            {
                "id": i,
                "interactionType": "userPrompt",
                "appClass": "IPM.SkypeTeams.Message.Copilot.Word",
                "createdDateTime": "2026-03-01T10:00:00.000Z",
                "body": {"contentType": "text", "content": "never read"},
            }
            for i in ids
        ]
    }
    if next_link:
        body["@odata.nextLink"] = next_link
    return body


async def test_requests_go_in_one_post_and_answers_come_back_by_id() -> None:
    seen: list[httpx.Request] = []
    answer = {
        "responses": [  # in any order, as Graph may answer
            {"id": "b", "status": 429, "headers": {"Retry-After": "7"}, "body": {"error": {}}},
            {"id": "a", "status": 200, "headers": {}, "body": page("1", "2", next_link="x")},
        ]
    }
    client = graph(answer, seen)
    answers = await send_batch(
        client, "v1.0", {"a": "users/a/h?$top=100", "b": "users/b/h", "c": "users/c/h"}, HistoryPage
    )
    [request] = seen
    assert request.method == "POST" and request.url.path == "/v1.0/$batch"
    assert request.headers["authorization"] == "Bearer t1"
    sent = orjson.loads(request.content)["requests"]
    assert sent[0] == {"id": "a", "method": "GET", "url": "users/a/h?$top=100"}
    first = answers["a"].body
    assert answers["a"].status == 200 and isinstance(first, HistoryPage)
    assert [item.id for item in first.value] == ["1", "2"] and first.next_link == "x"
    assert not hasattr(first.value[0], "body")  # the prompt text is never decoded
    assert answers["b"].status == 429 and answers["b"].retry_after == 7.0
    assert answers["c"].status == UNREADABLE  # left out by the server: retried as a 502


async def test_an_answer_of_an_unexpected_shape_spoils_only_itself() -> None:
    answer = {
        "responses": [
            {"id": "a", "status": 200, "body": {"value": "not a list"}},
            {"id": "b", "status": 200, "body": page("9")},
            {"id": "c", "status": 500, "body": "aGVsbG8="},  # a base64 body
        ]
    }
    answers = await send_batch(
        graph(answer, []), "v1.0", {"a": "x", "b": "y", "c": "z"}, HistoryPage
    )
    assert answers["a"].status == UNREADABLE and answers["a"].body is None
    body = answers["b"].body
    assert isinstance(body, HistoryPage) and body.value[0].id == "9"
    assert answers["c"].status == 500


async def test_an_unreadable_batch_is_a_graph_error() -> None:
    with pytest.raises(GraphError) as failure:
        await send_batch(graph(b"<html>proxy error</html>", []), "v1.0", {"a": "x"}, HistoryPage)
    assert failure.value.status == UNREADABLE


async def test_batches_hold_one_to_twenty_requests() -> None:
    client = graph({"responses": []}, [])
    with pytest.raises(ValueError):
        await send_batch(client, "v1.0", {str(n): "x" for n in range(21)}, HistoryPage)
    with pytest.raises(ValueError):
        await send_batch(client, "v1.0", {}, HistoryPage)


def test_retry_after_then_backoff_then_give_up() -> None:
    client = graph({"responses": []}, [])
    item = Pending("a", "v1.0", "users/a/h")
    assert retry_wait(item, Answer(429, {"retry-after": "3"}, None), client) == 3.0
    wait = retry_wait(item, Answer(503, {}, None), client)
    assert wait is not None and 1.0 <= wait <= 2.0  # second attempt: base 1 * 2, with jitter
    assert retry_wait(item, Answer(503, {}, None), client) is None  # three attempts in all
    assert retry_wait(Pending("b", "v1.0", "u"), Answer(400, {}, None), client) is None


def test_next_links_become_urls_relative_to_their_version() -> None:
    item = Pending("a", "v1.0", "first")
    link = "https://graph.microsoft.com/v1.0/copilot/users/a/h?$top=100&$skiptoken=abc"
    assert follow(item, link) and (item.version, item.url) == (
        "v1.0",
        "copilot/users/a/h?$top=100&$skiptoken=abc",
    )
    assert not follow(item, None)
    assert split_version("https://proxy.example/graph/beta/users?x=1") == ("beta", "users?x=1")
    with pytest.raises(GraphError):
        split_version("https://example.com/nothing/here")


def test_inner_urls_are_percent_encoded_but_readable() -> None:
    url = relative_url("users/a/h", {"$top": "100", "$filter": "createdDateTime ge 2026-01-01"})
    assert url == "users/a/h?$top=100&$filter=createdDateTime%20ge%202026-01-01"
