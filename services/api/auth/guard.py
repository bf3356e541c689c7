"""Turns request credentials into a :class:`Principal`, or a clear 401 (or 403).

In order: a bearer token (``Authorization``), a display token in ``?token=`` (screens:
EventSource cannot send headers), then the browser's session cookie. A request the
cookie authenticates with an unsafe method must echo the session's CSRF value in
``X-CSRF-Token``: another site can make a browser send the cookie, not read the value.
"""

from __future__ import annotations

import secrets

from fastapi import HTTPException, Request

from services.api.auth.display import DisplayTokens, looks_like_display_token
from services.api.auth.entra import EntraValidator, InvalidToken
from services.api.auth.oidc import OidcSignIn
from services.api.auth.principal import ANONYMOUS, Principal
from services.api.auth.sessions import CSRF_HEADER, Session, SessionStore

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="uptake"'}
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


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


def check_csrf(request: Request, session: Session) -> None:
    """403 unless an unsafe request carries this session's CSRF value."""
    if request.method not in UNSAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent or not secrets.compare_digest(sent.encode(), session.csrf.encode()):
        raise HTTPException(403, f"send the session's {CSRF_HEADER} header with this request")


class Guard:
    def __init__(
        self,
        displays: DisplayTokens,
        entra: EntraValidator | None,
        sessions: SessionStore,
        signin: OidcSignIn | None = None,
    ) -> None:
        self.displays = displays
        self.entra = entra
        self.sessions = sessions
        self.signin = signin  # None: browsers cannot sign in on this gateway

    async def principal(self, request: Request) -> Principal:
        token = credentials(request)
        if token is None:
            return await self._from_session(request)
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

    async def _from_session(self, request: Request) -> Principal:
        session = await self.sessions.from_request(request)
        if session is None:
            return ANONYMOUS
        check_csrf(request, session)
        return Principal("user", person=session.person, roles=session.roles, label=session.label)
