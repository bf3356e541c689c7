"""Directory delta and interaction history: who is who, and each prompt exactly once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from nats.js import JetStreamContext

from services.ingest.bootstrap import run_once
from services.ingest.interactions import graph_time
from shared.ids import pseudonym
from shared.subjects import COPILOT_ACTIVITY, DIRECTORY_PERSON
from tests.integration.ingest.conftest import KEY, make_settings, read_events
from tests.integration.ingest.tenant import FakeTenant

SKU = "639dec6b-bb19-468b-871c-c5c441c4b0cb"
SECRET_TEXT = "what did my manager say about the reorganisation"


def user(oid: str, licensed: bool, **extra: Any) -> dict[str, Any]:
    licences = [{"skuId": SKU}] if licensed else [{"skuId": "other-sku"}]
    return {
        "id": oid,
        "userPrincipalName": f"{oid}@contoso.be",
        "assignedLicenses": licences,
        **extra,
    }


def item(n: int, kind: str, app: str, when: datetime) -> dict[str, Any]:
    return {
        "id": f"i{n}",
        "interactionType": kind,
        "appClass": f"IPM.SkypeTeams.Message.Copilot.{app}",
        "createdDateTime": graph_time(when),
        "body": {"contentType": "text", "content": SECRET_TEXT},
    }


async def test_prompts_of_licensed_people_once_with_cursors(
    tenant: FakeTenant, js: JetStreamContext, nats_url: str, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    tenant.users = [
        user("u1", True, department="Sales", officeLocation="Antwerpen"),
        user("u2", True, department="IT"),
        user("u3", False, department="IT"),
    ]
    tenant.interactions = {
        "u1": [item(i, "userPrompt", "Word", now - timedelta(hours=i + 1)) for i in range(150)]
        + [item(900, "aiResponse", "Word", now - timedelta(hours=2))],
        "u2": [
            item(1000, "userPrompt", "BizChat", now - timedelta(days=1)),
            item(1001, "userPrompt", "Forms", now - timedelta(days=40)),  # before the backfill
        ],
        "u3": [item(2000, "userPrompt", "Excel", now - timedelta(days=1))],
    }
    settings = make_settings(
        tenant, nats_url, tmp_path, ingest_interactions=True, ingest_interaction_backfill_days=28
    )

    await run_once(settings)

    prompts = await read_events(js, COPILOT_ACTIVITY)
    by_person: dict[str, int] = {}
    for event in prompts:
        assert event.data.kind == "prompt" and SECRET_TEXT not in event.to_bytes().decode()
        by_person[event.data.person] = by_person.get(event.data.person, 0) + 1
    assert by_person == {pseudonym("u1", KEY): 150, pseudonym("u2", KEY): 1}
    calls = tenant.requests_to("/interactionHistory/")
    assert {c.path.split("/")[4] for c in calls} == {"u1", "u2"}  # u3 holds no Copilot licence
    assert sum(1 for c in calls if "u1" in c.path) == 2  # 150 prompts, $top=100: two pages
    assert all("%24top=100" in c.query or "$top=100" in c.query for c in calls)
    people = {e.data.person: e.data for e in await read_events(js, DIRECTORY_PERSON)}
    assert people[pseudonym("u1", KEY)].team == "Sales / Antwerpen"
    assert people[pseudonym("u3", KEY)].licensed is False

    # A prompt arrives after the first cycle; the next cycle reads only the new window.
    tenant.interactions["u2"].append(item(1002, "userPrompt", "Outlook", datetime.now(UTC)))
    tenant.seen.clear()
    tenant.users = [{"id": "u3", "@removed": {"reason": "deleted"}}]
    tenant.gone = {"u1"}  # left between the directory sync and the history read
    second = await run_once(settings)
    assert second.dead_letters == 0
    assert second.published == 2  # the new prompt and u3's removal
    newest = (await read_events(js, COPILOT_ACTIVITY))[-1]
    assert newest.data.interaction_id == "i1002" and newest.data.app == "outlook"
    assert (await read_events(js, DIRECTORY_PERSON))[-1].data.removed is True
    counts = orjson.loads((tmp_path / "status.json").read_bytes())["counts"]
    assert counts["interaction_failures"] == 0 and counts["interaction_people"] == 2
    assert {c.path.split("/")[4] for c in tenant.requests_to("/interactionHistory/")} == {
        "u1",
        "u2",
    }


async def test_an_interrupted_history_read_keeps_only_acknowledged_progress(
    tenant: FakeTenant, js: JetStreamContext, nats_url: str, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    ids = [f"u{n:02d}" for n in range(10)]
    tenant.users = [user(oid, True) for oid in ids]
    tenant.interactions = {
        oid: [item(n, "userPrompt", "Word", now - timedelta(hours=1))] for n, oid in enumerate(ids)
    }
    tenant.refused = {"u05"}  # the read stops here with a 403
    settings = make_settings(
        tenant,
        nats_url,
        tmp_path,
        ingest_interactions=True,
        ingest_interaction_concurrency=1,
        ingest_interaction_backfill_days=28,
    )
    await run_once(settings)
    first = {e.data.person for e in await read_events(js, COPILOT_ACTIVITY)}
    status = orjson.loads((tmp_path / "status.json").read_bytes())
    assert any("AiEnterpriseInteraction.Read.All" in notice for notice in status["notices"])

    tenant.refused = set()
    tenant.seen.clear()
    await run_once(settings)
    backfill_start = (now - timedelta(days=28)).isoformat()[:10]
    resumed = {
        call.path.split("/")[4]
        for call in tenant.requests_to("/interactionHistory/")
        if backfill_start not in call.query
    }
    # Whoever's cursor moved had their prompt acknowledged in the first run.
    assert {pseudonym(oid, KEY) for oid in resumed} <= first
    assert resumed.isdisjoint({"u05", "u06", "u07", "u08", "u09"})
    everyone = await read_events(js, COPILOT_ACTIVITY)
    assert {e.data.interaction_id for e in everyone} == {f"i{n}" for n in range(10)}
    assert len(everyone) == 10
