"""`engage-login` against the sandbox tenant's Entra: device code, encrypted cache, silent use."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from services.notify.channels import Channel
from services.notify.engage import EngageSender
from services.notify.engage_auth import EngageTokens
from services.notify.facts import BadgeFacts
from services.sandbox.testing import SandboxHandle, sandbox_tenant
from shared.settings import NotifySettings


@pytest.fixture
def tenant(tmp_path: Path) -> Iterator[SandboxHandle]:
    with sandbox_tenant(tmp_path, people=20) as handle:
        yield handle


async def test_device_code_sign_in_then_silent_tokens_post_to_engage(
    tenant: SandboxHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "engage-token-cache.bin"
    env = (
        os.environ
        | tenant.settings_env()
        | {
            "ENGAGE_BASE_URL": f"{tenant.graph_base_url}/engage/api/v1",
            "ENGAGE_TOKEN_CACHE": str(cache),
            "LOG_LEVEL": "WARNING",
        }
    )
    done = subprocess.run(
        [sys.executable, "-m", "services.notify", "engage-login"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "enter the code" in done.stdout
    stored = cache.read_bytes()
    assert b"refresh_token" not in stored.lower() and b"secret" not in stored.lower()
    assert oct(cache.stat().st_mode & 0o777) == "0o600"

    for name, value in env.items():
        if name.startswith(("GRAPH_", "ENGAGE_")):
            monkeypatch.setenv(name, value)
    settings = NotifySettings()
    tokens = EngageTokens(settings)
    assert await tokens.token()  # silent: from the encrypted cache, no prompt
    community = Channel(name="c", type="engage", group_id="1", topics=["Copilot"])
    facts = BadgeFacts(
        person="p", team="Legal", badge="b", title="Explorer", activity_date=date(2026, 11, 23)
    )
    async with httpx.AsyncClient(verify=tenant.ssl_context()) as http:
        sender = EngageSender(http, settings.engage_base_url, tokens)
        delivery = await sender.send(community, facts, {})
        assert delivery.outcome == "sent", delivery.detail
        posts = (await http.get(f"{tenant.graph_base_url}/sandbox/posts.json")).json()
    assert posts[-1]["message"]["topics"] == ["Copilot"]
