"""Settings that bound what a service asks of others."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.settings import IngestSettings, ScoringSettings


def test_graph_batches_hold_at_most_twenty_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    assert IngestSettings().ingest_interaction_batch_size == 20
    monkeypatch.setenv("INGEST_INTERACTION_BATCH_SIZE", "1")
    assert IngestSettings().ingest_interaction_batch_size == 1
    for wrong in ("0", "21"):
        monkeypatch.setenv("INGEST_INTERACTION_BATCH_SIZE", wrong)
        with pytest.raises(ValidationError, match="ingest_interaction_batch_size"):
            IngestSettings()


def test_scoring_batches_and_flushes_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SCORING_BATCH_EVENTS", "2500")
    monkeypatch.setenv("SCORING_FLUSH_SECONDS", "0.5")
    settings = ScoringSettings()
    assert (settings.scoring_batch_events, settings.scoring_flush_seconds) == (2500, 0.5)
    assert settings.scoring_flush_events == 10_000
