"""A sandbox tenant for tests and benchmarks: ``with sandbox_tenant(tmp_path) as t: ...``.

The server runs over real HTTPS on a free port with its own CA, in a thread of
the test process (default) or in a subprocess (``subprocess=True``, for
benchmarks where the tenant must not share the interpreter with the client).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import ssl
import subprocess as sp
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import requests

from devtools.servers import free_port
from services.sandbox.certs import ensure_certs, thumbprints
from services.sandbox.settings import SandboxSettings

GRAPH_SCOPE = "https://graph.microsoft.com/.default"


@dataclass
class SandboxHandle:
    graph_base_url: str
    authority: str
    tenant_id: str
    client_id: str
    client_secret: str
    ca_path: Path
    client_cert_path: Path
    client_key_path: Path
    user_password: str
    pid: int | None = None  # the server's process, with ``subprocess=True``
    browser_url: str | None = None  # the plain HTTP sign-in listener, with ``browser=True``

    @property
    def client_cert_thumbprint(self) -> str:
        """SHA-1 thumbprint of the registered client certificate (for MSAL)."""
        return thumbprints(self.client_cert_path)[0]

    @property
    def issuer(self) -> str:
        """The ``iss`` of every token (an API validating user tokens trusts this)."""
        return f"{self.authority}/v2.0"

    @property
    def token_endpoint(self) -> str:
        return f"{self.authority}/oauth2/v2.0/token"

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_path))

    def http(self, **kwargs: Any) -> httpx.Client:
        """An httpx client on the Graph base URL that trusts the sandbox CA."""
        return httpx.Client(base_url=self.graph_base_url, verify=self.ssl_context(), **kwargs)

    def requests_session(self) -> requests.Session:
        """A requests session trusting the sandbox CA, e.g. as MSAL's ``http_client``.

        ``trust_env`` is off because requests lets ``REQUESTS_CA_BUNDLE`` override a
        session's ``verify``.
        """
        session = requests.Session()
        session.verify = str(self.ca_path)
        session.trust_env = False
        return session

    def _call(self, method: str, path: str, json: Any = None) -> Any:
        with self.http() as client:
            response = client.request(method, path, json=json)
            response.raise_for_status()
            return response.json() if response.content else None

    def state(self) -> dict[str, Any]:
        return dict(self._call("GET", "/sandbox/state"))

    def organisation(self) -> dict[str, Any]:
        return dict(self._call("GET", "/sandbox/organisation"))

    def people(self, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        return list(self._call("GET", f"/sandbox/people?limit={limit}&offset={offset}"))

    def add_fault(
        self,
        pattern: str,
        status: int = 503,
        retry_after: int | None = None,
        count: int | None = 1,
        method: str | None = None,
        delay_seconds: float = 0.0,
    ) -> dict[str, Any]:
        spec = {
            "pattern": pattern,
            "status": status,
            "retry_after": retry_after,
            "count": count,
            "method": method,
            "delay_seconds": delay_seconds,
        }
        return dict(self._call("POST", "/sandbox/faults", spec))

    def clear_faults(self) -> None:
        self._call("DELETE", "/sandbox/faults")

    def advance_clock(self, days: int = 1) -> dt.date:
        state = self._call("POST", "/sandbox/clock", {"advance_days": days})
        return dt.date.fromisoformat(state["data_date"])

    def set_clock(self, day: dt.date) -> dt.date:
        state = self._call("POST", "/sandbox/clock", {"data_date": day.isoformat()})
        return dt.date.fromisoformat(state["data_date"])

    @property
    def data_date(self) -> dt.date:
        return dt.date.fromisoformat(self.state()["data_date"])

    def configure(self, **options: Any) -> dict[str, Any]:
        """Runtime options: concealed_names, report_redirect, page_size, delta_page_size,
        malformed_rows."""
        return dict(self._call("POST", "/sandbox/config", options))

    def requests(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "/sandbox/requests"))

    def clear_requests(self) -> None:
        self._call("DELETE", "/sandbox/requests")

    def app_token(self) -> str:
        with self.http() as client:
            response = client.post(
                self.token_endpoint,
                data={
                    "grant_type": "client_credentials",
                    "client_id": self.client_id,
                    "client_secret": self.client_secret,
                    "scope": GRAPH_SCOPE,
                },
            )
            response.raise_for_status()
            return str(response.json()["access_token"])

    def user_token(
        self,
        upn: str | None = None,
        roles: list[str] | None = None,
        index: int | None = 0,
        scope: str = "api://uptake/.default",
    ) -> str:
        """An access token for a sandbox person; roles default to their demo roles."""
        body = {"upn": upn, "index": None if upn else index, "roles": roles, "scope": scope}
        return str(self._call("POST", "/sandbox/tokens/user", body)["access_token"])

    def settings_env(self) -> dict[str, str]:
        """Environment for a service pointed at this tenant (GRAPH_* names)."""
        return {
            "GRAPH_BASE_URL": self.graph_base_url,
            "GRAPH_AUTHORITY": self.authority,
            "GRAPH_TENANT_ID": self.tenant_id,
            "GRAPH_CLIENT_ID": self.client_id,
            "GRAPH_CLIENT_SECRET": self.client_secret,
            "GRAPH_CA_BUNDLE": str(self.ca_path),
        }


def _env(settings: SandboxSettings) -> dict[str, str]:
    env = dict(os.environ)
    for name, value in settings.model_dump(exclude_none=True, mode="json").items():
        text = json.dumps(value) if isinstance(value, list | bool) else str(value)
        env[f"SANDBOX_{name.upper()}"] = text
    return env


def _wait_healthy(handle: SandboxHandle, process: sp.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the sandbox tenant exited with {process.returncode}")
        try:
            with handle.http(timeout=1.0) as client:
                if client.get("/healthz").status_code == 200:
                    return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("the sandbox tenant did not become healthy")


@contextmanager
def sandbox_tenant(
    workdir: Path,
    *,
    subprocess: bool = False,
    startup_timeout: float = 60.0,
    browser: bool = False,
    **options: Any,
) -> Iterator[SandboxHandle]:
    """Run a sandbox tenant; ``options`` are SandboxSettings fields (people, seed,
    concealed_names, report_redirect, page_size, end_date, ...). ``browser`` adds the
    plain HTTP sign-in listener on a free port."""
    if browser:
        options = {**options, "browser_port": free_port()}
    settings = SandboxSettings(**{"dir": workdir / "sandbox", **options, "port": free_port()})
    certs = ensure_certs(settings.dir, tuple(settings.cert_names))
    base = f"https://127.0.0.1:{settings.port}"
    handle = SandboxHandle(
        graph_base_url=base,
        authority=f"{base}/{settings.tenant_id}",
        tenant_id=settings.tenant_id,
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        ca_path=certs.ca,
        client_cert_path=certs.client_cert,
        client_key_path=certs.client_key,
        user_password=settings.user_password,
        browser_url=(
            f"http://127.0.0.1:{settings.browser_port}" if settings.browser_port else None
        ),
    )
    if subprocess:
        with _subprocess(settings, handle, startup_timeout):
            yield handle
        return
    from services.sandbox.server import ThreadedServer

    server = ThreadedServer(settings)
    server.start(startup_timeout)
    try:
        yield handle
    finally:
        server.stop()


@contextmanager
def _subprocess(settings: SandboxSettings, handle: SandboxHandle, timeout: float) -> Iterator[None]:
    process = sp.Popen(
        [sys.executable, "-m", "services.sandbox"],
        env=_env(settings),
        cwd=Path(__file__).resolve().parents[2],
    )
    handle.pid = process.pid
    try:
        _wait_healthy(handle, process, timeout)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except sp.TimeoutExpired:
            process.kill()
            process.wait()
