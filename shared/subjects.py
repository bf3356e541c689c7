"""NATS subject names; stream layout lives in :mod:`shared.streams`."""

from __future__ import annotations

COPILOT_ACTIVITY = "signals.copilot.activity"
DIRECTORY_PERSON = "signals.directory.person"
# Usage-report facts about no directory person (concealed or unknown names), and their
# withdrawal: kept apart so that nothing scores them by mistake.
COPILOT_UNATTRIBUTED = "signals.copilot.unattributed"
COPILOT_UNATTRIBUTED_RETIRED = "signals.copilot.unattributed_retired"

AWARDS_POINTS = "awards.points"
AWARDS_BADGE = "awards.badge"
AWARDS_LEVEL = "awards.level"
AWARDS_CHALLENGE = "awards.challenge"

CONTROL_RULES = "control.rules"


def dead_letter(stream: str) -> str:
    """Where messages of ``stream`` go when they cannot be processed."""
    return f"dlq.{stream.lower()}"
