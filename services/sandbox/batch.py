"""JSON batching: ``POST /v1.0/$batch`` (and ``/beta/$batch``) with up to 20 requests.

Each inner request is answered on its own, as Graph does: its own status,
headers and body under the request's ``id``; a throttled (429, with
``Retry-After``) or failed (5xx) inner request leaves the others alone.
Injected faults apply per inner request (matched on ``/v1.0/<url>``), and
inner requests appear in ``/sandbox/requests`` with ``"batch": true``.

Interaction-history requests are answered directly (they make up the bulk of
a backfill); any other inner request goes through the application itself.
"""

from __future__ import annotations

import asyncio
import base64
from typing import Any
from urllib.parse import parse_qsl

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.types import Message, Scope

from services.sandbox.errors import graph_error
from services.sandbox.faults import fault_response
from services.sandbox.graphauth import GraphDenied, authenticated, require, sandbox
from services.sandbox.interactions import PATH as HISTORY_PATH
from services.sandbox.interactions import history_pages

router = APIRouter(tags=["graph batch"])
MAX_REQUESTS = 20
JSON = "application/json"


class BadBatch(ValueError):
    pass


def _requests_of(raw: bytes) -> list[dict[str, Any]]:
    try:
        payload = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadBatch(f"Invalid JSON in the batch request body: {exc}") from None
    requests = payload.get("requests") if isinstance(payload, dict) else None
    if not isinstance(requests, list) or not requests:
        raise BadBatch("A batch request body needs a non-empty 'requests' array.")
    if len(requests) > MAX_REQUESTS:
        raise BadBatch(f"The number of requests in a batch may not exceed {MAX_REQUESTS}.")
    ids = [r.get("id") if isinstance(r, dict) else None for r in requests]
    if any(not isinstance(i, str) or not i for i in ids):
        raise BadBatch("Every request in a batch needs a string 'id'.")
    if len(set(ids)) != len(ids):
        raise BadBatch("Request ids in a batch must be unique.")
    for inner in requests:
        if not isinstance(inner.get("method"), str) or not isinstance(inner.get("url"), str):
            raise BadBatch(f"Request '{inner['id']}' needs a 'method' and a 'url'.")
        if "dependsOn" in inner:
            raise BadBatch("dependsOn is not supported by this tenant.")
    return requests


@router.post("/v1.0/$batch")
@router.post("/beta/$batch")
async def json_batch(request: Request) -> Response:
    """Up to 20 Graph requests in one; answers in ``responses``, matched by ``id``."""
    authenticated(request)  # the batch itself needs a valid token; roles count per request
    try:
        requests = _requests_of(await request.body())
    except BadBatch as exc:
        return graph_error(400, str(exc))
    state = sandbox(request)
    version = request.url.path.split("/")[1]
    base = str(request.base_url).rstrip("/")
    answers: list[dict[str, Any] | None] = []
    # interaction-history requests that get a page: (answer index, user, params, url, log entry)
    history: list[tuple[int, str, dict[str, str], str, dict[str, Any]]] = []
    for inner in requests:
        method = inner["method"].upper()
        url: str = inner["url"]
        if url.startswith(("http://", "https://")):
            status, headers, body = _error(400, "Batch request urls are relative to the version.")
            answers.append(_response(inner["id"], status, headers, body))
            continue
        path, _, query = url.lstrip("/").partition("?")
        path = f"/{version}/{path}"
        match = HISTORY_PATH.match(path) if method == "GET" else None
        if match is None:
            status, headers, body = await _dispatch(request, method, path, query, inner)
            answers.append(_response(inner["id"], status, headers, body))
            continue
        entry: dict[str, Any] = {
            "method": method,
            "path": path,
            "query": query,
            "authorization": True,
            "batch": True,
        }
        state.faults.log.append(entry)
        fault = state.faults.take(method, f"{path}?{query}" if query else path)
        if fault is not None and fault.spec.delay_seconds:
            await asyncio.sleep(fault.spec.delay_seconds)
        if fault is not None and fault.spec.status >= 300:
            failed = fault_response(fault, path)
            entry.update(fault=fault.id, status=failed.status_code)
            answers.append(
                _response(inner["id"], failed.status_code, dict(failed.headers), bytes(failed.body))
            )
            continue
        try:
            require(request, "AiEnterpriseInteraction.Read.All")
        except GraphDenied as denied:
            refused = denied.response
            entry["status"] = refused.status_code
            answers.append(
                _response(
                    inner["id"], refused.status_code, dict(refused.headers), bytes(refused.body)
                )
            )
            continue
        params = dict(parse_qsl(query, keep_blank_values=True))
        history.append((len(answers), match.group(1), params, f"{base}{path}", entry))
        answers.append(None)
    pages = history_pages(state, [(user, params, url) for _, user, params, url, _ in history])
    for (index, _, _, _, entry), (status, headers, body) in zip(history, pages, strict=True):
        entry["status"] = status
        answers[index] = _response(requests[index]["id"], status, headers, body)
    return Response(orjson.dumps({"responses": answers}), media_type=JSON)


def _error(status: int, message: str) -> tuple[int, dict[str, str], bytes]:
    failed = graph_error(status, message)
    return status, dict(failed.headers), bytes(failed.body)


def _response(request_id: str, status: int, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    kept = {
        name.title(): value
        for name, value in headers.items()
        if name.lower() not in ("content-length", "date", "server")
    }
    content_type = headers.get("content-type", "")
    answer: dict[str, Any] = {"id": request_id, "status": status, "headers": kept}
    if body:
        # JSON bodies travel as JSON; anything else (a CSV report) base64-encoded, as in Graph
        answer["body"] = (
            orjson.Fragment(body) if JSON in content_type else base64.b64encode(body).decode()
        )
    return answer


async def _dispatch(
    request: Request, method: str, path: str, query: str, inner: dict[str, Any]
) -> tuple[int, dict[str, str], bytes]:
    """Run one inner request through the application, with the batch's credentials."""
    headers = [
        (k.lower().encode(), str(v).encode()) for k, v in (inner.get("headers") or {}).items()
    ]
    body = b""
    if "body" in inner:
        body = orjson.dumps(inner["body"])
        if not any(k == b"content-type" for k, _ in headers):
            headers.append((b"content-type", JSON.encode()))
    for name in (b"authorization", b"client-request-id"):
        value = request.headers.get(name.decode())
        if value is not None:
            headers.append((name, value.encode()))
    scope: Scope = {
        **request.scope,
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "headers": headers,
    }
    scope.pop("route", None)
    scope.pop("endpoint", None)
    scope.pop("path_params", None)
    sent = False
    started: dict[str, Any] = {}
    chunks: list[bytes] = []

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            started.update(message)
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await request.app(scope, receive, send)
    answer_headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in started["headers"]}
    return int(started["status"]), answer_headers, b"".join(chunks)
