"""JetStream streams, created or updated idempotently by whichever service starts first."""

from __future__ import annotations

from dataclasses import dataclass

from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError

from shared import partitions, subjects
from shared.logs import get_logger

log = get_logger(__name__)

DAY = 24 * 3600


@dataclass(frozen=True)
class StreamSpec:
    name: str
    subjects: tuple[str, ...]
    max_age_seconds: float
    duplicate_window_seconds: float = 600.0
    description: str = ""

    def config(self, replicas: int) -> StreamConfig:
        return StreamConfig(
            name=self.name,
            description=self.description,
            subjects=list(self.subjects),
            retention=RetentionPolicy.LIMITS,
            storage=StorageType.FILE,
            discard=DiscardPolicy.OLD,
            max_age=self.max_age_seconds,
            duplicate_window=self.duplicate_window_seconds,
            num_replicas=replicas,
        )


# The kinds of facts in SIGNALS; those about a person also travel per partition
# (``signals.copilot.activity.7``, see shared/partitions.py).
SIGNAL_KINDS = (
    subjects.COPILOT_ACTIVITY,
    subjects.DIRECTORY_PERSON,
    subjects.COPILOT_UNATTRIBUTED,
    subjects.COPILOT_UNATTRIBUTED_RETIRED,
    subjects.RECOGNITION_GRANTED,
    subjects.RECOGNITION_REVOKED,
)
SIGNALS = StreamSpec(
    "SIGNALS",
    partitions.stream_subjects(SIGNAL_KINDS),
    max_age_seconds=400 * DAY,
    description="Usage facts and directory changes, the input of scoring.",
)
AWARDS = StreamSpec(
    "AWARDS",
    ("awards.>",),
    max_age_seconds=90 * DAY,
    description="What scoring decided: points, badges, levels, challenges.",
)
CONTROL = StreamSpec(
    "CONTROL",
    ("control.>",),
    max_age_seconds=400 * DAY,
    description="Rule sets published by admins.",
)
COMMUNITY = StreamSpec(
    "COMMUNITY",
    ("community.>",),
    # Announcements only (the gateway's tables are the record): kept long enough for
    # notify to catch up after an outage, not as an archive.
    max_age_seconds=14 * DAY,
    description="Kudos, stories, tips, champion events and champions, for notify and screens.",
)
DEAD_LETTERS = StreamSpec(
    "DLQ",
    ("dlq.>",),
    max_age_seconds=30 * DAY,
    description="Messages that could not be processed, with the reason in headers.",
)

ALL_STREAMS = (SIGNALS, AWARDS, CONTROL, COMMUNITY, DEAD_LETTERS)
# The streams each service creates and keeps up to date: those it publishes to or reads.
# Its NATS user may manage these and no others (deploy/nats/auth.conf).
INGEST_STREAMS = (SIGNALS, DEAD_LETTERS)
SCORING_STREAMS = ALL_STREAMS
NOTIFY_STREAMS = (AWARDS, COMMUNITY, DEAD_LETTERS)
API_STREAMS = (SIGNALS, AWARDS, CONTROL, COMMUNITY)


async def ensure_streams(
    js: JetStreamContext, replicas: int = 1, streams: tuple[StreamSpec, ...] = ALL_STREAMS
) -> None:
    """Create each stream, or bring an existing one up to date with its spec."""
    for spec in streams:
        config = spec.config(replicas)
        try:
            await js.add_stream(config)
        except BadRequestError as exc:
            if exc.err_code != 10058:  # stream name already in use with a different config
                raise
            await js.update_stream(config)
        log.debug("stream ready", stream=spec.name)
