"""Ingest and the suppression list: an erased person is neither published, nor kept, nor read.

Alice was erased by object id. Graph keeps sending her: in the directory, in the usage
report, with interaction history. Nothing of hers leaves ingest; her
userPrincipalName, learnt from the directory, joins her erasure.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest.mock import ANY

from nats.js import JetStreamContext
from sqlalchemy import insert, text

from services.ingest.bootstrap import run_once
from services.ingest.interactions import graph_time
from services.ingest.state import IngestState, directory_users, interaction_cursors
from shared import suppression
from shared.database import create_engine
from shared.ids import pseudonym, report_identity
from shared.subjects import COPILOT_ACTIVITY, COPILOT_UNATTRIBUTED, DIRECTORY_PERSON
from tests.integration.ingest.conftest import KEY, make_settings, read_events
from tests.integration.ingest.tenant import FakeTenant
from tests.integration.ingest.test_report_flow import USERS, report

ALICE, BOB = pseudonym("oid-alice", KEY), pseudonym("oid-bob", KEY)
ALICE_REPORT = report_identity("alice@contoso.be", KEY)


ALICE_ROW = {
    "object_id": "oid-alice",
    "upn": "alice@contoso.be",
    "display_name": "Alice",
    "department": None,
    "job_title": None,
    "office_location": None,
    "licensed": True,
    "removed": False,
}


def prompt(n: int, when: datetime) -> dict[str, str]:
    return {
        "id": f"i{n}",
        "interactionType": "userPrompt",
        "appClass": "IPM.SkypeTeams.Message.Copilot.Word",
        "createdDateTime": graph_time(when),
    }


async def test_an_erased_person_is_neither_published_nor_kept_nor_read(
    tenant: FakeTenant, js: JetStreamContext, nats_url: str, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    tenant.users = USERS
    tenant.concealed_setting = False
    tenant.report_csv = report(
        "2026-07-03",
        "alice@contoso.be,{R},2026-07-01,Alice,2026-07-03,,,x,7",
        "bob@contoso.be,{R},,Bob,,,2026-06-20,y,7",
    )
    tenant.interactions = {
        "oid-alice": [prompt(1, now - timedelta(days=1))],
        "oid-bob": [prompt(2, now - timedelta(days=1))],
    }
    settings = make_settings(tenant, nats_url, tmp_path, ingest_interactions=True)
    engine = create_engine(settings.database_url)
    await IngestState(engine).create()
    async with engine.begin() as conn:
        await suppression.add(conn, ALICE, {ALICE})
        # Her rows as a backup taken before the erasure would bring them back.
        await conn.execute(insert(directory_users).values(ALICE_ROW))
        await conn.execute(insert(interaction_cursors).values(object_id="oid-alice", until=now))

    await run_once(settings)

    directory = await read_events(js, DIRECTORY_PERSON)
    activity = await read_events(js, COPILOT_ACTIVITY)
    assert [e.data.person for e in directory] == [BOB]
    assert {e.data.person for e in activity} == {BOB}
    assert {e.data.source for e in activity} == {"usage_report", "interaction_history"}
    assert await read_events(js, COPILOT_UNATTRIBUTED) == []  # nor as nobody's row
    assert not [c for c in tenant.requests_to("/interactionHistory/") if "oid-alice" in c.path]
    async with engine.connect() as conn:
        kept = (await conn.execute(text("SELECT object_id FROM ingest_directory_user"))).all()
        listed = (await conn.execute(text("SELECT key, person FROM privacy_suppression"))).all()
    assert kept == [("oid-bob",)]
    assert await IngestState(engine).interaction_cursors() == {"oid-bob": ANY}
    assert sorted(listed) == sorted([(ALICE, ALICE), (ALICE_REPORT, ALICE)])
    status = json.loads((tmp_path / "status.json").read_text())
    assert (status["report_rows_withheld"], status["counts"]["directory_withheld"]) == (1, 1)
    assert status["team_boards_use_report"] is True
    await engine.dispose()


async def test_a_cycle_begun_before_an_erasure_does_not_write_the_person_back(
    tmp_path: Path,
) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'ingest.db'}")
    state = IngestState(engine, KEY)
    await state.create()
    alice = ALICE_ROW
    bob = alice | {"object_id": "oid-bob", "upn": "bob@contoso.be", "display_name": "Bob"}
    async with engine.begin() as conn:  # erased by userPrincipalName while the cycle ran
        await suppression.add(conn, ALICE_REPORT, {ALICE_REPORT})

    await state.commit_directory([alice, bob], "delta-link")

    assert set(await state.directory()) == {"oid-bob"}
    async with engine.begin() as conn:  # and by object id
        await suppression.add(conn, ALICE, {ALICE})

    now = datetime.now(UTC)
    await state.commit_interaction_cursors({"oid-alice": now, "oid-bob": now})

    assert set(await state.interaction_cursors()) == {"oid-bob"}
    await engine.dispose()


async def test_history_is_not_read_for_an_erased_person_in_a_restored_state(
    tenant: FakeTenant, js: JetStreamContext, nats_url: str, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    tenant.users = USERS
    tenant.interactions = {
        "oid-alice": [prompt(1, now - timedelta(days=1))],
        "oid-bob": [prompt(2, now - timedelta(days=1))],
    }
    settings = make_settings(
        tenant, nats_url, tmp_path, ingest_interactions=True, ingest_directory=False
    )
    engine = create_engine(settings.database_url)
    await IngestState(engine).create()
    async with engine.begin() as conn:
        await suppression.add(conn, ALICE, {ALICE})
        for row in (ALICE_ROW, ALICE_ROW | {"object_id": "oid-bob", "upn": "bob@contoso.be"}):
            await conn.execute(insert(directory_users).values(row))

    await run_once(settings)

    assert {e.data.person for e in await read_events(js, COPILOT_ACTIVITY)} == {BOB}
    assert not [c for c in tenant.requests_to("/interactionHistory/") if "oid-alice" in c.path]
    await engine.dispose()
