"""What ingest tells the rest of Uptake about itself: readiness, last cycle, data caveats.

Written to a JSON file (``INGEST_STATUS_PATH``) and to the JetStream KV bucket
``INGEST_STATUS_BUCKET`` under the key ``ingest``, so the api can show it
whether or not it shares a disk with ingest.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from nats.js import JetStreamContext
from nats.js.errors import NoKeysError, NotFoundError

from shared.logs import get_logger

log = get_logger(__name__)

STATUS_KEY = "ingest"

REVEAL_COMMAND = "python -m services.ingest reveal-names"
REVEAL_PERMISSION = "ReportSettings.ReadWrite.All"
ADMIN_CENTRE_SETTING = (
    "Microsoft 365 admin centre > Settings > Org settings > Services > Reports: "
    '"Display concealed user, group, and site names in all reports"'
)
CONCEALED_NOTICE = (
    "The Copilot usage report conceals user names, so its rows cannot be joined to "
    "people: they count only in the tenant-wide adoption figure, and nobody earns points, "
    "badges or board places from them (interaction history still counts per person). "
    f"To reveal names: (1) {ADMIN_CENTRE_SETTING}, or (2) run `{REVEAL_COMMAND}` (needs "
    f"the application permission {REVEAL_PERMISSION}). The next cycle then reads the "
    "report again under people's own ids."
)


def retired_notice(epoch: int) -> str:
    return (
        "Report rows became joinable (names revealed, or names the directory now knows): "
        f"the earlier unattributed report facts (epoch {epoch}) were withdrawn and the "
        "report was read again under people's own ids. Only the last activity date per app "
        "within the report period comes back; earlier concealed active days do not."
    )


@dataclass
class IngestStatus:
    ready: bool = False
    state: str = "starting"
    last_cycle_started: str | None = None
    last_success: str | None = None
    last_error: str | None = None
    report_watermark: str | None = None
    concealed_names: bool | None = None
    concealed_names_source: str | None = None
    report_rows: int = 0
    report_rows_joined: int = 0
    report_rows_unjoinable: int = 0
    report_rows_concealed: int = 0
    report_rows_unknown: int = 0
    report_rows_withheld: int = 0  # rows of erased people: nothing published from them
    unattributed_epoch: int = 1
    last_retired_epoch: int | None = None
    team_boards_use_report: bool | None = None
    notices: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> bytes:
        return orjson.dumps(asdict(self), option=orjson.OPT_INDENT_2)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class StatusBoard:
    def __init__(
        self,
        path: Path | None,
        js: JetStreamContext | None,
        bucket: str,
        status: IngestStatus | None = None,
    ) -> None:
        self.status = status or IngestStatus()
        self._path = path
        self._js = js
        self._bucket = bucket

    async def save(self) -> None:
        body = self.status.to_json()
        if self._path is not None:
            try:
                self._path.parent.mkdir(parents=True, exist_ok=True)
                partial = self._path.with_suffix(".tmp")
                partial.write_bytes(body)
                os.replace(partial, self._path)
            except OSError as exc:  # e.g. a read-only root file system: the bus copy remains
                log.warning("status file not written", path=str(self._path), error=str(exc))
        if self._js is not None:
            try:
                kv = await self._js.create_key_value(bucket=self._bucket, history=1)
                await kv.put(STATUS_KEY, body)
            except Exception as exc:  # the status must never stop ingestion
                log.warning("status not written to the bus", error=repr(exc))


async def read_status(js: JetStreamContext, bucket: str) -> dict[str, Any] | None:
    """For readers such as the api: the last status ingest wrote, or ``None``."""
    try:
        kv = await js.key_value(bucket)
        entry = await kv.get(STATUS_KEY)
    except (NotFoundError, NoKeysError):
        return None
    return orjson.loads(entry.value) if entry.value else None
