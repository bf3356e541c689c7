"""A channel list that does not validate is refused with the reason, never with its webhook URLs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.notify.channels import load_channels
from shared.settings import NotifySettings

URL = "https://prod.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=SIGSECRET"
BROKEN = [
    {"name": "office", "type": "teams", "url": URL},
    {"name": "community", "type": "engage", "url": URL},  # an Engage channel needs a group_id
]


def test_a_broken_notify_channels_value_is_refused_without_its_secrets() -> None:
    with pytest.raises(ValueError) as refused:
        load_channels(NotifySettings(notify_channels=json.dumps(BROKEN)))
    assert "needs a group_id" in str(refused.value)
    assert "SIGSECRET" not in str(refused.value)


def test_a_broken_channels_file_is_refused_without_its_secrets(tmp_path: Path) -> None:
    path = tmp_path / "channels.json"
    path.write_text(json.dumps({"channels": BROKEN}))
    with pytest.raises(ValueError) as refused:
        load_channels(NotifySettings(notify_channels=None, notify_channels_file=path))
    assert "needs a group_id" in str(refused.value) and "SIGSECRET" not in str(refused.value)
