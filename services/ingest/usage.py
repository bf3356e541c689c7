"""Usage report -> ``active_day`` events (or unattributed facts), exactly once across runs.

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

from services.ingest.encoding import (
    activity_id,
    encode_activity,
    encode_unattributed,
    unattributed_id,
)
from services.ingest.graph import GraphClient, GraphError
from services.ingest.identity import Erased, ReportIdentities, Unattributed
from services.ingest.publisher import Publisher
from services.ingest.reports import MalformedRow, UsageRow, parse_csv, parse_json_rows
from services.ingest.state import IngestState
from shared.bus import EncodedEvent
from shared.events import ActivityKind, SignalSource, UnattributedReason, UnattributedRetired
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
    epoch: int = 1  # the unattributed epoch the report's facts were published in
    retired: int | None = None  # an epoch withdrawn by this run (rows became joinable)
    unattributed_facts: int = 0  # new unattributed facts published


async def read_report(
    graph: GraphClient,
    publisher: Publisher,
    *,
    fmt: str,
    period: str,
    version: str,
    download: Awaitable[bytes] | None,
) -> tuple[list[UsageRow], int]:
    """Every readable row (whether rows joined must be known before any is published),
    and how many were dead-lettered."""
    rows: list[UsageRow] = []
    malformed = 0
    async for row in report_rows(graph, fmt=fmt, period=period, version=version, download=download):
        if isinstance(row, MalformedRow):
            malformed += 1
            await publisher.dead_letter("usage_report", row.reason, row.position, row.fields)
            continue
        rows.append(row)
        if len(rows) % PROGRESS_EVERY == 0:
            log.info("usage report progress", rows=len(rows))
    return rows, malformed


Resolved = list[tuple[UsageRow, str | Unattributed]]


def joinable_again(resolved: Resolved, held: dict[str, str], identities: ReportIdentities) -> bool:
    """Whether rows that were unattributed in this epoch are now read differently.

    Names revealed: the epoch holds concealed identities and the report conceals no
    row any more. A name the directory now knows: a joined row's name was held as
    unknown. Either way the epoch's facts must be withdrawn and the report read whole
    again, under the people's ids where rows join.
    """
    if not resolved:
        return False
    reasons = set(held.values())
    if UnattributedReason.CONCEALED.value in reasons and not any(
        isinstance(who, Unattributed) and who.reason is UnattributedReason.CONCEALED
        for _, who in resolved
    ):
        return True
    if UnattributedReason.UNKNOWN_USER.value in reasons:
        return any(
            identities.unattributed_name(row.user_principal_name) in held
            for row, who in resolved
            if isinstance(who, str)
        )
    return False


async def finish_retirement(state: IngestState, publisher: Publisher) -> int | None:
    """Withdraw the epoch being retired (on the bus, then in ingest's state); its number."""
    epoch = await state.retiring()
    if epoch is None:
        return None
    await publisher.publish([UnattributedRetired(epoch=epoch)])
    await state.begin_epoch(epoch)
    log.warning(
        "unattributed report facts withdrawn; the report is read again under people's ids",
        epoch=epoch,
    )
    return epoch


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
    directory sync, which the report's rows are joined with).

    Rows joined to a directory person become ``copilot.activity`` facts; the others
    become ``copilot.unattributed`` facts of the current epoch. When rows that were
    unattributed join people, the epoch is withdrawn first (``UnattributedRetired``)
    and the whole report is published again: every step is recorded, so an
    interrupted run resumes where it stopped, and event ids make repeats harmless.
    """
    retired = await finish_retirement(state, publisher)  # one an interruption left half done
    rows, malformed = await read_report(
        graph, publisher, fmt=fmt, period=period, version=version, download=download
    )
    # Rows of erased people are dropped here, before anything is derived from them.
    resolved: Resolved = [
        (row, who)
        for row in rows
        if not isinstance(who := identities.resolve(row.user_principal_name), Erased)
    ]
    held = await state.held_identities()
    if joinable_again(resolved, held, identities):
        await state.start_retiring(await state.epoch())
        retired = await finish_retirement(state, publisher)
        held = {}
    epoch = await state.epoch()
    stored = await state.watermark("usage_report")
    previous = date.fromisoformat(stored) if stored else None
    final_until = previous - timedelta(days=REVALIDATED_DAYS) if previous else None
    seen = await state.open_usage_facts(final_until) if final_until else set()
    # Written before publishing: a later retirement must know every identity on the bus.
    await state.hold(
        {
            who.report_identity: who.reason.value
            for _, who in resolved
            if isinstance(who, Unattributed) and who.report_identity not in held
        }
    )
    new_facts: list[tuple[str, date]] = []
    people: list[EncodedEvent] = []
    others: list[EncodedEvent] = []
    stamp = datetime.now(UTC).isoformat()
    published = unattributed = 0
    refresh = previous
    for row, who in resolved:
        if refresh is None or row.report_refresh_date > refresh:
            refresh = row.report_refresh_date
        for app, day in row.last_activity:
            if final_until is not None and day <= final_until:
                continue
            if isinstance(who, Unattributed):
                fact_id = unattributed_id(who.report_identity, app, day, epoch)
            else:
                fact_id = activity_id(who, app, ActivityKind.ACTIVE_DAY, day)
            if fact_id in seen:
                continue
            seen.add(fact_id)
            new_facts.append((fact_id, day))
            if isinstance(who, Unattributed):
                unattributed += 1
                others.append(
                    encode_unattributed(
                        report_identity=who.report_identity,
                        reason=who.reason,
                        app=app,
                        day=day,
                        epoch=epoch,
                        time=stamp,
                        fact_id=fact_id,
                    )
                )
                continue
            people.append(
                encode_activity(
                    person=who,
                    app=app,
                    kind=ActivityKind.ACTIVE_DAY,
                    day=day,
                    source=SignalSource.USAGE_REPORT,
                    time=stamp,
                    fact_id=fact_id,
                )
            )
        for batch in (people, others):
            if len(batch) >= CHUNK:
                published += (await publisher.publish_encoded(batch))[0]
                batch.clear()
    for batch in (people, others):
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
        rows=len(rows),
        malformed=malformed,
        new_facts=len(new_facts),
        unattributed_facts=unattributed,
        published=published,
        watermark=refresh.isoformat() if refresh else None,
        epoch=epoch,
    )
    return UsageOutcome(
        len(rows), malformed, published, refresh, identities, epoch, retired, unattributed
    )
