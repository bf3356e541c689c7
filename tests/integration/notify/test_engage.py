"""Viva Engage: form-encoded posts, the 10-per-30-seconds limit, and 401 Token not found."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from cryptography.fernet import Fernet
from sqlalchemy.ext.asyncio import AsyncEngine

from services.notify.channels import Channel
from services.notify.engage import EngageSender
from services.notify.engage_auth import EncryptedTokenCache, EngageTokens
from services.notify.health import channel_health
from shared.people import Person
from shared.settings import NotifySettings
from tests.integration.notify.awards import add_people, badge
from tests.integration.notify.conftest import Sandbox
from tests.integration.notify.harness import Harness


class SignedIn:
    """Stands in for the MSAL cache: a token, and a version that a new sign-in bumps."""

    def __init__(self) -> None:
        self.signed_in_at = 1.0

    async def token(self) -> str | None:
        return "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.e30."

    def version(self) -> float:
        return self.signed_in_at


def community() -> Channel:
    return Channel(
        name="community",
        type="engage",
        group_id="1234567",
        topics=["Copilot", "Shout-out"],
        language="en",
    )


async def test_engage_posts_form_encoded_messages_to_the_community_with_topics(
    engine: AsyncEngine, sandbox: Sandbox, notify_settings: Callable[..., NotifySettings]
) -> None:
    # Five in the team: big enough to be mentioned ("Someone in Finance Ops").
    await add_people(engine, *(Person(person=f"p-{i}", team="Finance Ops") for i in range(5)))
    async with httpx.AsyncClient() as http:
        sender = EngageSender(http, f"{sandbox.url}/engage/api/v1", SignedIn())
        h = Harness(engine, notify_settings(), [community()], http, senders={"engage": sender})
        await h.take([badge("p-1", "Explorer")])
        assert await h.dispatcher.tick() == 1
    [post] = await sandbox.posts()
    assert post["target"] == "engage" and post["channel"] == "1234567"
    assert "Explorer" in post["message"]["body"] and "Finance Ops" in post["message"]["body"]
    assert post["message"]["topics"] == ["Copilot", "Shout-out"]


async def test_401_token_not_found_alerts_admins_once_and_resumes_after_a_new_sign_in(
    engine: AsyncEngine, sandbox: Sandbox, notify_settings: Callable[..., NotifySettings]
) -> None:
    await sandbox.fault(target="engage", status=401)
    tokens = SignedIn()
    async with httpx.AsyncClient() as http:
        sender = EngageSender(http, f"{sandbox.url}/engage/api/v1", tokens)
        h = Harness(engine, notify_settings(), [community()], http, senders={"engage": sender})
        await h.take([badge("p-1", "Explorer")])
        assert await h.dispatcher.tick() == 0
        async with h.sessions() as session:
            [health] = await channel_health(session)
        assert health.channel == "community" and health.state == "signed-out"
        assert "Token not found" in (health.detail or "")
        for _ in range(3):  # no loop of failing requests while nobody signed in again
            assert await h.dispatcher.tick() == 0
        assert [a["status"] for a in (await sandbox.state())["attempts"]] == [401]
        [entry] = await h.outbox()
        assert entry.status == "pending"  # held, not lost
        tokens.signed_in_at = 2.0  # an admin ran engage-login
        assert await h.dispatcher.tick() == 1
        async with h.sessions() as session:
            [health] = await channel_health(session)
        assert health.state == "ok"
    assert len(await sandbox.posts()) == 1


async def test_nobody_signed_in_is_an_alert_not_an_error_loop(
    engine: AsyncEngine,
    sandbox: Sandbox,
    notify_settings: Callable[..., NotifySettings],
) -> None:
    settings = notify_settings()
    async with httpx.AsyncClient() as http:
        sender = EngageSender(http, f"{sandbox.url}/engage/api/v1", EngageTokens(settings))
        h = Harness(engine, settings, [community()], http, senders={"engage": sender})
        await h.take([badge("p-1", "Explorer")])
        assert await h.dispatcher.tick() == 0
        assert await h.dispatcher.tick() == 0
    assert (await sandbox.state())["attempts"] == []
    async with h.sessions() as session:
        [health] = await channel_health(session)
    assert health.state == "signed-out"


def test_token_cache_is_encrypted_at_rest(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "cache.bin"
    key = Fernet.generate_key()
    store = EncryptedTokenCache(path, key)
    store.cache.deserialize('{"RefreshToken": {"k": {"secret": "refresh-token-value"}}}')
    store.cache.has_state_changed = True
    store.save()
    assert b"refresh-token-value" not in path.read_bytes()
    assert "refresh-token-value" in EncryptedTokenCache(path, key).cache.serialize()
    stranger = EncryptedTokenCache(path, Fernet.generate_key())
    assert "refresh-token-value" not in stranger.cache.serialize()
