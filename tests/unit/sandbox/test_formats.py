"""Report rows in Graph's formats, compared with Microsoft's example payloads."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

from services.sandbox.adoption import ActivityModel
from services.sandbox.formats import V1_HEADER, csv_header, csv_rows, json_row
from services.sandbox.organisation import build_organisation
from services.sandbox.usage import UsageReport

FIXTURES = Path("/work/shared/fixtures/graph")
ANCHOR = dt.date(2025, 6, 18)
ORG = build_organisation(seed=5, size=120, anchor=ANCHOR, weeks=8)
REPORT = UsageReport(ORG, ActivityModel(ORG))
ROWS = [row for chunk in REPORT.rows(ANCHOR, "D7") for row in chunk]


def test_csv_header_is_the_fixture_header() -> None:
    fixture = (FIXTURES / "copilot-usage-user-detail.v1.csv").read_text().splitlines()[0]
    assert csv_header(v2=False).rstrip("\n") == fixture
    assert tuple(fixture.split(",")) == V1_HEADER


def test_csv_rows_parse_by_name_and_leave_missing_dates_empty() -> None:
    text = csv_header(v2=False) + csv_rows(ROWS, concealed=True, v2=False)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(ROWS) == sum(p.licensed and p.present_on(ANCHOR) for p in ORG.people)
    assert {r["Report Period"] for r in rows} == {"7"}
    assert any(r["Loop Copilot Last Activity Date"] == "" for r in rows)
    assert rows[0]["User Principal Name"] == ROWS[0].person.concealed_upn


def test_json_rows_have_the_fixture_fields() -> None:
    beta = json.loads((FIXTURES / "copilot-usage-user-detail.beta.json").read_text())["value"][0]
    legacy = json.loads((FIXTURES / "copilot-usage-user-detail.legacy-beta.json").read_text())
    items = [json_row(r, concealed=False, legacy=False, v2=False) for r in ROWS]
    old = [json_row(r, concealed=False, legacy=True, v2=False) for r in ROWS]
    assert list(items[0]) == list(beta) == list(legacy["value"][0])
    assert items[0]["userPrincipalName"].endswith("@contoso.be")
    assert any(v == "" for i in items for v in i.values()) and not any(
        v is None for i in items for v in i.values()
    )
    assert any(v is None for i in old for v in i.values())


def test_last_activity_is_the_latest_app_date_and_never_after_refresh() -> None:
    for row in ROWS:
        dates = [d for d in row.last.values() if d]
        assert row.last_any == (max(dates) if dates else None)
        assert all(d <= ANCHOR for d in dates)


def test_longer_periods_agree_on_dates() -> None:
    d90 = [row for chunk in REPORT.rows(ANCHOR, "D90") for row in chunk]
    assert [r.last for r in d90] == [r.last for r in ROWS]
    assert {r.period_days for r in d90} == {90}


def test_v2_adds_columns() -> None:
    header = csv_header(v2=True).rstrip("\n").split(",")
    assert set(V1_HEADER) < set(header)
    item = json_row(ROWS[0], concealed=False, legacy=False, v2=True)
    assert {"activeUsageDays", "promptsSubmittedCount"} <= set(
        item["copilotActivityUserDetailsByPeriod"][0]
    )
