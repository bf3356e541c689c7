"""Browser sign-in against the real sandbox tenant: fixtures and an HTTP walk through it.

``sandbox`` runs the sandbox tenant with its plain HTTP sign-in listener, ``signin_settings``
points a gateway at it (client id and secret of the sandbox app, its issuer and CA),
``signin_server`` runs that gateway on a socket. ``Browser`` is an httpx client that
keeps Secure cookies on http://127.0.0.1 as Chromium does (localhost is a secure
context) and walks the picker by posting its form.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest
import uvicorn
from nats.aio.client import Client
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from devtools.servers import free_port
from services.api.app import create_app
from services.sandbox.testing import SandboxHandle, sandbox_tenant
from shared.ids import pseudonym
from shared.settings import ApiSettings
from tests.integration.api.conftest import LiveServer, wait_for_bus

AUDIENCE = "api://uptake"


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxHandle]:
    with sandbox_tenant(tmp_path, people=40, browser=True) as handle:
        yield handle


def gateway_settings(
    sandbox: SandboxHandle, redis_url: str, nats_url: str, database_url: str, **more: object
) -> ApiSettings:
    options: dict[str, object] = {
        "environment": "test",
        "redis_url": redis_url,
        "nats_url": nats_url,
        "database_url": database_url,
        "api_board_cache_seconds": 0,
        "api_directory_ttl_seconds": 0,
        "api_auth_issuer": sandbox.issuer,
        "api_auth_audience": AUDIENCE,
        "api_auth_ca_bundle": sandbox.ca_path,
        "api_auth_client_id": sandbox.client_id,
        "api_auth_client_secret": sandbox.client_secret,
        "ingest_status_bucket": f"status_{uuid.uuid4().hex[:12]}",
        **more,
    }
    return ApiSettings(**options)  # type: ignore[arg-type]


@pytest.fixture
def signin_settings(
    sandbox: SandboxHandle, redis_url: str, nats_url: str, database_url: str, engine: AsyncEngine
) -> ApiSettings:
    return gateway_settings(sandbox, redis_url, nats_url, database_url)


@pytest.fixture
async def signin_server(
    signin_settings: ApiSettings, redis: Redis, nc: Client
) -> AsyncIterator[LiveServer]:
    """The gateway, signing browsers in with the sandbox, on a real socket."""
    async with running_gateway(signin_settings) as server:
        yield server


@asynccontextmanager
async def running_gateway(settings: ApiSettings) -> AsyncIterator[LiveServer]:
    """A gateway with these settings on a free port, in this event loop."""
    app = create_app(settings)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(15):
            while not server.started:
                await asyncio.sleep(0.02)
        await wait_for_bus(app)
        yield LiveServer(f"http://127.0.0.1:{port}", app)
    finally:
        server.should_exit = True
        await task


class BrowserClient(httpx.AsyncClient):
    """Sends its own jar, whose policy treats http://127.0.0.1 as secure, with each request.

    httpx copies the client's cookies into a jar with the default policy per request,
    which would leave Secure cookies out over http.
    """

    def _merge_cookies(self, cookies: httpx._types.CookieTypes | None = None) -> CookieJar:
        if cookies:
            raise ValueError("set cookies on the client's jar")
        return self.cookies.jar


def browser(base_url: str | None = None) -> BrowserClient:
    """A client that keeps cookies like a browser on http://127.0.0.1 (Secure ones too)."""
    jar = CookieJar(DefaultCookiePolicy(secure_protocols=("https", "wss", "http")))
    return BrowserClient(base_url=base_url or "", cookies=jar, timeout=30)


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: list[tuple[str, str, str]] = field(default_factory=list)  # name, value, label


class FormReader(HTMLParser):
    """The forms of a page: hidden fields and submit buttons (with their visible text)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._button: tuple[str, str] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("method", "get").lower(), a.get("action", "")))
        elif tag == "input" and self.forms and a.get("type") == "hidden":
            self.forms[-1].fields[a["name"]] = a.get("value", "")
        elif tag == "button" and self.forms and "name" in a:
            self._button, self._text = (a["name"], a.get("value", "")), []

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "button" and self._button is not None and self.forms:
            label = " ".join(" ".join(self._text).split())
            self.forms[-1].buttons.append((*self._button, label))
            self._button = None


def forms_of(html: str) -> list[Form]:
    reader = FormReader()
    reader.feed(html)
    return reader.forms


def chosen(form: Form, who: str) -> tuple[str, str]:
    """The picker button for ``who``: a name, a user name, or a role the person holds."""
    wanted = who.casefold()
    for name, value, label in form.buttons:  # a whole word first: "Admin" is no "Administratie"
        if wanted in label.casefold().split():
            return name, value
    for name, value, label in form.buttons:
        if wanted in label.casefold():
            return name, value
    raise AssertionError(f"nobody like {who!r} in the picker: {[b[2] for b in form.buttons]}")


async def open_picker(client: httpx.AsyncClient, gateway: str, next_path: str) -> httpx.Response:
    """/auth/signin, then the tenant's page it sends the browser to."""
    start = await client.get(f"{gateway}/auth/signin", params={"next": next_path})
    assert start.status_code == 302, start.text
    picker = await client.get(start.headers["location"])
    assert picker.status_code == 200, picker.text
    return picker


async def pick(client: httpx.AsyncClient, picker: httpx.Response, who: str) -> httpx.Response:
    """Post the picker's form for ``who``; answers the tenant's redirect to the callback."""
    form = next(f for f in forms_of(picker.text) if f.method == "post")
    name, value = chosen(form, who)
    return await client.post(
        urljoin(str(picker.url), form.action), data={**form.fields, name: value}
    )


async def search(client: httpx.AsyncClient, picker: httpx.Response, who: str) -> httpx.Response:
    """Type ``who`` in the picker's search box and submit it."""
    form = next(f for f in forms_of(picker.text) if f.method == "get")
    found = await client.get(
        urljoin(str(picker.url), form.action), params={**form.fields, "q": who}
    )
    assert found.status_code == 200, found.text
    return found


async def sign_in(
    client: httpx.AsyncClient, gateway: str, who: str = "Admin", next_path: str = "/me"
) -> httpx.Response:
    """The whole walk: sign-in, search the picker for ``who`` (a name, user name or role),
    choose them, back to the callback; answers the callback's response."""
    picker = await search(client, await open_picker(client, gateway, next_path), who)
    back = await pick(client, picker, who)
    assert back.status_code == 303, back.text
    return await client.get(back.headers["location"])


@dataclass(frozen=True)
class SandboxPerson:
    id: str  # the Entra object id
    name: str
    upn: str
    department: str
    roles: tuple[str, ...]

    def pseudonym(self, settings: ApiSettings) -> str:
        """The id the gateway knows this person by once they sign in."""
        return pseudonym(self.id, settings.pseudonym_key.get_secret_value())


def sandbox_person(sandbox: SandboxHandle, who: str = "Admin") -> SandboxPerson:
    """The first present sandbox person whose name, user name or role is ``who``."""
    wanted = who.casefold()
    people = [p for p in sandbox.people(limit=500) if p["present"]]
    for p in people:
        roles = [r.casefold() for r in p["roles"]]
        if wanted in (p["displayName"].casefold(), p["userPrincipalName"].casefold(), *roles):
            return SandboxPerson(
                p["id"],
                p["displayName"],
                p["userPrincipalName"],
                p["department"],
                tuple(p["roles"]),
            )
    raise LookupError(f"no sandbox person {who!r}")
