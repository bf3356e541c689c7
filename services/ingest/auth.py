"""App-only Graph tokens from Entra ID (or the sandbox) through MSAL."""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import urlsplit

import msal
import requests

from shared.logs import get_logger
from shared.settings import GraphSettings
from shared.trust import TrustStore

log = get_logger(__name__)

MICROSOFT_LOGIN_HOSTS = (
    "login.microsoftonline.com",
    "login.microsoftonline.us",
    "login.chinacloudapi.cn",
    "login.partner.microsoftonline.cn",
)
REFRESH_MARGIN_SECONDS = 300


class AuthError(Exception):
    """Entra refused to issue a token; ``str()`` is the one line an operator needs."""

    def __init__(self, error: str, description: str = "", correlation_id: str | None = None):
        self.error = error
        self.description = " ".join(description.split())
        self.correlation_id = correlation_id
        line = f"Graph authentication failed: {error}"
        if self.description:
            line += f": {self.description}"
        if correlation_id:
            line += f" (correlation_id={correlation_id})"
        super().__init__(line)


def client_credential(settings: GraphSettings) -> str | dict[str, str]:
    """The secret, or the certificate (PEM private key and thumbprint) MSAL signs with."""
    if settings.certificate_path:
        if not settings.certificate_thumbprint:
            raise AuthError("configuration", "GRAPH_CERTIFICATE_THUMBPRINT is required")
        pem = settings.certificate_path.read_text()
        credential = {"private_key": pem, "thumbprint": settings.certificate_thumbprint}
        if "BEGIN CERTIFICATE" in pem:
            credential["public_certificate"] = pem  # enables subject name / issuer auth
        return credential
    if settings.client_secret is None:
        raise AuthError("configuration", "set GRAPH_CLIENT_SECRET or GRAPH_CERTIFICATE_PATH")
    return settings.client_secret.get_secret_value()


def uses_instance_discovery(authority: str) -> bool:
    return (urlsplit(authority).hostname or "") in MICROSOFT_LOGIN_HOSTS


class TokenProvider:
    """Hands out a bearer token; MSAL caches it and renews it before it expires."""

    def __init__(self, settings: GraphSettings, trust: TrustStore) -> None:
        if not settings.client_id:
            raise AuthError("configuration", "GRAPH_CLIENT_ID is not set")
        self._settings = settings
        self._trust = trust
        self._app: msal.ConfidentialClientApplication | None = None
        self._token: str | None = None
        self._renew_at = 0.0
        self._lock = asyncio.Lock()
        self._session: requests.Session | None = None

    def close(self) -> None:
        if self._session is not None:
            self._session.close()

    def _application(self) -> msal.ConfidentialClientApplication:
        if self._app is None:
            session = self._session = self._session or self._trust.requests_session()
            authority = self._settings.authority_url
            try:
                self._app = msal.ConfidentialClientApplication(
                    self._settings.client_id,
                    client_credential=client_credential(self._settings),
                    authority=authority,
                    http_client=session,
                    instance_discovery=uses_instance_discovery(authority),
                    timeout=self._settings.timeout_seconds,
                )
            except AuthError:
                raise
            except (ValueError, requests.RequestException) as exc:
                raise AuthError("authority_unreachable", f"{authority}: {exc}") from None
        return self._app

    def _acquire(self) -> dict[str, Any]:
        try:
            return dict(self._application().acquire_token_for_client([self._settings.scope]))
        except AuthError:
            raise
        except (ValueError, requests.RequestException) as exc:
            raise AuthError("token_endpoint_unreachable", str(exc)) from None

    async def token(self, *, force: bool = False) -> str:
        async with self._lock:
            if force or self._token is None or time.monotonic() >= self._renew_at:
                if force:
                    self._app = None  # drop MSAL's cached token, e.g. after a 401
                result = await asyncio.to_thread(self._acquire)
                if "access_token" not in result:
                    raise AuthError(
                        str(result.get("error", "unknown_error")),
                        str(result.get("error_description", "")),
                        result.get("correlation_id"),
                    )
                self._token = str(result["access_token"])
                lifetime = float(result.get("expires_in", 3600))
                self._renew_at = time.monotonic() + max(lifetime - REFRESH_MARGIN_SECONDS, 30)
                log.debug("graph token ready", source=result.get("token_source"))
            return self._token
