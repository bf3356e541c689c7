"""NATS subject names; stream layout lives in :mod:`shared.streams`."""

from __future__ import annotations

COPILOT_ACTIVITY = "signals.copilot.activity"
DIRECTORY_PERSON = "signals.directory.person"

AWARDS_POINTS = "awards.points"
AWARDS_BADGE = "awards.badge"
AWARDS_LEVEL = "awards.level"
AWARDS_CHALLENGE = "awards.challenge"

CONTROL_RULES = "control.rules"


def dead_letter(stream: str) -> str:
    """Where messages of ``stream`` go when they cannot be processed."""
    return f"dlq.{stream.lower()}"
