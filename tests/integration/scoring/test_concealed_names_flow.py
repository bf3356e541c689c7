"""The concealed path end to end: sandbox tenant -> ingest -> JetStream -> scoring -> adoption.

While the report conceals names, no report row becomes a person (no phantom
people on any board) and the concealed rows count once, labelled, in the
tenant-wide figure. Once names are revealed, people get their report facts and
points, the unattributed facts are gone, and nobody counts twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from nats.js import JetStreamContext
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.ingest.bootstrap import run_once
from services.ingest.reports import UsageRow, parse_json_rows
from services.ingest.reveal import reveal_names
from services.sandbox.testing import SandboxHandle, sandbox_tenant
from services.scoring.boards import board_keys
from services.scoring.scorer import Scorer
from shared import adoption
from shared.ids import pseudonym
from shared.leaderboards import Scope
from tests.integration.ingest.conftest import KEY
from tests.integration.ingest.test_sandbox_tenant import settings_for
from tests.integration.scoring.conftest import drain

REPORT = "beta/copilot/reports/getMicrosoft365CopilotUsageUserDetail(period='D30')"


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxHandle]:
    end = datetime.now(UTC).date() - timedelta(days=3)
    with sandbox_tenant(
        tmp_path_factory.mktemp("sandbox"), people=40, weeks=4, end_date=end, concealed_names=True
    ) as handle:
        yield handle


def report(sandbox: SandboxHandle) -> list[UsageRow]:
    rows: list[UsageRow] = []
    with sandbox.http(headers={"Authorization": f"Bearer {sandbox.app_token()}"}) as http:
        url: str | None = REPORT
        while url:
            page = http.get(url).raise_for_status().json()
            rows += [r for r in parse_json_rows(page["value"]) if isinstance(r, UsageRow)]
            url = page.get("@odata.nextLink")
    return rows


def active_in(row: UsageRow, within: adoption.Window) -> bool:
    return any(within.contains(day) for _, day in row.last_activity)


async def column(engine: AsyncEngine, query: str, **params: object) -> set[str]:
    async with engine.connect() as conn:
        return {str(row[0]) for row in await conn.execute(text(query), params)}


async def ranked(redis: Redis) -> set[str]:
    """Everyone on any people board (every window and period)."""
    members: set[str] = set()
    for key in await board_keys(redis, Scope.PEOPLE):
        for member in await redis.zrange(key, 0, -1):
            members.add(member.decode() if isinstance(member, bytes) else str(member))
    return members


async def test_concealed_names_count_once_and_revealed_names_become_people(
    sandbox: SandboxHandle,
    js: JetStreamContext,
    redis: Redis,
    engine: AsyncEngine,
    scorer: Scorer,
    nats_url: str,
    tmp_path: Path,
) -> None:
    sandbox.configure(concealed_names=True)
    settings = settings_for(sandbox, nats_url, tmp_path, ingest_interaction_backfill_days=14)
    directory = {pseudonym(p["id"], KEY) for p in sandbox.people(limit=1000) if p["present"]}
    today: date = sandbox.data_date
    within = adoption.window(today)
    concealed_active = sum(active_in(row, within) for row in report(sandbox))

    await run_once(settings)
    await drain(js, scorer)

    scored = await column(engine, "SELECT DISTINCT person FROM scoring_signal")
    assert scored and scored <= directory  # prompts by object id; no report row as a person
    assert (
        await column(engine, "SELECT person FROM scoring_signal WHERE source = 'usage_report'")
        == set()
    )
    board = await ranked(redis)
    assert board and board <= directory
    licensed = await adoption.licensed_people(engine)
    measured = await adoption.measure(engine, licensed, today)
    assert measured.tenant is not None
    assert measured.tenant.concealed_active == concealed_active > 0
    assert measured.tenant.active == max(measured.people.active, concealed_active)
    assert measured.people.active <= measured.people.licensed == len(licensed)

    await reveal_names(settings)
    revealed = report(sandbox)
    upns = {p["userPrincipalName"].lower(): p["id"] for p in sandbox.people(limit=1000)}
    from_report = {
        pseudonym(upns[row.user_principal_name.lower()], KEY)
        for row in revealed
        if active_in(row, within)
    }
    await run_once(settings)
    await drain(js, scorer)

    assert await column(engine, "SELECT report_identity FROM scoring_unattributed") == set()
    in_window = await column(
        engine,
        "SELECT DISTINCT person FROM scoring_signal WHERE source = 'usage_report' "
        "AND day >= :since AND day <= :until",
        since=within.since,
        until=within.until,
    )
    assert in_window == from_report
    after = await adoption.measure(engine, licensed, today)
    assert after.tenant is None  # every row joined: no tenant-wide figure beside the people's
    assert after.people.active == len((await adoption.active_people(engine, within)) & licensed)
    board = await ranked(redis)
    assert board and board <= directory
    paid = await column(engine, "SELECT DISTINCT person FROM scoring_ledger WHERE points > 0")
    assert from_report & licensed <= paid  # people active in the report have points
    for person in from_report & licensed:
        assert await adoption.is_active(engine, person, today)
