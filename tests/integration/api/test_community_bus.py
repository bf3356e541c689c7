"""What the community announces reaches JetStream through the gateway's outbox (real NATS)."""

from __future__ import annotations

import pytest

from shared.events import (
    CommunityChange,
    KudosGiven,
    RecognitionGranted,
    RecognitionKind,
    RecognitionRevoked,
    StoryPublished,
)
from tests.integration.api.community_world import (  # noqa: F401
    Community,
    Heard,
    community,
    heard,
    new_id,
)

pytestmark = pytest.mark.asyncio


async def test_a_kudos_is_announced_without_its_message_and_pays_the_receiver(
    heard: Heard,  # noqa: F811
    community: Community,  # noqa: F811
) -> None:
    ann, bob = await community.person("Ann"), await community.person("Bob")
    kudos_id = new_id()
    body = {"id": kudos_id, "to": bob.person, "value": "team_player", "message": "Secret thanks"}
    assert (await community.client.post("/api/kudos", json=body, headers=ann.headers)).is_success
    assert (await community.client.post("/api/kudos", json=body, headers=ann.headers)).is_success
    [given] = await heard.events("community.kudos", 1)
    assert isinstance(given, KudosGiven)
    assert (given.kudos, given.giver, given.receiver, given.value) == (
        kudos_id,
        ann.person,
        bob.person,
        "team_player",
    )
    assert "Secret" not in given.model_dump_json()
    [paid] = await heard.events("signals.recognition.granted", 1)
    assert isinstance(paid, RecognitionGranted)
    assert (paid.grant, paid.person, paid.kind) == (
        f"kudos:{kudos_id}",
        bob.person,
        RecognitionKind.KUDOS,
    )


async def test_a_story_is_announced_when_approved_and_again_when_withdrawn(
    heard: Heard,  # noqa: F811
    community: Community,  # noqa: F811
) -> None:
    await community.colleagues("Sales", 5)
    author = await community.person("Ann Author", "Sales")
    admin = await community.person("Ada Admin", "Sales", roles=["Admin"])
    named, unnamed = new_id(), new_id()
    for story_id, is_named in ((named, True), (unnamed, False)):
        body = {
            "id": story_id,
            "app": "word",
            "minutes_saved": 40,
            "text": "A first draft in minutes.",
            "named": is_named,
            "post_to_engage": True,
        }
        assert (
            await community.client.post("/api/stories", json=body, headers=author.headers)
        ).is_success
        decided = await community.client.post(
            f"/api/stories/{story_id}/decision", json={"decision": "approve"}, headers=admin.headers
        )
        assert decided.is_success
    withdrawn = await community.client.delete(f"/api/stories/{named}", headers=author.headers)
    assert withdrawn.is_success

    events = await heard.events("community.story", 3)
    assert all(isinstance(e, StoryPublished) for e in events)
    assert [(e.story, e.change, e.author, e.department) for e in events] == [
        (named, CommunityChange.APPROVED, author.person, "Sales"),
        (unnamed, CommunityChange.APPROVED, None, "Sales"),
        (named, CommunityChange.REMOVED, author.person, "Sales"),
    ]
    assert events[0].post_to_engage and events[0].minutes_saved == 40
    granted = await heard.events("signals.recognition.granted", 2)
    assert {g.grant for g in granted} == {f"story:{named}", f"story:{unnamed}"}
    [revoked] = await heard.events("signals.recognition.revoked", 1)
    assert isinstance(revoked, RecognitionRevoked)
    assert revoked.grant == f"story:{named}"
