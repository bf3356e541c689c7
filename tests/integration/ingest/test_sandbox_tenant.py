"""Ingest against the sandbox tenant: the report's facts exactly, once, then only new facts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from nats.js import JetStreamContext
from pydantic import SecretStr

from services.ingest.bootstrap import run_once
from services.ingest.identity import report_identity
from services.ingest.reports import UsageRow, parse_json_rows
from services.ingest.status import read_status
from services.sandbox.testing import SandboxHandle, sandbox_tenant
from shared.events import UnattributedReason
from shared.ids import pseudonym
from shared.settings import GraphSettings, IngestSettings
from shared.subjects import COPILOT_ACTIVITY, COPILOT_UNATTRIBUTED
from tests.integration.ingest.conftest import KEY, dead_letters, read_events

REPORT = "beta/copilot/reports/getMicrosoft365CopilotUsageUserDetail(period='D30')"
Fact = tuple[str, str, date]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxHandle]:
    end = datetime.now(UTC).date() - timedelta(days=3)  # every interaction lies in the past
    with sandbox_tenant(
        tmp_path_factory.mktemp("sandbox"), people=60, weeks=6, end_date=end, concealed_names=False
    ) as handle:
        yield handle


def settings_for(
    sandbox: SandboxHandle, nats_url: str, workdir: Path, **extra: Any
) -> IngestSettings:
    graph = GraphSettings(
        base_url=sandbox.graph_base_url,
        authority=sandbox.authority,
        tenant_id=sandbox.tenant_id,
        client_id=sandbox.client_id,
        client_secret=SecretStr(sandbox.client_secret),
        ca_bundle=sandbox.ca_path,
        backoff_base_seconds=0.01,
        backoff_max_seconds=0.1,
    )
    values: dict[str, Any] = {
        "nats_url": nats_url,
        "database_url": f"sqlite+aiosqlite:///{workdir / 'ingest.db'}",
        "pseudonym_key": SecretStr(KEY),
        "ingest_status_path": workdir / "status.json",
        "ingest_report_period": "D30",
        "ingest_interaction_backfill_days": 400,
        "graph": graph,
    }
    return IngestSettings(**(values | extra))


def oracle(sandbox: SandboxHandle) -> set[Fact]:
    """The report's facts read independently: the beta JSON pages, joined by the people list."""
    ids = {p["userPrincipalName"].lower(): p["id"] for p in sandbox.people(limit=1000)}
    token = sandbox.app_token()
    facts: set[Fact] = set()
    with sandbox.http(headers={"Authorization": f"Bearer {token}"}) as http:
        url: str | None = REPORT
        while url:
            page = http.get(url).raise_for_status().json()
            for row in parse_json_rows(page["value"]):
                assert isinstance(row, UsageRow)
                person = pseudonym(ids[row.user_principal_name.lower()], KEY)
                facts |= {(person, app.value, day) for app, day in row.last_activity}
            url = page.get("@odata.nextLink")
    return facts


def prompt_count(sandbox: SandboxHandle) -> int:
    token = sandbox.app_token()
    total = 0
    with sandbox.http(headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
        for person in sandbox.people(limit=1000):
            url: str | None = (
                f"v1.0/copilot/users/{person['id']}/interactionHistory/getAllEnterpriseInteractions"
            )
            while url:
                response = http.get(url, params={"$top": "1000"} if "?" not in url else None)
                if response.status_code == 404:
                    break
                page = response.raise_for_status().json()
                total += sum(1 for i in page["value"] if i["interactionType"] == "userPrompt")
                url = page.get("@odata.nextLink")
    return total


def active_days(events: list[Any]) -> set[Fact]:
    return {
        (e.data.person, e.data.app.value, e.data.date)
        for e in events
        if e.data.kind == "active_day"
    }


async def test_exact_facts_once_then_only_late_and_new_ones(
    sandbox: SandboxHandle, js: JetStreamContext, nats_url: str, tmp_path: Path
) -> None:
    sandbox.configure(concealed_names=False, report_redirect=True)
    sandbox.clear_faults()
    before = oracle(sandbox)
    sandbox.add_fault("getMicrosoft365CopilotUsageUserDetail", status=429, retry_after=0, count=1)
    sandbox.add_fault("users/delta", status=503, count=2)
    settings = settings_for(sandbox, nats_url, tmp_path)

    first = await run_once(settings)

    events = await read_events(js, COPILOT_ACTIVITY)
    assert active_days(events) == before
    prompts = [e for e in events if e.data.kind == "prompt"]
    assert len(prompts) == prompt_count(sandbox) > 0
    assert len({e.id for e in events}) == len(events)
    status = await read_status(js, settings.ingest_status_bucket)
    assert status is not None and status["concealed_names"] is False
    assert status["team_boards_use_report"] is True and first.published > len(events)

    assert (await run_once(settings)).published == 0

    sandbox.advance_clock(1)  # a new refresh date: new days, and late days within the last three
    after = oracle(sandbox)
    third = await run_once(settings)
    events_after = await read_events(js, COPILOT_ACTIVITY)
    new_active = [e for e in events_after[len(events) :] if e.data.kind == "active_day"]
    assert {(e.data.person, e.data.app.value, e.data.date) for e in new_active} == after - before
    assert len(new_active) == len(after - before) > 0
    refreshed = sandbox.data_date
    assert any(day < refreshed for _, _, day in after - before)  # late facts are among them
    assert third.published >= len(new_active)


async def test_concealed_names_with_a_certificate_credential(
    sandbox: SandboxHandle, js: JetStreamContext, nats_url: str, tmp_path: Path
) -> None:
    sandbox.configure(concealed_names=True, report_redirect=False)
    sandbox.clear_faults()
    pem = tmp_path / "client.pem"
    pem.write_text(sandbox.client_key_path.read_text() + sandbox.client_cert_path.read_text())
    settings = settings_for(sandbox, nats_url, tmp_path, ingest_interactions=False)
    settings.graph.client_secret = None
    settings.graph.certificate_path = pem
    settings.graph.certificate_thumbprint = sandbox.client_cert_thumbprint

    await run_once(settings)

    status = await read_status(js, settings.ingest_status_bucket)
    assert status is not None
    assert status["concealed_names"] is True
    assert status["concealed_names_source"] == "admin/reportSettings"
    assert status["report_rows_joined"] == 0 and status["report_rows"] > 0
    assert status["team_boards_use_report"] is False
    concealed = {p["concealedUserPrincipalName"] for p in sandbox.people(limit=1000)}
    assert await read_events(js, COPILOT_ACTIVITY) == []  # no report row became a person
    facts = await read_events(js, COPILOT_UNATTRIBUTED)
    identities = {e.data.report_identity for e in facts}
    assert identities and identities <= {report_identity(c, KEY) for c in concealed}
    assert {e.data.reason for e in facts} == {UnattributedReason.CONCEALED}
    sandbox.configure(concealed_names=False)


async def test_v2_csv_with_malformed_rows_dead_letters_them_and_keeps_the_rest(
    sandbox: SandboxHandle, js: JetStreamContext, nats_url: str, tmp_path: Path
) -> None:
    sandbox.configure(concealed_names=False, report_redirect=False, malformed_rows=2)
    sandbox.clear_faults()
    settings = settings_for(
        sandbox,
        nats_url,
        tmp_path,
        ingest_interactions=False,
        ingest_report_version="v2",
        ingest_report_period="D28",
    )
    try:
        outcome = await run_once(settings)
    finally:
        sandbox.configure(malformed_rows=0)
    letters = await dead_letters(js)
    assert outcome.dead_letters == len(letters) == 2
    assert all("date" in letter["reason"] for letter in letters)
    activity = await read_events(js, COPILOT_ACTIVITY)
    assert len(activity) > 0 and outcome.published > len(activity)  # plus directory events
