"""Ingest's SQL state on SQLite and (with TEST_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest

from services.ingest.state import IngestState
from shared.database import create_engine


@pytest.fixture
async def state(database_url: str) -> AsyncIterator[IngestState]:
    engine = create_engine(database_url)
    store = IngestState(engine)
    await store.create()
    await store.create()  # idempotent
    yield store
    await engine.dispose()


async def test_usage_window_keeps_only_facts_still_being_revalidated(state: IngestState) -> None:
    assert await state.watermark("usage_report") is None
    await state.commit_usage(
        watermark=date(2026, 7, 3),
        facts=[("a", date(2026, 6, 20)), ("b", date(2026, 7, 1)), ("c", date(2026, 7, 3))],
        keep_after=date(2026, 6, 30),
    )
    assert await state.watermark("usage_report") == "2026-07-03"
    assert await state.open_usage_facts(date(2026, 6, 30)) == {"b", "c"}
    await state.commit_usage(
        watermark=date(2026, 7, 4),
        facts=[("c", date(2026, 7, 3)), ("d", date(2026, 7, 4))],
        keep_after=date(2026, 7, 1),
    )
    assert await state.open_usage_facts(date(2026, 6, 1)) == {"c", "d"}


async def test_directory_join_and_cursors_round_trip(state: IngestState) -> None:
    user = {
        "object_id": "u1",
        "upn": "Ann@Contoso.be",
        "display_name": "Ann",
        "department": "IT",
        "job_title": None,
        "office_location": "Gent",
        "licensed": True,
        "removed": False,
    }
    gone = user | {"object_id": "u2", "upn": "bo@contoso.be", "removed": True}
    await state.commit_directory([user, gone], "https://graph/delta?token=1")
    await state.commit_directory([user | {"department": "Sales"}], "https://graph/delta?token=2")
    assert await state.watermark("directory_delta") == "https://graph/delta?token=2"
    assert await state.upn_index() == {"ann@contoso.be": "u1"}
    assert await state.licensed_users() == ["u1"]
    assert (await state.directory())["u1"]["department"] == "Sales"
    moment = datetime(2026, 7, 3, 12, 30, 15, 123000, tzinfo=UTC)
    await state.commit_interaction_cursors({"u1": moment})
    await state.commit_interaction_cursors({"u1": moment + timedelta(hours=1)})
    assert await state.interaction_cursors() == {"u1": moment + timedelta(hours=1)}
