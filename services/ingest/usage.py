"""Usage report -> ``active_day`` events, exactly once across runs.

Watermark rule: ``reportRefreshDate`` of the last completed run is the data
watermark W. Graph revalidates the last three days, so days up to W - 3 are
final and already published; only facts dated after W - 3 can be new, and those
are checked against the ids published for that window (kept in SQL). The
watermark moves only after JetStream acknowledged every new event.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from services.ingest.encoding import activity_id, encode_activity
from services.ingest.graph import GraphClient, GraphError
from services.ingest.identity import ReportIdentities
from services.ingest.publisher import Publisher
from services.ingest.reports import MalformedRow, UsageRow, parse_csv, parse_json_rows
from services.ingest.state import IngestState
from shared.bus import EncodedEvent
from shared.events import ActivityKind, SignalSource
from shared.logs import get_logger

log = get_logger(__name__)

REVALIDATED_DAYS = 3
CHUNK = 10_000
PROGRESS_EVERY = 20_000
REPORT = "copilot/reports/getMicrosoft365CopilotUsageUserDetail"


def report_path(api: str, period: str, version: str) -> str:
    argument = f"period='{period}'" + (f",version='{version}'" if version != "v1" else "")
    return f"{api}/{REPORT}({argument})"


async def download_csv(graph: GraphClient, *, period: str, version: str) -> bytes:
    """The v1.0 CSV report (following a download redirect), as it came."""
    return (await graph.get(report_path("v1.0", period, version))).content


async def report_rows(
    graph: GraphClient,
    *,
    fmt: str,
    period: str,
    version: str,
    download: Awaitable[bytes] | None = None,
) -> AsyncIterator[UsageRow | MalformedRow]:
    """Rows of the report; ``download`` is a CSV download already under way."""
    if fmt == "csv":
        if download is None:
            download = download_csv(graph, period=period, version=version)
        for row in parse_csv(await download):
            yield row
        return
    position = 1
    async for page in graph.pages(report_path("beta", period, version)):
        values = page.get("value", [])
        for row in parse_json_rows(values, first_position=position):
            yield row
        position += len(values)


async def concealed_names_setting(graph: GraphClient) -> bool | None:
    """``displayConcealedNames`` from admin/reportSettings, or ``None`` if not permitted."""
    try:
        body = await graph.get_json("v1.0/admin/reportSettings")
    except GraphError as exc:
        if exc.status in (401, 403, 404):
            log.info(
                "report settings not readable; concealment inferred from rows", status=exc.status
            )
            return None
        raise
    settings = body.get("value", body) if isinstance(body, dict) else {}
    value = settings.get("displayConcealedNames") if isinstance(settings, dict) else None
    return bool(value) if value is not None else None


@dataclass
class UsageOutcome:
    rows: int
    malformed: int
    published: int
    watermark: date | None
    identities: ReportIdentities


async def ingest_usage(
    graph: GraphClient,
    state: IngestState,
    publisher: Publisher,
    identities: ReportIdentities,
    *,
    fmt: str = "csv",
    period: str = "D7",
    version: str = "v1",
    download: Awaitable[bytes] | None = None,
) -> UsageOutcome:
    """``download``: the CSV report being fetched already (the cycle starts it before the
    directory sync, which the report's rows are joined with)."""
    stored = await state.watermark("usage_report")
    previous = date.fromisoformat(stored) if stored else None
    final_until = previous - timedelta(days=REVALIDATED_DAYS) if previous else None
    seen = await state.open_usage_facts(final_until) if final_until else set()
    new_facts: list[tuple[str, date]] = []
    batch: list[EncodedEvent] = []
    stamp = datetime.now(UTC).isoformat()
    rows = malformed = published = 0
    refresh = previous
    rows_of = report_rows(graph, fmt=fmt, period=period, version=version, download=download)
    async for row in rows_of:
        if isinstance(row, MalformedRow):
            malformed += 1
            await publisher.dead_letter("usage_report", row.reason, row.position, row.fields)
            continue
        rows += 1
        if rows % PROGRESS_EVERY == 0:
            log.info("usage report progress", rows=rows, new_facts=len(new_facts))
        if refresh is None or row.report_refresh_date > refresh:
            refresh = row.report_refresh_date
        person = identities.person(row.user_principal_name)
        for app, day in row.last_activity:
            if final_until is not None and day <= final_until:
                continue
            fact_id = activity_id(person, app, ActivityKind.ACTIVE_DAY, day)
            if fact_id in seen:
                continue
            seen.add(fact_id)
            new_facts.append((fact_id, day))
            batch.append(
                encode_activity(
                    person=person,
                    app=app,
                    kind=ActivityKind.ACTIVE_DAY,
                    day=day,
                    source=SignalSource.USAGE_REPORT,
                    time=stamp,
                    fact_id=fact_id,
                )
            )
        if len(batch) >= CHUNK:
            published += (await publisher.publish_encoded(batch))[0]
            batch.clear()
    if batch:
        published += (await publisher.publish_encoded(batch))[0]
    if refresh is not None:
        await state.commit_usage(
            watermark=refresh,
            facts=new_facts,
            keep_after=refresh - timedelta(days=REVALIDATED_DAYS),
        )
    log.info(
        "usage report ingested",
        rows=rows,
        malformed=malformed,
        new_facts=len(new_facts),
        published=published,
        watermark=refresh.isoformat() if refresh else None,
    )
    return UsageOutcome(rows, malformed, published, refresh, identities)
