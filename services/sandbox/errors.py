"""Response bodies: fast JSON, and errors in the shapes Entra ID and Microsoft Graph use."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import orjson
from fastapi.responses import JSONResponse, Response

GRAPH_CODES = {
    400: "BadRequest",
    401: "InvalidAuthenticationToken",
    403: "Forbidden",
    404: "ResourceNotFound",
    429: "TooManyRequests",
    500: "InternalServerError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}


class FastJSONResponse(Response):
    """JSON through orjson: report pages and interaction history can be large."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def graph_error(
    status: int,
    message: str,
    code: str | None = None,
    headers: dict[str, str] | None = None,
    client_request_id: str | None = None,
) -> JSONResponse:
    request_id = str(uuid.uuid4())
    body = {
        "error": {
            "code": code or GRAPH_CODES.get(status, "UnknownError"),
            "message": message,
            "innerError": {
                "date": _now().strftime("%Y-%m-%dT%H:%M:%S"),
                "request-id": request_id,
                "client-request-id": client_request_id or request_id,
            },
        }
    }
    merged = {"request-id": request_id, **(headers or {})}
    return JSONResponse(body, status_code=status, headers=merged)


def entra_error(
    status: int, error: str, code: int, description: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    trace_id, correlation_id = str(uuid.uuid4()), str(uuid.uuid4())
    now = _now()
    body: dict[str, Any] = {
        "error": error,
        "error_description": (
            f"AADSTS{code}: {description} Trace ID: {trace_id} Correlation ID: {correlation_id}"
            f" Timestamp: {now.strftime('%Y-%m-%d %H:%M:%SZ')}"
        ),
        "error_codes": [code],
        "timestamp": now.strftime("%Y-%m-%d %H:%M:%SZ"),
        "trace_id": trace_id,
        "correlation_id": correlation_id,
        "error_uri": f"https://login.microsoftonline.com/error?code={code}",
    }
    return JSONResponse(body, status_code=status, headers=headers)
