"""NATS subject names; stream layout lives in :mod:`shared.streams`."""

from __future__ import annotations

COPILOT_ACTIVITY = "signals.copilot.activity"
DIRECTORY_PERSON = "signals.directory.person"
# Usage-report facts about no directory person (concealed or unknown names), and their
# withdrawal: kept apart so that nothing scores them by mistake.
COPILOT_UNATTRIBUTED = "signals.copilot.unattributed"
COPILOT_UNATTRIBUTED_RETIRED = "signals.copilot.unattributed_retired"

# Points people earn outside Copilot usage (event attendance, approved stories and
# activities, kudos received, claim codes, confirmed use cases), and their revocation.
# Scoring puts them in the same ledger as every other award.
RECOGNITION_GRANTED = "signals.recognition.granted"
RECOGNITION_REVOKED = "signals.recognition.revoked"

AWARDS_POINTS = "awards.points"
AWARDS_BADGE = "awards.badge"
AWARDS_LEVEL = "awards.level"
AWARDS_CHALLENGE = "awards.challenge"

CONTROL_RULES = "control.rules"

# What people do together, for notify and the screens to react to without polling.
# The gateway's tables are the record; these messages only announce changes.
COMMUNITY_KUDOS = "community.kudos"
COMMUNITY_STORY = "community.story"
COMMUNITY_TIP = "community.tip"
COMMUNITY_EVENT = "community.event"
COMMUNITY_CHAMPION = "community.champion"
COMMUNITY_NEWSLETTER = "community.newsletter"


def dead_letter(stream: str) -> str:
    """Where messages of ``stream`` go when they cannot be processed."""
    return f"dlq.{stream.lower()}"
