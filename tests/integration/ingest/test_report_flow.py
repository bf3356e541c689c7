"""Token -> usage report -> active_day events on JetStream, exactly once across runs."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from nats.js import JetStreamContext

from services.ingest.bootstrap import run_once
from shared.events import CloudEvent
from shared.ids import pseudonym
from shared.subjects import COPILOT_ACTIVITY, DIRECTORY_PERSON
from tests.integration.ingest.conftest import KEY, make_settings, read_events
from tests.integration.ingest.tenant import FakeTenant

# Column order differs from the documented one and an unknown v2 column is present:
# parsing is by header name.
HEADER = (
    "\ufeffUser Principal Name,Report Refresh Date,Word Copilot Last Activity Date,"
    "Display Name,Microsoft Teams Copilot Last Activity Date,Excel Copilot Last Activity Date,"
    "Copilot Chat Last Activity Date,Some Future Column,Report Period"
)
USERS: list[dict[str, Any]] = [
    {
        "id": "oid-alice",
        "userPrincipalName": "alice@contoso.be",
        "displayName": "Alice",
        "department": "Finance",
        "officeLocation": "Gent",
        "jobTitle": "Controller",
    },
    {
        "id": "oid-bob",
        "userPrincipalName": "bob@contoso.be",
        "displayName": "Bob",
        "department": "Verkoop",
        "officeLocation": None,
    },
]


def report(refresh: str, *rows: str) -> str:
    return "\n".join([HEADER, *(r.replace("{R}", refresh) for r in rows)]) + "\n"


def facts(events: list[CloudEvent[Any]]) -> set[tuple[str, str, date]]:
    return {(e.data.person, e.data.app.value, e.data.date) for e in events}


ALICE, BOB = pseudonym("oid-alice", KEY), pseudonym("oid-bob", KEY)


async def test_once_publishes_report_facts_then_nothing_then_only_new_facts(
    tenant: FakeTenant, js: JetStreamContext, nats_url: str, tmp_path: Path
) -> None:
    tenant.users = USERS
    tenant.concealed_setting = False
    tenant.report_csv = report(
        "2026-07-03",
        "alice@contoso.be,{R},2026-07-01,Alice,2026-07-03,,,x,7",
        "BOB@contoso.be,{R},,Bob,,,2026-06-20,y,7",
    )
    settings = make_settings(tenant, nats_url, tmp_path)

    first = await run_once(settings)

    activity = await read_events(js, COPILOT_ACTIVITY)
    assert facts(activity) == {
        (ALICE, "word", date(2026, 7, 1)),
        (ALICE, "teams", date(2026, 7, 3)),
        (BOB, "chat", date(2026, 6, 20)),
    }
    assert all(e.data.kind == "active_day" and e.data.source == "usage_report" for e in activity)
    people = {e.data.person: e.data for e in await read_events(js, DIRECTORY_PERSON)}
    assert people[ALICE].team == "Finance / Gent" and people[BOB].team == "Verkoop"
    assert first.published == len(activity) + len(people)

    second = await run_once(settings)
    assert second.published == 0
    assert len(await read_events(js, COPILOT_ACTIVITY)) == 3

    # Next refresh: Alice used Word today; Bob's Excel day of 07-02 arrived late; Alice's
    # teams day stays 07-03 (revalidated, unchanged) and must not be sent again.
    tenant.report_csv = report(
        "2026-07-04",
        "alice@contoso.be,{R},2026-07-04,Alice,2026-07-03,,,x,7",
        "bob@contoso.be,{R},,Bob,,2026-07-02,2026-06-20,y,7",
    )
    third = await run_once(settings)
    after = facts(await read_events(js, COPILOT_ACTIVITY))
    assert after - facts(activity) == {
        (ALICE, "word", date(2026, 7, 4)),
        (BOB, "excel", date(2026, 7, 2)),
    }
    assert third.published == 2
    assert tenant.tokens_issued == 3  # one per run: the token is cached within a run
