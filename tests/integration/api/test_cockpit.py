"""The adoption cockpit over real HTTP and SQL: who may read it, what it answers from the
cube, the CSV of each chart, and the page that shows it."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from services.api.cockpit.table import Chart
from shared.periods import today
from shared.settings import ApiSettings
from tests.integration.api.cockpit_world import fill, simulate
from tests.integration.api.conftest import LiveServer
from tests.integration.api.tenant import Tenant


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def rows_of(response: httpx.Response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


async def test_only_insight_readers_and_admins_see_the_cockpit(
    live_server: LiveServer, tenant: Tenant, engine: AsyncEngine, api_settings: ApiSettings
) -> None:
    await fill(engine, simulate(today(api_settings.tz)))
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        admin = bearer(tenant.token(roles=["Admin"]))
        issued = await http.post(
            "/api/admin/display-tokens", json={"label": "Lobby"}, headers=admin
        )
        display = bearer(issued.json()["token"])
        for url in ("/api/insights/cockpit", "/api/insights/cockpit/trend.csv"):
            assert (await http.get(url)).status_code == 401, url
            assert (await http.get(url, headers=display)).status_code == 403, url
            assert (await http.get(url, headers=bearer(tenant.token()))).status_code == 403, url
            reader = bearer(tenant.token(roles=["Insights.Read"]))
            assert (await http.get(url, headers=reader)).status_code == 200, url
            assert (await http.get(url, headers=admin)).status_code == 200, url
        page = await http.get("/insights?lang=fr")
        assert page.status_code == 200 and "Indicateurs d'adoption" in page.text
        assert "<script>" not in page.text and 'style="' not in page.text


async def test_the_cockpit_answers_from_the_cube_and_hides_small_groups(
    client: httpx.AsyncClient, tenant: Tenant, engine: AsyncEngine, api_settings: ApiSettings
) -> None:
    reader = bearer(tenant.token(roles=["Insights.Read"]))
    empty = (await client.get("/api/insights/cockpit?lang=en", headers=reader)).json()
    assert empty["coverage"] is None and "not built yet" in empty["notice"]

    world = simulate(today(api_settings.tz))
    await fill(engine, world)
    body = (await client.get("/api/insights/cockpit?lang=en&weeks=8", headers=reader)).json()
    assert body["notice"] is None and len(body["weeks"]) == 8
    assert body["scope"]["licensed"] == sum(world.licensed.values())
    last = body["trend"]["weeks"][-1]
    assert 0 < last["rate"] <= 1 and last["licensed"] == body["scope"]["licensed"]
    heat = body["heatmap"]
    assert "Research" not in {row["department"] for row in heat["rows"]}
    assert heat["hidden"] == [
        {"group": "Research", "label": "Research", "reason": "fewer than 5 licensed people"}
    ]
    assert {f["department"] for f in body["flags"]["departments"]} == {
        row["department"] for row in heat["rows"]
    }
    assert "5 percentage points" in body["flags"]["rule"]
    assert [t["id"] for t in body["segments"]["tiers"]] == [
        "power",
        "habitual",
        "novice",
        "low",
        "none",
    ]
    assert body["intents"]["labels"]["find"] == "Find"
    assert abs(sum(s for s in body["intents"]["weeks"][-1]["shares"].values() if s) - 1) < 0.01
    hours = body["assisted"]["weeks"][-1]
    assert hours["hours"] == round(hours["actions"] * 6 / 60, 1)

    sales = (await client.get("/api/insights/cockpit?department=Sales", headers=reader)).json()
    assert sales["scope"]["department"] == "Sales" and [
        r["department"] for r in sales["heatmap"]["rows"]
    ] == ["Sales"]
    research = (
        await client.get("/api/insights/cockpit?department=Research", headers=reader)
    ).json()
    assert research["trend"] is None and "5" in research["notice"]
    unknown = await client.get("/api/insights/cockpit?department=Nowhere", headers=reader)
    assert unknown.status_code == 404 and "Nowhere" in unknown.json()["detail"]
    both = await client.get("/api/insights/cockpit?department=Sales&function=x", headers=reader)
    assert both.status_code == 400 and "not both" in both.json()["detail"]
    assert (await client.get("/api/insights/cockpit?weeks=3", headers=reader)).status_code == 422
    assert (await client.get("/api/insights/cockpit/pie.csv", headers=reader)).status_code == 422


@pytest.mark.parametrize("chart", list(Chart))
async def test_every_chart_downloads_as_csv_with_what_it_shows(
    chart: Chart,
    client: httpx.AsyncClient,
    tenant: Tenant,
    engine: AsyncEngine,
    api_settings: ApiSettings,
) -> None:
    await fill(engine, simulate(today(api_settings.tz)))
    reader = bearer(tenant.token(roles=["Insights.Read"]))
    answer = await client.get(
        f"/api/insights/cockpit/{chart.value}.csv?lang=nl&weeks=6", headers=reader
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert (
        answer.headers["content-disposition"] == f'attachment; filename="uptake-{chart.value}.csv"'
    )
    rows = rows_of(answer)
    body = (await client.get("/api/insights/cockpit?lang=nl&weeks=6", headers=reader)).json()
    header, data = rows[0], rows[1:]
    assert all(len(row) == len(header) for row in data)
    if chart in (Chart.TREND, Chart.HOW_OFTEN, Chart.INTENTS, Chart.ASSISTED):
        assert header[0] == "Week" and [row[0] for row in data] == body["weeks"]
    if chart is Chart.TREND:
        assert header[3] == "Eender welke app (%)"
        assert [row[3] for row in data] == [
            f"{round(w['rate'] * 100, 1)}" for w in body["trend"]["weeks"]
        ]
    if chart is Chart.HEATMAP:
        shown = [r["label"] for r in body["heatmap"]["rows"]]
        assert [row[0] for row in data] == [*shown, "Research"]
        assert data[-1][-1] == "minder dan 5 mensen met een licentie"
    if chart is Chart.ASSISTED:
        assert [float(row[2]) for row in data] == [w["hours"] for w in body["assisted"]["weeks"]]


async def test_the_weeks_shown_end_with_the_last_complete_week(
    client: httpx.AsyncClient, tenant: Tenant, engine: AsyncEngine, api_settings: ApiSettings
) -> None:
    day = today(api_settings.tz)
    await fill(engine, simulate(day))
    reader = bearer(tenant.token(roles=["Insights.Read"]))
    body = (await client.get("/api/insights/cockpit?weeks=4", headers=reader)).json()
    monday = day - timedelta(days=day.weekday())
    # The cube runs to yesterday, so this week is partial and last week the newest shown.
    assert body["weeks"] == [(monday - timedelta(weeks=n)).isoformat() for n in (4, 3, 2, 1)]
    assert body["coverage"]["last_complete_week"] == body["weeks"][-1]
