"""Turns request credentials into a :class:`Principal`, or a clear 401."""

from __future__ import annotations

from fastapi import HTTPException, Request

from services.api.auth.display import DisplayTokens, looks_like_display_token
from services.api.auth.entra import EntraValidator, InvalidToken
from services.api.auth.principal import ANONYMOUS, Principal

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="uptake"'}


def unauthorized(reason: str) -> HTTPException:
    return HTTPException(401, reason, headers=CHALLENGE)


def credentials(request: Request) -> str | None:
    """A bearer token, or for screens (EventSource cannot send headers) ``?token=``."""
    header = request.headers.get("authorization")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise unauthorized("expected 'Authorization: Bearer <token>'")
        return token.strip()
    query = request.query_params.get("token")
    if query and looks_like_display_token(query):
        return query
    return None


class Guard:
    def __init__(self, displays: DisplayTokens, entra: EntraValidator | None) -> None:
        self.displays = displays
        self.entra = entra

    async def principal(self, request: Request) -> Principal:
        token = credentials(request)
        if token is None:
            return ANONYMOUS
        if looks_like_display_token(token):
            found = await self.displays.principal(token)
            if found is None:
                raise unauthorized("display token unknown or revoked")
            return found
        if self.entra is None:
            raise unauthorized("sign-in is not configured on this gateway")
        try:
            return await self.entra.principal(token)
        except InvalidToken as exc:
            raise unauthorized(str(exc)) from exc
