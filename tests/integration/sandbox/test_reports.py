"""Usage reports over HTTPS: formats, paging, redirect, concealed names, revalidation."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import httpx

from services.sandbox.testing import SandboxHandle, sandbox_tenant

FIXTURES = Path("/work/shared/fixtures/graph")
USER_DETAIL = "getMicrosoft365CopilotUsageUserDetail"
HEX32 = re.compile(r"^[0-9A-F]{32}$")


def fixture_csv_header() -> list[str]:
    return next(
        csv.reader(io.StringIO((FIXTURES / "copilot-usage-user-detail.v1.csv").read_text()))
    )


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def all_pages(client: httpx.Client, url: str) -> tuple[list[dict[str, Any]], int]:
    rows: list[dict[str, Any]] = []
    pages = 0
    next_url: str | None = url
    while next_url:
        body = client.get(next_url).raise_for_status().json()
        rows.extend(body["value"])
        pages += 1
        next_url = body.get("@odata.nextLink")
    return rows, pages


def test_v1_csv_has_the_fixture_header_and_one_row_per_licensed_person(
    tenant: SandboxHandle, graph: httpx.Client
) -> None:
    response = graph.get(f"/v1.0/copilot/reports/{USER_DETAIL}(period='D7')")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.text.startswith("\ufeff")
    rows = read_csv(response.text)
    assert list(rows[0]) == fixture_csv_header()
    licensed = tenant.organisation()["licensed"]
    assert len(rows) == licensed
    assert {r["Report Refresh Date"] for r in rows} == {tenant.state()["data_date"]}
    assert {r["Report Period"] for r in rows} == {"7"}
    upns = {r["User Principal Name"] for r in rows}
    assert len(upns) == licensed and all(u.endswith("@contoso.be") for u in upns)


def test_beta_json_pages_match_the_csv(tenant: SandboxHandle, graph: httpx.Client) -> None:
    csv_rows = read_csv(graph.get(f"/v1.0/copilot/reports/{USER_DETAIL}(period='D30')").text)
    rows, pages = all_pages(graph, f"/beta/copilot/reports/{USER_DETAIL}(period='D30')")

    fixture = json.loads((FIXTURES / "copilot-usage-user-detail.beta.json").read_text())["value"][0]
    assert pages == -(-len(csv_rows) // 40)
    assert [list(r) for r in rows[:1]] == [list(fixture)]
    assert [r["userPrincipalName"] for r in rows] == [r["User Principal Name"] for r in csv_rows]
    for item, line in zip(rows, csv_rows, strict=True):
        assert item["wordCopilotLastActivityDate"] == line["Word Copilot Last Activity Date"]
        assert item["copilotActivityUserDetailsByPeriod"] == [{"reportPeriod": 30}]
    dates = [v for r in rows for k, v in r.items() if k.endswith("Date")]
    assert "" in dates and None not in dates


def test_legacy_beta_json_uses_null_and_odata_context(graph: httpx.Client) -> None:
    rows, _ = all_pages(graph, f"/beta/reports/{USER_DETAIL}(period='D7')?$format=application/json")
    first = graph.get(f"/beta/reports/{USER_DETAIL}(period='D7')?$format=application/json").json()

    assert first["@odata.context"].startswith("https://graph.microsoft.com/beta/reports/")
    dates = [v for r in rows for k, v in r.items() if k.endswith("Date")]
    assert None in dates and "" not in dates


def test_legacy_csv_redirects_to_a_download_that_needs_no_token(
    tenant: SandboxHandle, graph: httpx.Client
) -> None:
    response = graph.get(f"/beta/reports/{USER_DETAIL}(period='D7')")

    assert response.status_code == 302
    location = response.headers["location"]
    tenant.clear_requests()
    with tenant.http() as anonymous:
        download = anonymous.get(location)
    assert download.status_code == 200
    assert list(read_csv(download.text)[0]) == fixture_csv_header()
    seen = [r for r in tenant.requests() if r["path"].startswith("/data/download/")]
    assert seen and not seen[0]["authorization"]


def test_v2_has_extra_columns_in_another_order(graph: httpx.Client) -> None:
    text = graph.get(f"/v1.0/copilot/reports/{USER_DETAIL}(period='D28',version='v2')").text
    header = next(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    beta = graph.get(f"/beta/copilot/reports/{USER_DETAIL}(period='D28',version='v2')").json()

    assert set(fixture_csv_header()) < set(header)
    assert header.index("Report Period") < header.index("Last Activity Date")
    assert "activeUsageDays" in beta["value"][0]["copilotActivityUserDetailsByPeriod"][0]


def test_unknown_period_and_function_are_bad_requests(graph: httpx.Client) -> None:
    period = graph.get(f"/v1.0/copilot/reports/{USER_DETAIL}(period='D28')")
    function = graph.get("/v1.0/copilot/reports/getSomethingElse(period='D7')")
    assert period.status_code == 400 and period.json()["error"]["code"] == "BadRequest"
    assert function.status_code == 400


def test_user_count_summary_and_trend(tenant: SandboxHandle, graph: httpx.Client) -> None:
    summary = graph.get("/beta/copilot/reports/getMicrosoft365CopilotUserCountSummary(period='D7')")
    trend = graph.get("/beta/copilot/reports/getMicrosoft365CopilotUserCountTrend(period='D7')")

    fixture = json.loads((FIXTURES / "copilot-user-count-summary.beta.json").read_text())
    product = summary.json()["value"][0]["adoptionByProduct"][0]
    assert set(product) == set(fixture["value"][0]["adoptionByProduct"][0])
    assert product["anyAppEnabledUsers"] == tenant.organisation()["licensed"]
    assert 0 < product["loopActiveUsers"] < product["microsoftTeamsActiveUsers"]
    days = trend.json()["value"][0]["adoptionByDate"]
    assert len(days) == 7
    weekend = [d for d in days if dt.date.fromisoformat(d["reportDate"]).weekday() >= 5]
    weekday = [d for d in days if dt.date.fromisoformat(d["reportDate"]).weekday() < 5]
    assert max(d["anyAppActiveUsers"] for d in weekend) < min(
        d["anyAppActiveUsers"] for d in weekday
    )


def test_report_settings_can_be_changed_with_the_write_role(own_tenant: SandboxHandle) -> None:
    token = own_tenant.app_token()
    with own_tenant.http(headers={"Authorization": f"Bearer {token}"}) as graph:
        refused = graph.patch("/v1.0/admin/reportSettings", json={"displayConcealedNames": "no"})
        changed = graph.patch("/v1.0/admin/reportSettings", json={"displayConcealedNames": False})
        now = graph.get("/v1.0/admin/reportSettings").json()
        plain = read_csv(graph.get(f"/v1.0/copilot/reports/{USER_DETAIL}(period='D7')").text)

    assert refused.status_code == 400 and refused.json()["error"]["code"] == "BadRequest"
    assert changed.status_code == 204 and not changed.content
    assert now["value"]["displayConcealedNames"] is False
    assert plain and not any(HEX32.match(r["User Principal Name"]) for r in plain)


def test_changing_report_settings_needs_the_write_role(tmp_path: Path) -> None:
    roles = ["Reports.Read.All", "ReportSettings.Read.All"]
    with sandbox_tenant(tmp_path, people=10, app_roles=roles) as limited:
        token = limited.app_token()
        with limited.http(headers={"Authorization": f"Bearer {token}"}) as graph:
            refused = graph.patch(
                "/v1.0/admin/reportSettings", json={"displayConcealedNames": False}
            )
            read = graph.get("/v1.0/admin/reportSettings")
        still = limited.state()["concealed_names"]

    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "Authorization_RequestDenied"
    assert read.status_code == 200 and still is True


def test_report_settings_follow_concealment(own_tenant: SandboxHandle) -> None:
    token = own_tenant.app_token()
    with own_tenant.http(headers={"Authorization": f"Bearer {token}"}) as graph:
        on = graph.get("/v1.0/admin/reportSettings").json()
        concealed = read_csv(graph.get(f"/v1.0/copilot/reports/{USER_DETAIL}(period='D7')").text)
        own_tenant.configure(concealed_names=False)
        off = graph.get("/v1.0/admin/reportSettings").json()
        plain = read_csv(graph.get(f"/v1.0/copilot/reports/{USER_DETAIL}(period='D7')").text)

    assert on["value"]["displayConcealedNames"] is True
    assert off["value"]["displayConcealedNames"] is False
    assert all(HEX32.match(r["User Principal Name"]) for r in concealed)
    assert all(HEX32.match(r["Display Name"]) for r in concealed)
    assert len({r["User Principal Name"] for r in concealed}) == len(concealed)
    people = {p["userPrincipalName"]: p for p in own_tenant.people(limit=1000)}
    for hidden, shown in zip(concealed, plain, strict=True):
        assert (
            people[shown["User Principal Name"]]["concealedUserPrincipalName"]
            == (hidden["User Principal Name"])
        )


def test_v1_redirect_option(own_tenant: SandboxHandle) -> None:
    own_tenant.configure(report_redirect=True)
    token = own_tenant.app_token()
    with own_tenant.http(headers={"Authorization": f"Bearer {token}"}) as graph:
        response = graph.get(f"/v1.0/copilot/reports/{USER_DETAIL}(period='D7')")
    assert response.status_code == 302
    with own_tenant.http(follow_redirects=False) as anonymous:
        assert anonymous.get(response.headers["location"]).status_code == 200
        assert anonymous.get(response.headers["location"] + "x").status_code == 403


def test_later_reports_revalidate_the_last_days(own_tenant: SandboxHandle) -> None:
    url = f"/v1.0/copilot/reports/{USER_DETAIL}(period='D7')"
    token = own_tenant.app_token()
    with own_tenant.http(headers={"Authorization": f"Bearer {token}"}) as graph:
        before = {r["User Principal Name"]: r for r in read_csv(graph.get(url).text)}
        own_tenant.advance_clock(3)
        after = {r["User Principal Name"]: r for r in read_csv(graph.get(url).text)}

    first_date = next(iter(before.values()))["Report Refresh Date"]
    cutoff = dt.date.fromisoformat(first_date)
    # activity dated on or before the first refresh date that only the later report shows
    late = [
        (upn, column)
        for upn, row in after.items()
        if upn in before
        for column, value in row.items()
        if column.endswith("Activity Date")
        and value
        and dt.date.fromisoformat(value) <= cutoff
        and value != before[upn][column]
    ]
    assert late, "some activity of the last days should arrive late"
    assert all(
        r["Report Refresh Date"] == str(cutoff + dt.timedelta(days=3)) for r in after.values()
    )
