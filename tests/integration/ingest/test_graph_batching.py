"""Interaction history through Graph JSON batching ($batch), against the sandbox tenant
over real HTTPS and a real JetStream: mixed inner answers, paging, exactly once,
and facts on the stream as batch messages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from nats.js import JetStreamContext

from services.ingest.bootstrap import run_once
from services.ingest.interactions import graph_time
from services.sandbox.testing import SandboxHandle, sandbox_tenant
from shared.bus import BATCH_CONTENT_TYPE, CONTENT_TYPE_HEADER
from shared.ids import pseudonym
from shared.subjects import COPILOT_ACTIVITY
from tests.integration.ingest.conftest import KEY, read_events
from tests.integration.ingest.test_sandbox_tenant import settings_for

HISTORY = "copilot/users/{}/interactionHistory/getAllEnterpriseInteractions"


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxHandle]:
    end = datetime.now(UTC).date() - timedelta(days=3)  # every interaction lies in the past
    with sandbox_tenant(
        tmp_path_factory.mktemp("sandbox"), people=60, weeks=6, end_date=end, concealed_names=False
    ) as handle:
        yield handle


def licensed(sandbox: SandboxHandle) -> list[dict[str, Any]]:
    return [p for p in sandbox.people(limit=1000) if p["licensed"] and p["present"]]


def prompts_one_by_one(sandbox: SandboxHandle, people: list[dict[str, Any]]) -> dict[str, int]:
    """Prompts per person, read with single GETs (no batching), as an oracle."""
    token = sandbox.app_token()
    found: dict[str, int] = {}
    with sandbox.http(headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
        for person in people:
            url: str | None = f"v1.0/{HISTORY.format(person['id'])}"
            params: dict[str, str] | None = {"$top": "1000"}
            while url:
                page = http.get(url, params=params).raise_for_status().json()
                found[person["id"]] = found.get(person["id"], 0) + sum(
                    1 for item in page["value"] if item["interactionType"] == "userPrompt"
                )
                url, params = page.get("@odata.nextLink"), None
    return found


async def test_history_in_batches_with_throttling_errors_and_pages_exactly_once(
    sandbox: SandboxHandle, js: JetStreamContext, nats_url: str, tmp_path: Path
) -> None:
    sandbox.clear_faults()
    people = licensed(sandbox)
    oracle = prompts_one_by_one(sandbox, people)
    busiest = max(people, key=lambda p: oracle[p["id"]])
    assert oracle[busiest["id"]] > 50  # more than one page of $top=100 items (prompt + answer)
    throttled, failing, gone = [p["id"] for p in people if p["id"] != busiest["id"]][:3]
    sandbox.add_fault(f"users/{throttled}/interactionHistory", status=429, retry_after=1, count=1)
    sandbox.add_fault(f"users/{failing}/interactionHistory", status=503, count=2)
    sandbox.add_fault(f"users/{gone}/interactionHistory", status=404, count=1)
    sandbox.clear_requests()
    settings = settings_for(sandbox, nats_url, tmp_path, ingest_interaction_concurrency=2)

    first = await run_once(settings)

    calls = [r for r in sandbox.requests() if "/interactionHistory/" in r["path"]]
    assert calls and all(call.get("batch") for call in calls)  # every read went in a $batch
    assert [c["status"] for c in calls if throttled in c["path"]] == [429, 200]
    assert [c["status"] for c in calls if failing in c["path"]] == [503, 503, 200]
    assert [c["status"] for c in calls if gone in c["path"]] == [404]
    pages = [c for c in calls if busiest["id"] in c["path"]]
    assert len(pages) >= 2 and all("$skiptoken" in c["query"] for c in pages[1:])
    batches = [r for r in sandbox.requests() if r["path"] == "/v1.0/$batch"]
    assert 0 < len(batches) < len(calls)

    events = [e for e in await read_events(js, COPILOT_ACTIVITY) if e.data.kind == "prompt"]
    by_person: dict[str, int] = {}
    for event in events:
        by_person[event.data.person] = by_person.get(event.data.person, 0) + 1
    expected = {
        pseudonym(oid, KEY): count for oid, count in oracle.items() if count and oid != gone
    }
    assert by_person == expected
    theirs = [e for e in events if e.data.person == pseudonym(busiest["id"], KEY)]
    assert len({e.data.interaction_id for e in theirs}) == len(theirs) == oracle[busiest["id"]]
    status = orjson.loads((tmp_path / "status.json").read_bytes())
    assert status["counts"]["interaction_failures"] == 0
    assert status["counts"]["interaction_people"] == len(people)

    # facts travel as CloudEvents JSON batch messages, fewer messages than events
    info = await js.stream_info("SIGNALS", subjects_filter=f"{COPILOT_ACTIVITY}.*")
    messages = sum((info.state.subjects or {}).values())
    assert 0 < messages < len(await read_events(js, COPILOT_ACTIVITY))
    sub = await js.subscribe(f"{COPILOT_ACTIVITY}.*", ordered_consumer=True)
    try:
        msg = await sub.next_msg(timeout=5)
    finally:
        await sub.unsubscribe()
    assert (msg.headers or {}).get(CONTENT_TYPE_HEADER) == BATCH_CONTENT_TYPE
    assert (msg.headers or {})["Nats-Msg-Id"].startswith("batch-")
    assert first.published > len(events)

    # a second run reads only the time since the first one and publishes nothing new
    stored = (await js.stream_info("SIGNALS")).state.messages
    again = await run_once(settings)
    assert again.published == 0
    assert (await js.stream_info("SIGNALS")).state.messages == stored


async def test_batch_answers_match_single_requests(sandbox: SandboxHandle) -> None:
    """The same pages whether asked alone or among others; per-request errors stay apart."""
    sandbox.clear_faults()
    people = licensed(sandbox)[:5]
    end = datetime.combine(sandbox.data_date, datetime.min.time(), UTC)
    window = {
        "$top": "7",
        "$filter": f"createdDateTime ge {graph_time(end - timedelta(days=30))} and "
        f"createdDateTime lt {graph_time(end)}",
    }
    token = sandbox.app_token()
    with sandbox.http(headers={"Authorization": f"Bearer {token}"}) as http:
        alone = [
            http.get(f"v1.0/{HISTORY.format(p['id'])}", params=window).raise_for_status().json()
            for p in people
        ]
        query = httpx.QueryParams(window)
        requests = [
            {"id": str(n), "method": "GET", "url": f"{HISTORY.format(p['id'])}?{query}"}
            for n, p in enumerate(people)
        ]
        requests.append(
            {"id": "nobody", "method": "GET", "url": HISTORY.format("not-a-user") + f"?{query}"}
        )
        requests.append({"id": "me", "method": "GET", "url": f"/users/{people[0]['id']}"})
        answer = http.post("v1.0/$batch", json={"requests": requests}).raise_for_status().json()
        too_many = http.post(
            "v1.0/$batch",
            json={"requests": [{**r, "id": str(n)} for n, r in enumerate(requests * 3)]},
        )
        unsigned = httpx.post(
            f"{sandbox.graph_base_url}/v1.0/$batch",
            json={"requests": requests[:1]},
            verify=sandbox.ssl_context(),
        )
    by_id = {inner["id"]: inner for inner in answer["responses"]}
    assert [by_id[str(n)]["body"] for n in range(len(people))] == alone
    assert all(by_id[str(n)]["status"] == 200 for n in range(len(people)))
    assert by_id["nobody"]["status"] == 404
    assert by_id["nobody"]["body"]["error"]["code"] == "ResourceNotFound"
    assert by_id["me"]["status"] == 200 and by_id["me"]["body"]["id"] == people[0]["id"]
    assert too_many.status_code == 400  # at most 20 requests in a batch
    assert unsigned.status_code == 401
