"""Interaction history: shape like the fixtures, filters, paging."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import httpx

from services.sandbox.testing import SandboxHandle, sandbox_tenant

FIXTURES = Path("/work/shared/fixtures/graph")
PATH = "/v1.0/copilot/users/{id}/interactionHistory/getAllEnterpriseInteractions"


def busiest_person(tenant: SandboxHandle) -> dict[str, Any]:
    return next(p for p in tenant.people(limit=200) if p["licensed"] and p["present"])


def window(days: int, end: dt.date) -> str:
    start = dt.datetime.combine(end - dt.timedelta(days=days), dt.time(), dt.UTC)
    stop = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC)
    return (
        f"createdDateTime gt {start:%Y-%m-%dT%H:%M:%SZ} and "
        f"createdDateTime lt {stop:%Y-%m-%dT%H:%M:%SZ}"
    )


def pages(
    client: httpx.Client, url: str, params: dict[str, str]
) -> tuple[list[dict[str, Any]], int]:
    items: list[dict[str, Any]] = []
    body = client.get(url, params=params).raise_for_status().json()
    count = 1
    items.extend(body["value"])
    while "@odata.nextLink" in body:
        body = client.get(body["@odata.nextLink"]).raise_for_status().json()
        items.extend(body["value"])
        count += 1
    return items, count


def test_items_have_the_fixture_shape_and_come_in_pairs(
    tenant: SandboxHandle, graph: httpx.Client
) -> None:
    person = tenant.people(limit=1)[0]  # the demo admin adopts early
    end = tenant.data_date
    items, _ = pages(
        graph, PATH.format(id=person["id"]), {"$top": "100", "$filter": window(28, end)}
    )

    prompt_fixture = json.loads((FIXTURES / "ai-interactions.user-prompt.json").read_text())
    response_fixture = json.loads((FIXTURES / "ai-interactions.ai-response.json").read_text())
    prompts = [i for i in items if i["interactionType"] == "userPrompt"]
    responses = [i for i in items if i["interactionType"] == "aiResponse"]
    assert prompts and len(prompts) == len(responses)
    assert set(prompts[0]) == set(prompt_fixture["value"][0])
    assert set(responses[0]) == set(response_fixture["value"][0])
    assert prompts[0]["from"]["user"]["id"] == person["id"]
    assert prompts[0]["body"]["content"]
    assert {p["requestId"] for p in prompts} == {r["requestId"] for r in responses}
    assert len({i["id"] for i in items}) == len(items)
    assert all(i["appClass"].startswith("IPM.SkypeTeams.Message.Copilot.") for i in items)
    times = [i["createdDateTime"] for i in items]
    assert times == sorted(times)


def test_paging_with_top_returns_the_same_items(tenant: SandboxHandle, graph: httpx.Client) -> None:
    person = tenant.people(limit=1)[0]
    params = {"$filter": window(14, tenant.data_date)}
    whole, _ = pages(graph, PATH.format(id=person["id"]), {**params, "$top": "1000"})
    paged, count = pages(graph, PATH.format(id=person["id"]), {**params, "$top": "7"})
    assert paged == whole
    assert count == -(-len(whole) // 7)


def test_filters_bound_the_window_and_the_app(tenant: SandboxHandle, graph: httpx.Client) -> None:
    person = tenant.people(limit=1)[0]
    end = tenant.data_date
    wide, _ = pages(
        graph, PATH.format(id=person["id"]), {"$top": "1000", "$filter": window(28, end)}
    )
    cut = wide[len(wide) // 2]["createdDateTime"]
    upper = end + dt.timedelta(days=1)
    later, _ = pages(
        graph,
        PATH.format(id=person["id"]),
        {
            "$top": "1000",
            "$filter": f"createdDateTime gt {cut} and createdDateTime lt {upper}T00:00:00Z",
        },
    )
    teams_class = "IPM.SkypeTeams.Message.Copilot.Teams"
    teams, _ = pages(
        graph,
        PATH.format(id=person["id"]),
        {"$top": "1000", "$filter": f"{window(28, end)} and appClass eq '{teams_class}'"},
    )

    assert later == [i for i in wide if i["createdDateTime"] > cut]
    assert teams == [i for i in wide if i["appClass"] == teams_class]


def test_prompts_match_the_usage_report(tenant: SandboxHandle, graph: httpx.Client) -> None:
    person = tenant.people(limit=1)[0]
    end = tenant.data_date
    items, _ = pages(
        graph, PATH.format(id=person["id"]), {"$top": "1000", "$filter": window(60, end)}
    )
    report = graph.get(
        "/beta/copilot/reports/getMicrosoft365CopilotUsageUserDetail(period='D90')?$top=1"
    ).json()
    row = report["value"][0]
    assert row["userPrincipalName"] == person["userPrincipalName"]
    last_teams = max(i["createdDateTime"][:10] for i in items if i["appClass"].endswith(".Teams"))
    # the report may lag behind the interaction history by up to three days
    reported = dt.date.fromisoformat(row["microsoftTeamsCopilotLastActivityDate"])
    assert dt.date.fromisoformat(last_teams) - reported <= dt.timedelta(days=3)


def test_bad_filter_and_unknown_user(tenant: SandboxHandle, graph: httpx.Client) -> None:
    person = tenant.people(limit=1)[0]
    bad = graph.get(PATH.format(id=person["id"]), params={"$filter": "body eq 'x'"})
    unknown = graph.get(PATH.format(id="00000000-0000-0000-0000-000000000000"))
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "BadRequest"
    assert unknown.status_code == 404


def test_nothing_lies_in_the_future(tmp_path: Path) -> None:
    with sandbox_tenant(tmp_path, people=30) as today_tenant:  # data date = today
        person = today_tenant.people(limit=1)[0]
        token = today_tenant.app_token()
        with today_tenant.http(headers={"Authorization": f"Bearer {token}"}) as graph:
            items, _ = pages(
                graph,
                PATH.format(id=person["id"]),
                {"$top": "1000", "$filter": window(7, today_tenant.data_date)},
            )
        now = dt.datetime.now(dt.UTC)
    assert items
    assert all(dt.datetime.fromisoformat(i["createdDateTime"]) <= now for i in items)
