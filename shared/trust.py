"""TLS trust for Graph and Entra: the public CAs plus an optional extra CA (GRAPH_CA_BUNDLE).

The extra CA is added, not substituted, so one setting serves a sandbox tenant
and a TLS-inspecting corporate proxy alike.
"""

from __future__ import annotations

import atexit
import os
import ssl
import tempfile
from pathlib import Path
from typing import Any

import certifi
import requests


class ConfigurationError(Exception):
    """A setting that cannot work; the message says which and why."""


def base_bundle() -> str:
    """The CA file the platform is configured with, else certifi's public CAs."""
    for name in ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"):
        path = os.environ.get(name)
        if path and Path(path).is_file():
            return path
    return certifi.where()


class PinnedVerifySession(requests.Session):
    """A session whose ``verify`` wins over ``REQUESTS_CA_BUNDLE`` (requests prefers the env)."""

    def merge_environment_settings(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        settings: dict[str, Any] = super().merge_environment_settings(*args, **kwargs)
        settings["verify"] = self.verify
        return settings


class TrustStore:
    def __init__(self, extra_ca: Path | None) -> None:
        self.extra_ca = extra_ca
        self._combined: Path | None = None
        if extra_ca is not None and not extra_ca.is_file():
            raise ConfigurationError(f"GRAPH_CA_BUNDLE {extra_ca} is not a readable file")

    def ssl_context(self) -> ssl.SSLContext:
        """For httpx."""
        context = ssl.create_default_context(cafile=base_bundle())
        if self.extra_ca is not None:
            context.load_verify_locations(cafile=str(self.extra_ca))
        return context

    def requests_session(self) -> requests.Session:
        session = PinnedVerifySession()
        session.verify = self.requests_verify()
        return session

    def requests_verify(self) -> str:
        """For MSAL's ``requests`` session, which takes one CA file: certifi's plus ours."""
        if self.extra_ca is None:
            return base_bundle()
        if self._combined is None:
            handle, name = tempfile.mkstemp(prefix="uptake-ca-", suffix=".pem")
            with os.fdopen(handle, "w") as out:
                out.write(Path(base_bundle()).read_text())
                out.write("\n")
                out.write(self.extra_ca.read_text())
            self._combined = Path(name)
            atexit.register(self._combined.unlink, missing_ok=True)
        return str(self._combined)
