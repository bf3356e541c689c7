"""Browser sessions: a random id in an HttpOnly cookie, everything else in Redis.

A signed-in browser holds one cookie, ``__Host-uptake_session`` (HttpOnly, Secure,
``Path=/``, no ``Domain``), whose value is 32 random bytes. Redis keeps the session
under the SHA-256 of that value (so a leaked Redis dump opens no session) with a TTL
equal to the session's absolute lifetime (``API_SESSION_HOURS``, default 8): it ends
then, whatever the browser does, and signing out deletes it at once.

A session holds the person's pseudonymous id, their app roles, their display name
(shown to themselves only), the subject of the token it was opened with (for audit
logs) and a CSRF value. Scripts never see the cookie; they read the CSRF value from
``GET /auth/session`` and send it as ``X-CSRF-Token`` on every unsafe request, which
the guard requires of cookie-authenticated POST, PUT, PATCH and DELETE.

``SameSite`` is ``Lax`` by default. ``API_SESSION_SAME_SITE=none`` makes it
``SameSite=None; Partitioned``, for a gateway shown in a Teams tab (framed by
teams.microsoft.com, where a ``Lax`` cookie would not be sent); the cookie is then
kept apart per top-level site (CHIPS).

Any sign-in path opens a session the same way, once it knows who the person is::

    from services.api.auth.sessions import open_session

    store = request.app.state.resources.guard.sessions  # the gateway's SessionStore
    session = await open_session(
        store, response, person=pseudonym(oid, key), roles=roles, name=name, label=sub
    )

``open_session`` stores the session and sets the cookie on ``response`` (any
Starlette response: a redirect, JSON, 204). :func:`close_session` ends it.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from redis.asyncio import Redis
from starlette.requests import HTTPConnection
from starlette.responses import Response

COOKIE = "__Host-uptake_session"
CSRF_HEADER = "X-CSRF-Token"
KEY_PREFIX = "auth:session:"
# The sessions of one person, so that erasing them ends every browser they signed in on.
PERSON_PREFIX = "auth:person:"
SameSite = Literal["lax", "none"]
MAX_ROLES = 20
MAX_ROLE_LENGTH = 100
MAX_NAME_LENGTH = 200


@dataclass(frozen=True)
class Session:
    """One signed-in browser, as the gateway knows it."""

    person: str  # pseudonymous id (shared.ids.pseudonym of the Entra object id)
    roles: frozenset[str]
    name: str  # the person's display name, shown to them alone
    csrf: str  # scripts echo it in X-CSRF-Token on unsafe requests
    expires_at: datetime
    label: str = ""  # the token's subject, for audit logs

    def public(self) -> dict[str, object]:
        """What ``GET /auth/session`` answers: never the cookie's value."""
        return {
            "person": self.person,
            "name": self.name,
            "roles": sorted(self.roles),
            "csrf": self.csrf,
            "expires_at": self.expires_at.isoformat(),
        }


def session_key(cookie_value: str) -> str:
    return KEY_PREFIX + hashlib.sha256(cookie_value.encode()).hexdigest()


def clean_roles(roles: Iterable[object]) -> frozenset[str]:
    """App roles as the token lists them; anything that is not a short string is refused."""
    found = list(roles)
    if len(found) > MAX_ROLES:
        raise ValueError("too many roles")
    if not all(isinstance(r, str) and 0 < len(r) <= MAX_ROLE_LENGTH for r in found):
        raise ValueError("roles must be short strings")
    return frozenset(str(r) for r in found)


class SessionStore:
    """Sessions in Redis, and the cookie that names them."""

    def __init__(
        self,
        redis: Redis,
        *,
        lifetime: timedelta = timedelta(hours=8),
        same_site: SameSite = "lax",
        clock: Callable[[], float] = time.time,
    ) -> None:
        if lifetime <= timedelta(0):
            raise ValueError("a session needs a positive lifetime")
        self._redis = redis
        self.lifetime = lifetime
        self.same_site = same_site
        self._clock = clock

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC)

    async def create(
        self, *, person: str, roles: Iterable[str], name: str, label: str = ""
    ) -> tuple[str, Session]:
        """A new session; returns the cookie's value (shown nowhere else) and the session."""
        value = secrets.token_urlsafe(32)
        expires_at = self.now().replace(microsecond=0) + self.lifetime
        session = Session(
            person=person,
            roles=clean_roles(roles),
            name=name[:MAX_NAME_LENGTH],
            csrf=secrets.token_urlsafe(32),
            expires_at=expires_at,
            label=label,
        )
        record = {
            "person": session.person,
            "roles": sorted(session.roles),
            "name": session.name,
            "csrf": session.csrf,
            "expires_at": expires_at.timestamp(),
            "label": label,
        }
        seconds = max(1, int(self.lifetime.total_seconds()))
        key = session_key(value)
        index = PERSON_PREFIX + person
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.set(key, json.dumps(record), ex=seconds)
            pipe.sadd(index, key)
            pipe.expire(index, seconds)  # outlives none of the sessions it lists
            await pipe.execute()
        return value, session

    async def get(self, cookie_value: str) -> Session | None:
        """The live session this cookie names, or None (unknown, ended or expired)."""
        if not cookie_value or len(cookie_value) > 128:
            return None
        raw = await self._redis.get(session_key(cookie_value))
        if raw is None:
            return None
        record = json.loads(raw)
        expires_at = datetime.fromtimestamp(float(record["expires_at"]), UTC)
        if expires_at <= self.now():
            return None
        return Session(
            person=str(record["person"]),
            roles=frozenset(str(r) for r in record["roles"]),
            name=str(record["name"]),
            csrf=str(record["csrf"]),
            expires_at=expires_at,
            label=str(record.get("label", "")),
        )

    async def delete(self, cookie_value: str) -> None:
        if cookie_value and len(cookie_value) <= 128:
            await self._redis.delete(session_key(cookie_value))

    async def end_person(self, person: str) -> int:
        """End every session of ``person`` (an erasure); returns how many were live."""
        index = PERSON_PREFIX + person
        keys = [
            k.decode() if isinstance(k, bytes) else str(k)
            for k in await self._redis.smembers(index)
        ]
        ended = int(await self._redis.delete(*keys)) if keys else 0
        await self._redis.delete(index)
        return ended

    async def from_request(self, request: HTTPConnection) -> Session | None:
        value = request.cookies.get(COOKIE)
        return await self.get(value) if value else None

    def set_cookie(self, response: Response, value: str) -> None:
        seconds = int(self.lifetime.total_seconds())
        response.headers.append("set-cookie", self._cookie(value, seconds))

    def clear_cookie(self, response: Response) -> None:
        response.headers.append("set-cookie", self._cookie("", 0))

    def _cookie(self, value: str, max_age: int) -> str:
        # Starlette's set_cookie cannot say Partitioned on every version we run on.
        attributes = [f"{COOKIE}={value}", "Path=/", f"Max-Age={max_age}", "HttpOnly", "Secure"]
        if self.same_site == "none":
            attributes += ["SameSite=None", "Partitioned"]
        else:
            attributes.append("SameSite=Lax")
        return "; ".join(attributes)


async def open_session(
    store: SessionStore,
    response: Response,
    *,
    person: str,
    roles: Iterable[str],
    name: str,
    label: str = "",
) -> Session:
    """Sign a browser in: store a new session and set its cookie on ``response``.

    ``person`` is the pseudonymous id (``shared.ids.pseudonym(oid, PSEUDONYM_KEY)``),
    ``roles`` the app roles of the person's token (``Admin``, ``Insights.Read``),
    ``name`` their display name, ``label`` the token's subject for audit logs.
    Raises ValueError for roles that are not short strings.
    """
    value, session = await store.create(person=person, roles=roles, name=name, label=label)
    store.set_cookie(response, value)
    return session


async def close_session(store: SessionStore, request: HTTPConnection, response: Response) -> None:
    """Sign a browser out: delete its session, if any, and clear its cookie."""
    value = request.cookies.get(COOKIE)
    if value:
        await store.delete(value)
    store.clear_cookie(response)
