"""Signing, issuing and validating the sandbox's Entra-style JWTs."""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from cryptography.hazmat.primitives.serialization import Encoding
from jwt.algorithms import RSAAlgorithm

from services.sandbox.certs import CertPaths, load_private_key

GRAPH_AUDIENCE = "https://graph.microsoft.com"
GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class TokenRejected(Exception):
    """The bearer token is missing, malformed, expired or not for this audience."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(frozen=True)
class ClientCertificate:
    public_key: RSAPublicKey
    x5t: str
    x5t_s256: str


class TokenService:
    def __init__(
        self, paths: CertPaths, issuers: tuple[str, ...], tenant_id: str, lifetime: int
    ) -> None:
        key = load_private_key(paths.signing_key)
        assert isinstance(key, RSAPrivateKey)
        self._key = key
        public = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
        self.kid = b64url(hashlib.sha256(public["n"].encode()).digest()[:15])
        self._jwk = {**public, "kid": self.kid, "use": "sig", "kty": "RSA", "alg": "RS256"}
        self.issuers = issuers
        self.tenant_id = tenant_id
        self.lifetime = lifetime
        self._valid: dict[str, dict[str, Any]] = {}
        cert = x509.load_pem_x509_certificate(paths.client_cert.read_bytes())
        der = cert.public_bytes(Encoding.DER)
        client_key = cert.public_key()
        assert isinstance(client_key, RSAPublicKey)
        self.client_certificate = ClientCertificate(
            client_key,
            b64url(hashlib.sha1(der).digest()),  # noqa: S324 - x5t is defined as SHA-1
            b64url(hashlib.sha256(der).digest()),
        )

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self._jwk]}

    def issue(self, claims: dict[str, Any], audience: str, issuer: str) -> tuple[str, int]:
        now = int(time.time())
        payload = {
            "aud": audience,
            "iss": issuer,
            "iat": now,
            "nbf": now,
            "exp": now + self.lifetime,
            "tid": self.tenant_id,
            "uti": b64url(uuid.uuid4().bytes),
            "ver": "2.0",
            **claims,
        }
        token = jwt.encode(payload, self._key, algorithm="RS256", headers={"kid": self.kid})
        return token, self.lifetime

    def validate(self, token: str, audiences: tuple[str, ...]) -> dict[str, Any]:
        """Claims of a token this sandbox issued, or TokenRejected."""
        claims = self._valid.get(token)
        if claims is None:
            try:
                claims = jwt.decode(
                    token,
                    self._key.public_key(),
                    algorithms=["RS256"],
                    options={"verify_aud": False, "require": ["exp", "iat", "aud", "iss"]},
                )
            except jwt.PyJWTError as exc:
                raise TokenRejected(str(exc)) from exc
            if claims["iss"] not in self.issuers:
                raise TokenRejected("Invalid issuer.")
            if len(self._valid) > 10_000:
                self._valid.clear()
            self._valid[token] = claims
        if claims["exp"] < time.time():
            raise TokenRejected("Lifetime validation failed, the token is expired.")
        if claims["aud"] not in audiences:
            raise TokenRejected("Invalid audience.")
        return claims

    def verify_assertion(self, assertion: str, client_id: str, token_endpoint: str) -> None:
        """Check a certificate client assertion as Entra does (RFC 7523)."""
        try:
            header = jwt.get_unverified_header(assertion)
        except jwt.PyJWTError as exc:
            raise TokenRejected(f"Malformed client assertion: {exc}") from exc
        known = self.client_certificate
        sent = {k: str(header[k]).rstrip("=") for k in ("x5t", "x5t#S256") if k in header}
        if not sent or sent != {k: getattr(known, k.replace("#S256", "_s256")) for k in sent}:
            raise TokenRejected("The certificate with the given thumbprint is not registered.")
        try:
            jwt.decode(
                assertion,
                known.public_key,
                algorithms=["RS256", "PS256"],
                audience=token_endpoint,
                issuer=client_id,
                options={"require": ["exp", "aud", "iss", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise TokenRejected(f"Client assertion failed signature validation: {exc}") from exc
