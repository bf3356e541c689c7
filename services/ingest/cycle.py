"""One ingest cycle: directory, usage report, interaction history, then the status."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from services.ingest.directory import sync_directory
from services.ingest.graph import GraphError
from services.ingest.identity import ReportIdentities
from services.ingest.interactions import InteractionReader
from services.ingest.status import CONCEALED_NOTICE, REVEAL_COMMAND, now_iso, retired_notice
from services.ingest.usage import concealed_names_setting, download_csv, ingest_usage
from shared.logs import get_logger

if TYPE_CHECKING:
    from services.ingest.bootstrap import Ingest

log = get_logger(__name__)


@dataclass
class CycleOutcome:
    published: int
    duplicates: int
    dead_letters: int


def forbidden(what: str, permission: str, exc: GraphError) -> str:
    notice = (
        f"Graph refused {what} ({exc.code or exc.status}): grant the application permission "
        f"{permission}; until then this part of the cycle is skipped."
    )
    log.warning(notice)
    return notice


def _settled(task: asyncio.Task[bytes]) -> None:
    if not task.cancelled():
        task.exception()


async def run_cycle(ingest: Ingest) -> CycleOutcome:
    settings, board = ingest.settings, ingest.board
    status = board.status
    status.state = "running"
    status.last_cycle_started = now_iso()
    await board.save()
    publisher = ingest.publisher
    before = (publisher.published, publisher.duplicates, publisher.dead_letters)
    key = settings.pseudonym_key.get_secret_value()

    await ingest.tokens.token()
    setting = await concealed_names_setting(ingest.graph)
    notices: list[str] = []
    # The CSV report downloads while the directory syncs: its rows are joined with the
    # directory, but fetching it need not wait for it.
    download: asyncio.Task[bytes] | None = None
    if settings.ingest_report_format == "csv":
        download = asyncio.create_task(
            download_csv(
                ingest.graph,
                period=settings.ingest_report_period,
                version=settings.ingest_report_version,
            )
        )
    try:
        if settings.ingest_directory:
            try:
                directory = await sync_directory(
                    ingest.graph,
                    ingest.state,
                    publisher,
                    key=key,
                    skus=settings.graph.copilot_sku_ids,
                    erased=await ingest.state.erased(),
                )
                status.counts["directory_changes"] = directory.changed
                status.counts["directory_withheld"] = directory.withheld
            except GraphError as exc:
                if exc.status != 403:
                    raise
                notices.append(forbidden("the directory (users/delta)", "User.Read.All", exc))

        # Read again after the directory: it may have added keys of erased people.
        erased = await ingest.state.erased()
        identities = ReportIdentities(key, await ingest.state.upn_index(), erased)
        usage = await ingest_usage(
            ingest.graph,
            ingest.state,
            publisher,
            identities,
            fmt=settings.ingest_report_format,
            period=settings.ingest_report_period,
            version=settings.ingest_report_version,
            download=download,
        )
    finally:
        if download is not None:
            # not needed after a failure: stop it, and take its outcome so none goes unread
            download.add_done_callback(_settled)
            download.cancel()
    # The rows decide: a setting turned off shows in the report only once Microsoft applies it.
    concealed = identities.concealed > 0 or (bool(setting) and usage.rows == 0)
    status.concealed_names = concealed
    status.concealed_names_source = (
        "admin/reportSettings" if setting is not None else "inferred from report rows"
    )
    status.report_rows = usage.rows
    status.report_rows_joined = identities.joined
    status.report_rows_unjoinable = identities.concealed + identities.unknown
    status.report_rows_concealed = identities.concealed
    status.report_rows_unknown = identities.unknown
    status.report_rows_withheld = identities.withheld
    status.unattributed_epoch = usage.epoch
    if usage.retired is not None:
        status.last_retired_epoch = usage.retired
    status.team_boards_use_report = (
        usage.rows > 0 and identities.joined + identities.withheld == usage.rows
    )
    status.report_watermark = usage.watermark.isoformat() if usage.watermark else None
    status.notices = [*notices, CONCEALED_NOTICE] if concealed else notices
    if usage.retired is not None:
        status.notices.append(retired_notice(usage.retired))
    if concealed:
        log.warning(
            "usage report names are concealed: its rows count only in the tenant-wide "
            "adoption figure, never for a person, team or department",
            concealed_rows=identities.concealed,
            reveal=REVEAL_COMMAND,
        )
    elif setting:
        status.notices.append(
            "admin/reportSettings still says names are concealed, but the report's rows "
            "are not: they are read as they come."
        )
    if identities.unknown:
        status.notices.append(
            f"{identities.unknown} report rows name users the directory does not know; "
            "they count only in the tenant-wide adoption figure, never for a person, team "
            "or department."
        )

    if settings.ingest_interactions:
        reader = InteractionReader(
            ingest.graph,
            ingest.state,
            publisher,
            key,
            settings.tz,
            backfill_days=settings.ingest_interaction_backfill_days,
            concurrency=settings.ingest_interaction_concurrency,
            batch_size=ingest.interaction_batch_size,
            erased=erased,
        )
        try:
            interactions = await reader.run()
            status.counts["interaction_people"] = interactions.people
            status.counts["interaction_failures"] = len(interactions.failed)
        except GraphError as exc:
            if exc.status != 403:
                raise
            status.notices.append(
                forbidden("interaction history", "AiEnterpriseInteraction.Read.All", exc)
            )

    outcome = CycleOutcome(
        publisher.published - before[0],
        publisher.duplicates - before[1],
        publisher.dead_letters - before[2],
    )
    status.counts.update(
        published=outcome.published,
        duplicates=outcome.duplicates,
        dead_letters=outcome.dead_letters,
        malformed_rows=usage.malformed,
    )
    status.ready, status.state, status.last_success, status.last_error = (
        True,
        "idle",
        now_iso(),
        None,
    )
    await board.save()
    log.info("ingest cycle done", **status.counts)
    return outcome
