"""Teams single sign-on: the token Teams hands a tab, checked, and the person it names.

Inside Teams a tab calls ``authentication.getAuthToken()``. The Teams client (pre-authorized
on the app registration) then holds an Entra access token for the app's own API: signed by
the tenant, issued by ``API_AUTH_ISSUER``, for the audience ``api://{host}/{client id}``
(the Application ID URI; v2.0 tokens carry the client id itself), with the delegated scope
``access_as_user`` and, as authorized party, one of the Teams clients. The gateway checks
all of that, then opens the same session the OpenID Connect sign-in opens.

When single sign-on cannot work (consent missing, an old client), the tab signs in through
``/auth/signin`` in a Teams pop-up instead. The pop-up is a window of its own, so the
session it gets does not reach the tab's frame (a partitioned cookie lives per top-level
site): :class:`Handoffs` carries it over. The tab makes a random verifier and sends only
its SHA-256 (the challenge) to the pop-up; the signed-in pop-up trades its session for a
one-time code bound to that challenge, passed back through Teams; the tab redeems the code
with the verifier within a minute, and gets a session of its own.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import jwt
from redis.asyncio import Redis

from services.api.auth.entra import EntraValidator, InvalidToken
from services.api.auth.jwks import KeySet
from services.api.auth.sessions import Session, clean_roles
from shared.ids import pseudonym
from shared.settings import ApiSettings

SSO_SCOPE = "access_as_user"
# The Teams desktop and mobile client, and Teams on the web: the app registration
# pre-authorizes both for access_as_user, and only they may sign a tab in this way.
TEAMS_CLIENTS = frozenset(
    {"1fec8e78-bce4-4aaf-ab1b-5451cc387264", "5e3ce6c0-2b1f-4285-8d4b-75ee78787346"}
)
HANDOFF_PREFIX = "auth:teams-handoff:"
HANDOFF_SECONDS = 60


def teams_resource(public_url: str, client_id: str) -> str:
    """The Application ID URI Teams asks tokens for: ``api://{host[:port]}/{client id}``."""
    parts = urlsplit(public_url)
    if not parts.hostname:
        raise ValueError(f"not an address: {public_url!r}")
    host = parts.hostname + (f":{parts.port}" if parts.port else "")
    return f"api://{host}/{client_id}"


def s256(verifier: str) -> str:
    """The challenge of a verifier: unpadded base64url of its SHA-256, as in PKCE."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass(frozen=True)
class TeamsIdentity:
    person: str  # pseudonymous id
    roles: frozenset[str]
    name: str
    label: str  # the token's subject, for audit logs


class TeamsSso:
    """Checks Teams single sign-on tokens against the tenant's keys."""

    def __init__(
        self, keys: KeySet, *, issuer: str, client_id: str, pseudonym_key: str, leeway: float
    ) -> None:
        self._keys = keys
        self._issuer = issuer
        self.client_id = client_id
        self._pseudonym_key = pseudonym_key
        self._leeway = leeway

    async def identity(self, token: str, resource: str) -> TeamsIdentity:
        """Who the token names, or InvalidToken saying why it must not be trusted."""
        claims = await self._validator(token, resource).claims(token)
        scopes = str(claims.get("scp", "")).split()
        if SSO_SCOPE not in scopes:
            raise InvalidToken(f"token lacks the {SSO_SCOPE} scope")
        client = claims.get("azp") or claims.get("appid")
        if client not in TEAMS_CLIENTS:
            raise InvalidToken("token was not obtained by a Teams client")
        oid = claims.get("oid")
        if not isinstance(oid, str) or not oid:
            raise InvalidToken("token names no person (oid)")
        raw_roles = claims.get("roles", [])
        try:
            roles = clean_roles(raw_roles if isinstance(raw_roles, list) else [raw_roles])
        except ValueError as exc:
            raise InvalidToken(f"roles claim is not usable: {exc}") from None
        name = claims.get("name")
        return TeamsIdentity(
            person=pseudonym(oid, self._pseudonym_key),
            roles=roles,
            name=name if isinstance(name, str) else "",
            label=str(claims.get("sub", "")),
        )

    def _validator(self, token: str, resource: str) -> EntraValidator:
        """The validator for the audience the token names, if it is one of ours."""
        try:
            unverified: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise InvalidToken("malformed token") from exc
        audience = self.client_id if unverified.get("aud") == self.client_id else resource
        return EntraValidator(
            self._keys,
            issuer=self._issuer,
            audience=audience,
            pseudonym_key=self._pseudonym_key,
            leeway=self._leeway,
        )


def build_teams_sso(settings: ApiSettings, http: httpx.AsyncClient) -> TeamsSso | None:
    """Teams single sign-on, when browser sign-in is configured (client id and issuer)."""
    client_id, issuer = settings.api_auth_client_id, settings.api_auth_issuer
    if not settings.signin_configured or not client_id or not issuer:
        return None
    keys = KeySet(
        settings.api_auth_jwks_uri,
        http,
        discovery_url=f"{issuer.rstrip('/')}/.well-known/openid-configuration",
        ttl=settings.api_auth_jwks_ttl_seconds,
    )
    return TeamsSso(
        keys,
        issuer=issuer,
        client_id=client_id,
        pseudonym_key=settings.pseudonym_key.get_secret_value(),
        leeway=settings.api_auth_leeway_seconds,
    )


class HandoffRefused(Exception):
    """The code is unknown, used, expired, or the verifier is not the one it was bound to."""


class Handoffs:
    """One-time codes that carry a pop-up's session over to the Teams tab that opened it."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def offer(self, session: Session, challenge: str) -> str:
        code = secrets.token_urlsafe(32)
        record = {
            "person": session.person,
            "roles": sorted(session.roles),
            "name": session.name,
            "label": session.label,
            "challenge": challenge,
        }
        await self._redis.set(_key(code), json.dumps(record), ex=HANDOFF_SECONDS)
        return code

    async def take(self, code: str, verifier: str) -> TeamsIdentity:
        raw = await self._redis.getdel(_key(code))
        if raw is None:
            raise HandoffRefused("the sign-in code is unknown, used or expired")
        record = json.loads(raw)
        if not secrets.compare_digest(s256(verifier), str(record["challenge"])):
            raise HandoffRefused("the sign-in code was made for another tab")
        return TeamsIdentity(
            person=str(record["person"]),
            roles=frozenset(str(r) for r in record["roles"]),
            name=str(record["name"]),
            label=str(record["label"]),
        )


def _key(code: str) -> str:
    return HANDOFF_PREFIX + hashlib.sha256(code.encode()).hexdigest()
