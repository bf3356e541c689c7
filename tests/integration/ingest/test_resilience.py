"""Throttling, server errors, download redirects, malformed rows and token errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
from nats.js import JetStreamContext

from services.ingest.bootstrap import run_once
from services.ingest.status import read_status
from shared.subjects import COPILOT_ACTIVITY, COPILOT_UNATTRIBUTED
from tests.integration.ingest.conftest import dead_letters, make_settings, read_events
from tests.integration.ingest.tenant import CLIENT_ID, FakeTenant

CSV = (
    "Report Refresh Date,User Principal Name,Display Name,Word Copilot Last Activity Date,"
    "Excel Copilot Last Activity Date\n"
    "2026-07-03,9F86D081884C7D659A2FEAA0C55AD015,A1B2,2026-07-01,\n"
    "2026-07-03,E58EEF6A6BBD3D0293CB306D24A42057,C3D4,not-a-date,2026-07-02\n"
    "2026-07-03,0CC175B9C0F1B6A831C399E269772661,E5F6,,2026-07-03\n"
)


async def test_throttling_and_errors_are_retried_and_the_download_gets_no_token(
    tenant: FakeTenant, js: JetStreamContext, nats_url: str, tmp_path: Path
) -> None:
    tenant.report_csv = CSV
    tenant.redirect_report = True
    tenant.faults = [(429, {"Retry-After": "0"}), (503, {}), (502, {})]
    settings = make_settings(tenant, nats_url, tmp_path, ingest_directory=False)

    outcome = await run_once(settings)

    assert outcome.published == 2 and outcome.dead_letters == 1
    downloads = tenant.requests_to("/download/")
    assert downloads and not any(d.authorised for d in downloads)
    report_calls = tenant.requests_to("getMicrosoft365CopilotUsageUserDetail")
    assert len(report_calls) == 1  # faults were spent on reportSettings, retried there
    [letter] = await dead_letters(js)
    assert letter["position"] == 3 and "date" in letter["reason"]
    assert "userprincipalname" not in letter["fields"]  # no personal data in dead letters
    # concealed rows: facts for the tenant-wide figure only, never a person's
    assert len(await read_events(js, COPILOT_UNATTRIBUTED)) == 2
    assert await read_events(js, COPILOT_ACTIVITY) == []


async def test_json_report_pages_and_concealed_names_are_stated(
    tenant: FakeTenant, js: JetStreamContext, nats_url: str, tmp_path: Path
) -> None:
    legacy = orjson.loads(
        (
            Path(__file__).parents[2]
            / "unit/ingest/fixtures/copilot-usage-user-detail.legacy-beta.json"
        ).read_bytes()
    )["value"][0]
    current = dict(legacy, userPrincipalName="A" * 32, excelCopilotLastActivityDate="")
    third = dict(legacy, userPrincipalName="B" * 32, loopCopilotLastActivityDate="2024-06-25")
    tenant.report_json_pages = [[legacy], [current], [third]]
    tenant.concealed_setting = None  # reportSettings forbidden: inferred from the rows
    settings = make_settings(
        tenant, nats_url, tmp_path, ingest_directory=False, ingest_report_format="json"
    )

    outcome = await run_once(settings)

    assert len(tenant.requests_to("/beta/")) == 3
    # legacy fixture: chat, teams, word, powerpoint -> 4 facts per person; third adds loop
    assert outcome.published == 4 + 4 + 5
    status = await read_status(js, settings.ingest_status_bucket)
    assert status is not None
    assert status["concealed_names"] is True and status["team_boards_use_report"] is False
    assert status["concealed_names_source"] == "inferred from report rows"
    assert "cannot be joined" in status["notices"][0]
    on_disk = orjson.loads((tmp_path / "status.json").read_bytes())
    assert on_disk["report_rows_unjoinable"] == 3 and on_disk["ready"] is True


def test_token_error_is_one_line_and_a_non_zero_exit(
    tenant: FakeTenant, nats_url: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "NATS_URL": nats_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'ingest.db'}",
        "INGEST_STATUS_PATH": str(tmp_path / "status.json"),
        "GRAPH_BASE_URL": tenant.base_url,
        "GRAPH_AUTHORITY": tenant.authority,
        "GRAPH_CLIENT_ID": CLIENT_ID,
        "GRAPH_CLIENT_SECRET": "wrong",
        "GRAPH_CA_BUNDLE": str(tenant.ca_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "services.ingest", "--once"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parents[3],
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    [line] = [ln for ln in done.stderr.splitlines() if '"level": "error"' in ln]
    message = orjson.loads(line)["event"]
    assert "invalid_client" in message and "AADSTS7000215" in message
    assert "correlation_id=c0ffee00-0000-4000-8000-000000000001" in message
