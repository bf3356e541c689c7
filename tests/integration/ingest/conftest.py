"""Ingest against a scripted HTTPS tenant and a real JetStream."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from pydantic import SecretStr

from shared import partitions
from shared.batches import decode
from shared.events import CloudEvent
from shared.settings import GraphSettings, IngestSettings
from tests.integration.ingest.tenant import CLIENT_ID, SECRET, FakeTenant, running_tenant

KEY = "ingest-integration-key"


@pytest.fixture(scope="session")
def tenant_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeTenant]:
    with running_tenant(tmp_path_factory.mktemp("tenant")) as tenant:
        yield tenant


@pytest.fixture
def tenant(tenant_server: FakeTenant) -> FakeTenant:
    tenant_server.reset()
    return tenant_server


def make_settings(
    tenant: FakeTenant, nats_url: str, workdir: Path, **overrides: Any
) -> IngestSettings:
    graph = GraphSettings(
        base_url=tenant.base_url,
        authority=tenant.authority,
        client_id=CLIENT_ID,
        client_secret=SecretStr(overrides.pop("secret", SECRET)),
        ca_bundle=tenant.ca_path,
        backoff_base_seconds=0.01,
        backoff_max_seconds=0.05,
    )
    values: dict[str, Any] = {
        "nats_url": nats_url,
        "database_url": f"sqlite+aiosqlite:///{workdir / 'ingest.db'}",
        "pseudonym_key": SecretStr(KEY),
        "ingest_status_path": workdir / "status.json",
        "ingest_interactions": False,
        "graph": graph,
    }
    values.update(overrides)
    return IngestSettings(**values)


async def read_events(js: JetStreamContext, kind: str) -> list[CloudEvent[Any]]:
    """Every event of ``kind`` so far, on its bare subject and then on every partition's
    in stream order, read with ephemeral ordered consumers (the events of a batch message
    in their order)."""
    events: list[CloudEvent[Any]] = []
    for subject in partitions.stream_subjects([kind]):
        events += await _read_subject(js, subject)
    return events


async def _read_subject(js: JetStreamContext, subject: str) -> list[CloudEvent[Any]]:
    try:
        info = await js.stream_info("SIGNALS", subjects_filter=subject)
    except NotFoundError:
        return []
    total = sum((info.state.subjects or {}).values())
    events: list[CloudEvent[Any]] = []
    if not total:
        return events
    sub = await js.subscribe(subject, ordered_consumer=True)
    try:
        for _ in range(total):
            msg = await sub.next_msg(timeout=5)
            held, unreadable = decode(msg)
            assert not unreadable
            events.extend(held)
    finally:
        await sub.unsubscribe()
    return events


async def dead_letters(js: JetStreamContext) -> list[dict[str, Any]]:
    info = await js.stream_info("DLQ")
    out: list[dict[str, Any]] = []
    if not info.state.messages:
        return out
    sub = await js.subscribe("dlq.signals", ordered_consumer=True)
    try:
        while len(out) < info.state.messages:
            msg = await sub.next_msg(timeout=5)
            out.append(
                {"reason": (msg.headers or {}).get("Uptake-Reason"), **orjson.loads(msg.data)}
            )
    finally:
        await sub.unsubscribe()
    return out
