"""Concealed report names: unattributed facts, the reveal command, and the switch to people.

Against the sandbox tenant and a real JetStream: while names are concealed no
report row becomes a person; once they are revealed the unattributed facts are
withdrawn and the whole report comes again under people's ids, exactly once,
also when the switch is interrupted at any step.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from nats.js import JetStreamContext

from services.ingest.bootstrap import run_once
from services.ingest.identity import report_identity
from services.ingest.publisher import Publisher
from services.ingest.reveal import reveal_names
from services.ingest.state import IngestState
from services.ingest.status import read_status
from services.sandbox.testing import SandboxHandle, sandbox_tenant
from shared.bus import EncodedEvent, PublishFailed
from shared.database import create_engine
from shared.events import UnattributedReason
from shared.partitions import base_of
from shared.subjects import (
    COPILOT_ACTIVITY,
    COPILOT_UNATTRIBUTED,
    COPILOT_UNATTRIBUTED_RETIRED,
)
from tests.integration.ingest.conftest import KEY, read_events
from tests.integration.ingest.test_sandbox_tenant import active_days, oracle, settings_for


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxHandle]:
    end = datetime.now(UTC).date() - timedelta(days=3)
    with sandbox_tenant(
        tmp_path_factory.mktemp("sandbox"), people=60, weeks=6, end_date=end, concealed_names=True
    ) as handle:
        yield handle


def concealed_identities(sandbox: SandboxHandle) -> set[str]:
    return {
        report_identity(p["concealedUserPrincipalName"], KEY) for p in sandbox.people(limit=1000)
    }


async def test_concealed_rows_stay_unattributed_until_names_are_revealed(
    sandbox: SandboxHandle, js: JetStreamContext, nats_url: str, tmp_path: Path
) -> None:
    sandbox.configure(concealed_names=True)
    settings = settings_for(sandbox, nats_url, tmp_path, ingest_interactions=False)

    await run_once(settings)

    assert active_days(await read_events(js, COPILOT_ACTIVITY)) == set()
    hidden = await read_events(js, COPILOT_UNATTRIBUTED)
    assert hidden and {e.data.report_identity for e in hidden} <= concealed_identities(sandbox)
    assert {(e.data.reason, e.data.epoch) for e in hidden} == {(UnattributedReason.CONCEALED, 1)}
    status = await read_status(js, settings.ingest_status_bucket)
    assert status is not None and status["concealed_names"] is True
    notice = " ".join(status["notices"])
    assert "Display concealed user, group, and site names in all reports" in notice
    assert "python -m services.ingest reveal-names" in notice
    assert "ReportSettings.ReadWrite.All" in notice

    await reveal_names(settings)
    assert sandbox.state()["concealed_names"] is False
    revealed = oracle(sandbox)

    await run_once(settings)

    [retired] = await read_events(js, COPILOT_UNATTRIBUTED_RETIRED)
    assert retired.data.epoch == 1
    facts = await read_events(js, COPILOT_ACTIVITY)
    assert active_days(facts) == revealed  # the whole report, under people's ids
    assert len(facts) == len(revealed)  # each once
    assert len(await read_events(js, COPILOT_UNATTRIBUTED)) == len(hidden)  # none added
    status = await read_status(js, settings.ingest_status_bucket)
    assert status is not None and status["concealed_names"] is False
    assert status["last_retired_epoch"] == 1 and status["unattributed_epoch"] == 2
    assert any("withdrawn" in n for n in status["notices"])

    assert (await run_once(settings)).published == 0
    assert len(await read_events(js, COPILOT_UNATTRIBUTED_RETIRED)) == 1


class Interrupted(PublishFailed):
    pass


@pytest.mark.parametrize(
    ("subject", "published"),
    [
        (COPILOT_UNATTRIBUTED_RETIRED, False),
        (COPILOT_UNATTRIBUTED_RETIRED, True),
        (COPILOT_ACTIVITY, True),
    ],
    ids=["before-retiring", "after-retiring", "after-the-first-facts"],
)
async def test_an_interrupted_switch_resumes_and_counts_nobody_twice(
    sandbox: SandboxHandle,
    js: JetStreamContext,
    nats_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    subject: str,
    published: bool,
) -> None:
    sandbox.configure(concealed_names=True)
    settings = settings_for(sandbox, nats_url, tmp_path, ingest_interactions=False)
    await run_once(settings)
    sandbox.configure(concealed_names=False)
    revealed = oracle(sandbox)
    real = Publisher.publish_encoded

    async def interrupting(self: Publisher, events: Iterable[EncodedEvent]) -> tuple[int, int]:
        held = list(events)
        if not any(base_of(e.subject) == subject for e in held):
            return await real(self, held)
        monkeypatch.setattr(Publisher, "publish_encoded", real)  # once
        if published:
            await real(self, held)
        raise Interrupted("interrupted")

    monkeypatch.setattr(Publisher, "publish_encoded", interrupting)
    with pytest.raises(Interrupted):
        await run_once(settings)

    await run_once(settings)

    retirements = await read_events(js, COPILOT_UNATTRIBUTED_RETIRED)
    assert retirements and {e.data.epoch for e in retirements} == {1}
    facts = await read_events(js, COPILOT_ACTIVITY)
    assert active_days(facts) == revealed
    hidden = await read_events(js, COPILOT_UNATTRIBUTED)
    assert {e.data.epoch for e in hidden} == {1}  # nothing new left unattributed
    engine = create_engine(settings.database_url)
    try:
        state = IngestState(engine)
        assert await state.epoch() == 2
        assert await state.held_identities() == {} and await state.retiring() is None
    finally:
        await engine.dispose()
    assert (await run_once(settings)).published == 0


def reveal_command(sandbox: SandboxHandle, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env: dict[str, Any] = {
        **os.environ,
        **sandbox.settings_env(),
        "INGEST_STATUS_PATH": str(tmp_path / "status.json"),
    }
    return subprocess.run(
        [sys.executable, "-m", "services.ingest", "reveal-names"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parents[3],
    )


def test_reveal_names_turns_the_setting_off(sandbox: SandboxHandle, tmp_path: Path) -> None:
    sandbox.configure(concealed_names=True)

    done = reveal_command(sandbox, tmp_path)

    assert done.returncode == 0, done.stderr[-2000:]
    assert sandbox.state()["concealed_names"] is False
    patches = [r for r in sandbox.requests() if r["path"].endswith("admin/reportSettings")]
    assert patches and patches[-1]["method"] == "PATCH" and patches[-1]["status"] == 204


def test_reveal_names_without_the_permission_says_which_to_grant(tmp_path: Path) -> None:
    with sandbox_tenant(
        tmp_path, people=10, app_roles=["Reports.Read.All", "ReportSettings.Read.All"]
    ) as limited:
        done = reveal_command(limited, tmp_path)
        still = limited.state()["concealed_names"]

    assert done.returncode == 1 and still is True
    assert "Traceback" not in done.stderr
    [line] = [ln for ln in done.stderr.splitlines() if '"level": "error"' in ln]
    message = orjson.loads(line)["event"]
    assert "403" in message and "ReportSettings.ReadWrite.All" in message
