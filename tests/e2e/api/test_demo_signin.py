"""The demo's tokens: `python -m services.api` trusts the sandbox tenant, and
`python -m devtools.demo_signin` hands out tokens for curl."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser
from redis.asyncio import Redis

from devtools.demo_signin import api_auth_environment, main
from devtools.servers import free_port, wait_for_port
from services.sandbox.testing import SandboxHandle, sandbox_tenant
from tests.e2e.api.conftest import needs_chromium

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxHandle]:
    """``python -m services.sandbox``, as the demo runs it: HTTPS, and HTTP for sign-in."""
    with sandbox_tenant(tmp_path, people=20, subprocess=True, browser=True) as handle:
        yield handle


@pytest.fixture
def gateway(
    sandbox: SandboxHandle, nats_url: str, redis_url: str, redis: Redis, tmp_path: Path
) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        **api_auth_environment(
            sandbox.authority,
            sandbox.ca_path,
            client_id=sandbox.client_id,
            client_secret=sandbox.client_secret,
        ),
        "NATS_URL": nats_url,
        "REDIS_URL": redis_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'uptake.db'}",
        "API_HOST": "127.0.0.1",
        "API_PORT": str(port),
        "LOG_FORMAT": "json",
    }
    with (tmp_path / "api.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "services.api"], cwd=ROOT, env=env, stdout=log, stderr=log
        )
    try:
        wait_for_port(port, timeout=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def demo_env_file(tmp_path: Path, sandbox: SandboxHandle, gateway: str) -> Path:
    path = tmp_path / "demo.env"
    port = gateway.rsplit(":", 1)[1]
    path.write_text(
        f"GRAPH_BASE_URL={sandbox.graph_base_url}\nGRAPH_CA_BUNDLE={sandbox.ca_path}\n"
        f"API_HOST=127.0.0.1\nAPI_PORT={port}\n"
    )
    return path


def token_from_cli(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main([*args, "--token-only"]) == 0
    return capsys.readouterr().out.strip()


def test_sandbox_tokens_open_me_and_admin_on_a_running_gateway(
    sandbox: SandboxHandle, gateway: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env_file = str(demo_env_file(tmp_path, sandbox, gateway))
    admin = token_from_cli(capsys, "--env", env_file)
    employee = token_from_cli(capsys, "--env", env_file, "--index", "3", "--roles")

    with httpx.Client(base_url=gateway, timeout=10) as http:

        def status(path: str, token: str | None) -> int:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            return http.get(path, headers=headers).status_code

        assert status("/api/me", admin) == 200
        assert status("/api/me", employee) == 200
        assert status("/api/admin/team-mapping", admin) == 200
        assert status("/api/admin/display-tokens", admin) == 200
        assert status("/api/admin/team-mapping", employee) == 403
        assert status("/api/admin/team-mapping", None) == 401
        assert status("/api/me", "not-a-token") == 401

    assert main(["--env", env_file]) == 0
    printed = capsys.readouterr().out
    assert "curl -H 'Authorization: Bearer ey" in printed and f"{gateway}/api/me" in printed
    assert "#token=" not in printed  # pages sign in with Microsoft, never with a pasted token


def test_without_a_demo_running_it_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--env", str(tmp_path / "absent.env")]) == 2
    assert "make demo" in capsys.readouterr().err


@needs_chromium
async def test_a_browser_signs_in_to_the_demo_through_the_sandbox_picker(
    sandbox: SandboxHandle, gateway: str, browser: Browser
) -> None:
    page = await browser.new_page()
    await page.goto(f"{gateway}/admin?lang=en")
    await page.get_by_role("link", name="Sign in with Microsoft").click()
    await page.locator("form.people button[name=person]").first.wait_for()
    assert page.url.startswith(f"{sandbox.browser_url}/")  # plain HTTP: no CA to trust
    await page.locator("form.people button[name=person]").first.click()  # person 0: an admin
    await page.wait_for_url(f"{gateway}/admin?lang=en")
    await page.locator("#content:not([hidden])").wait_for()
    cookie = next(
        c for c in await page.context.cookies(gateway) if c["name"] == "__Host-uptake_session"
    )
    assert cookie["secure"] and cookie["httpOnly"]  # a Secure cookie on http://127.0.0.1
