"""Entra ID access tokens: signature, issuer, audience and lifetime, then who and which roles."""

from __future__ import annotations

from typing import Any

import jwt

from services.api.auth.jwks import KeySet, KeyUnavailable
from services.api.auth.principal import Principal
from shared.ids import pseudonym

ALGORITHMS = ["RS256"]


class InvalidToken(Exception):
    """The bearer token must not be trusted; the message says why, without the token."""


class EntraValidator:
    def __init__(
        self,
        keys: KeySet,
        *,
        issuer: str,
        audience: str,
        pseudonym_key: str,
        leeway: float = 60.0,
    ) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._pseudonym_key = pseudonym_key
        self._leeway = leeway

    async def principal(self, token: str) -> Principal:
        claims = await self.claims(token)
        oid = claims.get("oid")
        roles = claims.get("roles") or []
        if not isinstance(roles, list):
            raise InvalidToken("roles claim is not a list")
        person = pseudonym(oid, self._pseudonym_key) if isinstance(oid, str) and oid else None
        return Principal(
            "user",
            person=person,
            roles=frozenset(str(r) for r in roles),
            label=str(claims.get("sub", "")),
        )

    async def claims(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidToken("malformed token") from exc
        if header.get("alg") not in ALGORITHMS:
            raise InvalidToken("unexpected signing algorithm")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise InvalidToken("token names no signing key")
        try:
            key = await self._keys.key(kid)
        except KeyUnavailable as exc:
            raise InvalidToken(str(exc)) from exc
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=ALGORITHMS,
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": ["exp", "iat", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken("token expired") from exc
        except jwt.InvalidAudienceError as exc:
            raise InvalidToken("token is for another audience") from exc
        except jwt.InvalidIssuerError as exc:
            raise InvalidToken("token is from another issuer") from exc
        except jwt.InvalidSignatureError as exc:
            raise InvalidToken("bad signature") from exc
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"invalid token: {exc}") from exc
        return claims
