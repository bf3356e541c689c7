"""Bearer-token checks for the Graph endpoints, answering like Graph does."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from services.sandbox.errors import graph_error
from services.sandbox.state import SandboxState
from services.sandbox.tokens import GRAPH_APP_ID, GRAPH_AUDIENCE, TokenRejected


class GraphDenied(Exception):
    def __init__(self, response: JSONResponse) -> None:
        self.response = response


def sandbox(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


def require(request: Request, role: str) -> dict[str, Any]:
    """Claims of a valid Graph token holding ``role``, else raise GraphDenied."""
    claims = authenticated(request)
    if role not in claims.get("roles", []):
        raise GraphDenied(
            graph_error(
                403,
                "Insufficient privileges to complete the operation.",
                code="Authorization_RequestDenied",
                client_request_id=request.headers.get("client-request-id"),
            )
        )
    return claims


def authenticated(request: Request) -> dict[str, Any]:
    """Claims of a valid Graph token, whatever its roles, else raise GraphDenied (401)."""
    header = request.headers.get("authorization", "")
    client_request_id = request.headers.get("client-request-id")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise GraphDenied(
            graph_error(401, "Access token is empty.", client_request_id=client_request_id)
        )
    try:
        claims = sandbox(request).tokens.validate(token.strip(), (GRAPH_AUDIENCE, GRAPH_APP_ID))
    except TokenRejected as exc:
        raise GraphDenied(
            graph_error(
                401, f"Access token validation failure. {exc}", client_request_id=client_request_id
            )
        ) from exc
    return claims
