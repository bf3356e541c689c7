"""Users delta: paging, delta links, joiners, movers and leavers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from services.sandbox.testing import SandboxHandle, sandbox_tenant
from tests.integration.sandbox.conftest import END

SELECT = "id,displayName,userPrincipalName,department,jobTitle,officeLocation"


def follow(client: httpx.Client, url: str) -> tuple[list[dict[str, Any]], str, int]:
    items: list[dict[str, Any]] = []
    pages = 0
    while True:
        body = client.get(url).raise_for_status().json()
        items.extend(body["value"])
        pages += 1
        if "@odata.deltaLink" in body:
            return items, body["@odata.deltaLink"], pages
        url = body["@odata.nextLink"]


def test_initial_sync_pages_to_a_delta_link(tenant: SandboxHandle, graph: httpx.Client) -> None:
    users, delta_link, pages = follow(graph, f"/v1.0/users/delta?$select={SELECT}")

    assert len(users) == tenant.organisation()["people"]
    assert pages == -(-len(users) // 50)
    assert set(users[0]) == set(SELECT.split(","))
    assert len({u["id"] for u in users}) == len(users)
    assert {u["department"] for u in users} >= {"Financiën", "IT", "HR / Personeelszaken"}
    assert "$deltatoken=" in delta_link
    again, _, _ = follow(graph, delta_link)
    assert again == []


def test_department_only_when_selected(graph: httpx.Client) -> None:
    body = graph.get("/v1.0/users/delta?$select=id,displayName").json()
    plain = graph.get("/v1.0/users/delta").json()
    assert set(body["value"][0]) == {"id", "displayName"}
    assert "department" not in plain["value"][0] and "jobTitle" in plain["value"][0]


def test_unknown_property_is_rejected(graph: httpx.Client) -> None:
    response = graph.get("/v1.0/users/delta?$select=id,shoeSize")
    assert response.status_code == 400


def test_moving_the_clock_yields_joiners_movers_and_leavers(tmp_path: Path) -> None:
    with sandbox_tenant(tmp_path, people=600, end_date=END) as tenant:
        token = tenant.app_token()
        with tenant.http(headers={"Authorization": f"Bearer {token}"}) as graph:
            users, delta_link, _ = follow(graph, f"/v1.0/users/delta?$select={SELECT}")
            known = {u["id"]: u for u in users}
            tenant.advance_clock(28)
            changed, _, _ = follow(graph, delta_link)

    removed = [c for c in changed if "@removed" in c]
    joined = [c for c in changed if "@removed" not in c and c["id"] not in known]
    moved = [c for c in changed if c["id"] in known and "@removed" not in c]
    assert removed and joined and moved
    assert all(c["@removed"]["reason"] in ("changed", "deleted") for c in removed)
    assert all(set(c) == {"id", "@removed"} for c in removed)
    assert all(c["department"] != known[c["id"]]["department"] for c in moved)
    assert len(changed) < len(users) // 4


def test_get_user_and_team_in_employee_org_data(tenant: SandboxHandle, graph: httpx.Client) -> None:
    person = tenant.people(limit=1)[0]
    body = graph.get(f"/v1.0/users/{person['id']}?$select=id,department,employeeOrgData").json()
    assert body["department"] == person["department"]
    assert body["employeeOrgData"]["division"] == person["team"]
    assert graph.get("/v1.0/users/00000000-0000-0000-0000-000000000000").status_code == 404


def test_managers_form_a_tree_up_to_person_zero(tenant: SandboxHandle, graph: httpx.Client) -> None:
    people = [p for p in tenant.people(limit=40) if p["present"]]
    root = people[0]
    assert graph.get(f"/v1.0/users/{root['id']}/manager").status_code == 404
    for person in people[1:]:
        seen = {person["id"]}
        current = person["id"]
        while True:
            response = graph.get(f"/v1.0/users/{current}/manager?$select=id,department")
            if response.status_code == 404:
                break
            current = response.json()["id"]
            assert current not in seen
            seen.add(current)
        assert current == root["id"]
