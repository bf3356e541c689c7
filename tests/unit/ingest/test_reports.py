"""Usage report parsing against Microsoft's documented example payloads and their variants."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import orjson
import pytest

from services.ingest.reports import (
    MalformedRow,
    UsageRow,
    is_concealed,
    parse_csv,
    parse_json_rows,
)
from shared.events import App

# Copies of Microsoft's documented examples (see fixtures/README.md).
FIXTURES = Path(__file__).parent / "fixtures"


def rows_of(items: list[UsageRow | MalformedRow]) -> list[UsageRow]:
    assert all(isinstance(r, UsageRow) for r in items), items
    return [r for r in items if isinstance(r, UsageRow)]


def test_v1_csv_fixture_with_no_activity_yields_a_row_without_dates() -> None:
    [row] = rows_of(list(parse_csv((FIXTURES / "copilot-usage-user-detail.v1.csv").read_bytes())))
    assert row.user_principal_name == "E58EEF6A6BBD3D0293CB306D24A42057"
    assert row.report_refresh_date == date(2026, 7, 3)
    assert row.last_activity == ()


@pytest.mark.parametrize(
    ("name", "expected_refresh"),
    [
        ("copilot-usage-user-detail.beta.json", date(2025, 8, 20)),
        ("copilot-usage-user-detail.legacy-beta.json", date(2024, 6, 26)),
    ],
)
def test_beta_json_current_and_legacy_shapes(name: str, expected_refresh: date) -> None:
    body = orjson.loads((FIXTURES / name).read_bytes())
    [row] = rows_of(list(parse_json_rows(body["value"])))
    assert row.report_refresh_date == expected_refresh
    apps = dict(row.last_activity)
    # "" (current) and null (legacy) both mean no activity in that app.
    assert set(apps) == {App.CHAT, App.TEAMS, App.WORD, App.POWERPOINT}
    assert App.EXCEL not in apps and App.OUTLOOK not in apps


def test_csv_is_read_by_header_name_whatever_the_order_and_extra_columns() -> None:
    csv = (
        "Loop Copilot Last Activity Date,User Principal Name,Prompts Submitted,"
        "Report Refresh Date,OneNote Copilot Last Activity Date,"
        "Outlook Copilot Last Activity Date\n"
        "2026-07-01,ann@contoso.be,12,2026-07-03,,2026-06-30\n"
    )
    [row] = rows_of(list(parse_csv(csv)))
    assert dict(row.last_activity) == {App.LOOP: date(2026, 7, 1), App.OUTLOOK: date(2026, 6, 30)}


def test_malformed_rows_are_reported_and_the_rest_proceeds() -> None:
    csv = (
        "Report Refresh Date,User Principal Name,Word Copilot Last Activity Date\n"
        "2026-07-03,ok1@contoso.be,2026-07-01\n"
        "2026-07-03,bad-date@contoso.be,2026-13-45\n"
        "2026-07-03,,2026-07-01\n"
        "2026-07-03,short@contoso.be\n"
        "2026-07-03,future@contoso.be,2026-07-09\n"
        "2026-07-03,ok2@contoso.be,\n"
    )
    parsed = list(parse_csv(csv))
    good = [r.user_principal_name for r in parsed if isinstance(r, UsageRow)]
    bad = [r for r in parsed if isinstance(r, MalformedRow)]
    assert good == ["ok1@contoso.be", "ok2@contoso.be"]
    assert [r.position for r in bad] == [3, 4, 5, 6]
    assert "date" in bad[0].reason and "userPrincipalName" in bad[1].reason
    assert "fields" in bad[2].reason and "after the refresh date" in bad[3].reason


def test_an_unreadable_last_activity_date_spoils_the_row() -> None:
    item = {
        "reportRefreshDate": "2026-07-03",
        "userPrincipalName": "a@c.be",
        "lastActivityDate": "2025-02-30",
        "wordCopilotLastActivityDate": "2026-07-01",
    }
    [row] = list(parse_json_rows([item]))
    assert isinstance(row, MalformedRow) and "date" in row.reason


def test_json_item_that_is_not_an_object_is_malformed() -> None:
    parsed = list(parse_json_rows([42], first_position=7))
    assert isinstance(parsed[0], MalformedRow) and parsed[0].position == 7


def test_concealed_names_are_32_uppercase_hex() -> None:
    assert is_concealed("DC8C64D6EC3A3AA17481D7E5EB5B68A6")
    assert not is_concealed("alice@contoso.be")
    assert not is_concealed("dc8c64d6ec3a3aa17481d7e5eb5b68a6x")
