"""Authorization codes of the sandbox's sign-in: issued by the picker, redeemed once.

A code remembers what the authorize request said (client, redirect URI, scope, nonce
and the PKCE challenge); the token endpoint gives tokens for it only when the
redemption repeats the client and redirect URI and brings the verifier whose
SHA-256 is the challenge (RFC 7636, S256). A code is good for one redemption
attempt, right or wrong, and for ten minutes.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

CODE_SECONDS = 600
MAX_CODES = 10_000
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


class CodeRejected(Exception):
    """The code cannot be redeemed; ``code`` is the AADSTS number, the message why."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class AuthCode:
    client_id: str
    redirect_uri: str
    person_id: str
    scope: str
    nonce: str | None
    code_challenge: str
    expires_at: float


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _without_loopback_port(uri: str) -> str:
    parts = urlsplit(uri)
    host = parts.hostname or ""
    if host in LOOPBACK_HOSTS or f"[{host}]" in LOOPBACK_HOSTS:
        netloc = f"[{host}]" if ":" in host else host
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
    return uri


def redirect_allowed(uri: str, registered: list[str]) -> bool:
    """Whether ``uri`` is a registered redirect URI; loopback ports do not count (as Entra)."""
    if not uri or "#" in uri:
        return False
    wanted = _without_loopback_port(uri)
    return any(wanted == _without_loopback_port(r) for r in registered)


@dataclass
class AuthCodes:
    clock: Callable[[], float] = time.time
    _codes: dict[str, AuthCode | None] = field(default_factory=dict)  # None: redeemed
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def issue(
        self,
        *,
        client_id: str,
        redirect_uri: str,
        person_id: str,
        scope: str,
        nonce: str | None,
        code_challenge: str,
    ) -> str:
        code = secrets.token_urlsafe(48)
        with self._lock:
            if len(self._codes) >= MAX_CODES:
                self._codes.clear()
            self._codes[code] = AuthCode(
                client_id,
                redirect_uri,
                person_id,
                scope,
                nonce,
                code_challenge,
                self.clock() + CODE_SECONDS,
            )
        return code

    def redeem(
        self, code: str, *, client_id: str, redirect_uri: str, code_verifier: str
    ) -> AuthCode:
        """The code's grant, once; CodeRejected for anything Entra would refuse."""
        with self._lock:
            if code not in self._codes:
                raise CodeRejected(
                    70000, "The provided authorization code is invalid or has expired."
                )
            found = self._codes[code]
            self._codes[code] = None  # one attempt per code, right or wrong
        if found is None:
            raise CodeRejected(
                54005,
                "OAuth2 Authorization code was already redeemed, please retry with a new "
                "valid code or use an existing refresh token.",
            )
        if found.expires_at < self.clock():
            raise CodeRejected(70008, "The provided authorization code has expired.")
        if client_id != found.client_id:
            raise CodeRejected(70000, "The authorization code was issued to another application.")
        if redirect_uri != found.redirect_uri:
            raise CodeRejected(
                500117,
                "The reply uri specified in the request does not match the reply uri "
                "used in the authorization request.",
            )
        if not code_verifier:
            raise CodeRejected(50148, "The code_verifier is required: a code_challenge was sent.")
        if not secrets.compare_digest(s256(code_verifier), found.code_challenge):
            raise CodeRejected(
                501481,
                "The Code_Verifier does not match the code_challenge supplied in the "
                "authorization request.",
            )
        return found
