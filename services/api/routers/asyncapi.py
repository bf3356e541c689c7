"""The bus's contracts as an AsyncAPI 3.0.0 document (:mod:`shared.asyncapi`), in JSON and YAML.

Public: the document holds no data, only the shapes of the messages and who sends and
reads them. It is built once per process, on first request (in a worker thread: building
takes a few hundred milliseconds), and served from memory.
"""

from __future__ import annotations

from functools import cache

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from shared.asyncapi import specification

router = APIRouter(tags=["events"])

JSON = "application/json"
YAML = "application/yaml"


@cache
def rendered(version: str) -> tuple[bytes, bytes]:
    """The document in JSON and in YAML, built from the same specification."""
    spec = specification(version)
    return spec.to_json().encode(), spec.to_yaml().encode()


@router.get(
    "/asyncapi",
    response_class=Response,
    responses={200: {"content": {JSON: {"schema": {"type": "object"}}}}},
)
async def asyncapi_json(request: Request) -> Response:
    """The AsyncAPI 3.0.0 document of every NATS subject, in JSON."""
    json, _ = await run_in_threadpool(rendered, request.app.version)
    return Response(json, media_type=JSON)


@router.get(
    "/asyncapi.yaml",
    response_class=Response,
    responses={200: {"content": {YAML: {"schema": {"type": "object"}}}}},
)
async def asyncapi_yaml(request: Request) -> Response:
    """The same document in YAML."""
    _, yaml = await run_in_threadpool(rendered, request.app.version)
    return Response(yaml, media_type=YAML)
