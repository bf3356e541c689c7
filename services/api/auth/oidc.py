"""Signing browsers in with the tenant: OpenID Connect, authorization code flow with PKCE.

MSAL builds the authorize request (state, nonce, PKCE verifier and challenge) and
redeems the code. The flow MSAL returns stays on the gateway: in Redis for ten
minutes, under the SHA-256 of a random value the browser holds in the HttpOnly
cookie ``__Host-uptake_signin``. So the callback finishes only in the browser that
started the sign-in, and only once (the flow is taken out of Redis as it is read).

MSAL no longer validates the id token it returns, so the gateway does: signature
against the tenant's published keys, issuer, audience (our client id), lifetime, the
nonce of this flow, and a ``roles`` claim that is a list of short strings (the app
roles assigned to the person: ``Admin``, ``Insights.Read``).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
import warnings
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import msal
import requests
from redis.asyncio import Redis

from services.api.auth.entra import EntraValidator, InvalidToken
from services.api.auth.sessions import clean_roles
from shared.ids import pseudonym
from shared.logs import get_logger
from shared.trust import TrustStore

log = get_logger(__name__)

FLOW_COOKIE = "__Host-uptake_signin"
FLOW_PREFIX = "auth:signin:"
FLOW_SECONDS = 600
DEFAULT_NEXT = "/me"
MAX_NEXT = 512
MICROSOFT_LOGIN_HOSTS = ("login.microsoftonline.com", "login.microsoftonline.us")

# The code comes back in the query: a form_post answer is a cross-site POST, which
# carries no SameSite=Lax cookie, and the cookie is what ties the answer to the browser.
# MSAL warns about every other response mode.
FORM_POST_ADVICE = "response_mode='form_post' is recommended"


class SignInFailed(Exception):
    """The sign-in cannot finish; the message says why (never a code or token)."""


@dataclass(frozen=True)
class SignedIn:
    person: str
    roles: frozenset[str]
    name: str
    label: str  # the id token's subject
    next: str


def safe_next(value: str | None) -> str:
    """A path on this gateway to return to after sign-in; anything else becomes /me."""
    if not value or len(value) > MAX_NEXT or not value.startswith("/"):
        return DEFAULT_NEXT
    if value.startswith(("//", "/\\")) or any(c == "\\" or ord(c) < 32 for c in value):
        return DEFAULT_NEXT
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return DEFAULT_NEXT
    return value


def nonce_hash(nonce: str) -> str:
    """What MSAL sends as ``nonce`` (and the id token must carry) for a flow's nonce."""
    return hashlib.sha256(nonce.encode("ascii")).hexdigest()


class _Forgetful(msal.TokenCache):  # type: ignore[misc]
    """Sign-in needs the id token once: MSAL's cache would only grow."""

    def add(self, event: dict[str, Any], now: float | None = None) -> None:
        return None


class OidcSignIn:
    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str | None,
        authority: str,
        validator: EntraValidator,
        redis: Redis,
        pseudonym_key: str,
        trust: TrustStore,
        timeout: float = 10.0,
    ) -> None:
        self.client_id = client_id
        self._secret = client_secret
        self._authority = authority.rstrip("/")
        self._validator = validator
        self._redis = redis
        self._pseudonym_key = pseudonym_key
        self._trust = trust
        self._timeout = timeout
        self._app: msal.ConfidentialClientApplication | None = None
        self._http: requests.Session | None = None
        self._lock = asyncio.Lock()

    def close(self) -> None:
        if self._http is not None:
            self._http.close()

    async def _application(self) -> msal.ConfidentialClientApplication:
        """MSAL reads the tenant's discovery document when built: once, off the event loop."""
        async with self._lock:
            if self._app is None:
                self._http = self._http or self._trust.requests_session()
                host = urlsplit(self._authority).hostname or ""
                try:
                    self._app = await asyncio.to_thread(
                        msal.ConfidentialClientApplication,
                        self.client_id,
                        client_credential=self._secret,
                        authority=self._authority,
                        http_client=self._http,
                        instance_discovery=host in MICROSOFT_LOGIN_HOSTS,
                        token_cache=_Forgetful(),
                        timeout=self._timeout,
                    )
                except (ValueError, requests.RequestException) as exc:
                    log.warning("sign-in authority unreachable", error=str(exc))
                    raise SignInFailed("the tenant cannot be reached") from None
            return self._app

    async def begin(self, redirect_uri: str, next_path: str) -> tuple[str, str]:
        """Where to send the browser, and the value of the cookie that ties it to this flow."""
        app = await self._application()
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=FORM_POST_ADVICE)
            flow: dict[str, Any] = app.initiate_auth_code_flow(
                [], redirect_uri=redirect_uri, response_mode="query"
            )
        binding = secrets.token_urlsafe(32)
        record = json.dumps({"flow": flow, "next": safe_next(next_path)})
        await self._redis.set(_flow_key(binding), record, ex=FLOW_SECONDS)
        return str(flow["auth_uri"]), binding

    async def pending_next(self, binding: str | None) -> str | None:
        """The page a pending sign-in returns to, without using it up (for error pages)."""
        if not binding or len(binding) > 128:
            return None
        raw = await self._redis.get(_flow_key(binding))
        return str(json.loads(raw)["next"]) if raw is not None else None

    async def finish(self, binding: str | None, answer: dict[str, str]) -> SignedIn:
        """Redeem the tenant's answer for this browser's flow; SignInFailed says why not."""
        if not binding or len(binding) > 128:
            raise SignInFailed("no sign-in was started in this browser")
        raw = await self._redis.getdel(_flow_key(binding))
        if raw is None:
            raise SignInFailed("no sign-in is pending in this browser (it may have expired)")
        record = json.loads(raw)
        flow: dict[str, Any] = record["flow"]
        if "error" in answer:
            raise SignInFailed(f"the tenant answered {answer['error'][:100]}")
        app = await self._application()
        try:
            result: dict[str, Any] = await asyncio.to_thread(
                app.acquire_token_by_auth_code_flow, flow, answer
            )
        except ValueError:  # state missing or different: not this browser's answer
            raise SignInFailed("the answer does not belong to this sign-in (state)") from None
        except RuntimeError:  # MSAL's nonce check
            raise SignInFailed("the id token is not for this sign-in (nonce)") from None
        except requests.RequestException as exc:
            log.warning("sign-in token endpoint unreachable", error=str(exc))
            raise SignInFailed("the tenant cannot be reached") from None
        if "error" in result:
            raise SignInFailed(
                f"the tenant refused the code: {result['error']} "
                f"{str(result.get('error_description', ''))[:300]}"
            )
        id_token = result.get("id_token")
        if not isinstance(id_token, str):
            raise SignInFailed("the tenant sent no id token")
        return self._identity(await self._claims(id_token, flow), record["next"])

    async def _claims(self, id_token: str, flow: dict[str, Any]) -> dict[str, Any]:
        try:
            claims = await self._validator.claims(id_token)
        except InvalidToken as exc:
            raise SignInFailed(f"the id token is not valid: {exc}") from None
        if not secrets.compare_digest(str(claims.get("nonce", "")), nonce_hash(flow["nonce"])):
            raise SignInFailed("the id token's nonce is not this sign-in's")
        return claims

    def _identity(self, claims: dict[str, Any], next_path: str) -> SignedIn:
        oid = claims.get("oid")
        if not isinstance(oid, str) or not oid:
            raise SignInFailed("the id token names no person (oid)")
        raw_roles = claims.get("roles", [])
        if not isinstance(raw_roles, list):
            raise SignInFailed("the id token's roles claim is not a list")
        try:
            roles = clean_roles(raw_roles)
        except ValueError as exc:
            raise SignInFailed(f"the id token's roles claim is not usable: {exc}") from None
        name = claims.get("name")
        return SignedIn(
            person=pseudonym(oid, self._pseudonym_key),
            roles=roles,
            name=name if isinstance(name, str) else "",
            label=str(claims.get("sub", "")),
            next=safe_next(next_path),
        )


def _flow_key(binding: str) -> str:
    return FLOW_PREFIX + hashlib.sha256(binding.encode()).hexdigest()
