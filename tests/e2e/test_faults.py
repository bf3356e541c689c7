"""The fault suite at its small scale: each fault loses and doubles nothing.

Every scenario starts its own nats-server, Redis-compatible server, sandbox
tenant and services as processes (``devtools.faults``), streams signals while
the fault happens, then compares the ledger with a clean run's, the boards
with a rebuild from the ledger and the Teams cards with the awards. About four
minutes on two cores; run alone with ``pytest tests/e2e/test_faults.py``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.faults.processes import Registry
from devtools.faults.report import details
from devtools.faults.suite import SCALES, Suite

pytestmark = pytest.mark.e2e

SCENARIOS = [
    "scoring-kill",
    "nats-restart",
    "redis-restart",
    "notify-kill",
    "ingest-kill",
    "postgres-outage",
    "backlog",
]


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Suite]:
    registry = Registry()
    started = time.monotonic()

    def say(message: str) -> None:
        sys.stderr.write(f"[{time.monotonic() - started:6.1f}s] {message}\n")

    workdir: Path = tmp_path_factory.mktemp("faults")
    try:
        yield Suite(SCALES["small"], workdir, registry, say)
    finally:
        registry.stop_all()


@pytest.mark.parametrize("name", SCENARIOS)
async def test_a_fault_loses_and_doubles_nothing(suite: Suite, name: str) -> None:
    outcome = await suite.run(name)
    if outcome.skipped:
        pytest.skip(outcome.skipped)
    report = details([outcome])
    if outcome.error is not None or not (outcome.events_sent and outcome.ledger_rows):
        pytest.fail(f"the scenario did not run through:\n{report}")
    assert outcome.exited is None, report
    assert outcome.stayed_ready == [], report
    assert (outcome.lost, outcome.doubled) == (0, 0), report
    assert outcome.recovery_seconds is not None, report
