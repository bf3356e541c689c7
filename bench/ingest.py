"""Ingest throughput: a 50,000-person sandbox tenant, D90 report plus interaction history,
published to a real JetStream (embedded nats-server).

    .venv/bin/python -m bench.ingest [--people N] [--interaction-days D]

The sandbox runs in its own process so it does not share the interpreter with
ingest. Figures: events per second for the report phase (directory + D90
report), for the interaction-history phase and overall, plus ingest's peak
memory (RSS high-water mark of this process).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from devtools.servers import nats_server
from services.ingest.batching import MAX_BATCH
from services.ingest.bootstrap import assemble
from services.ingest.cycle import run_cycle
from services.sandbox.testing import sandbox_tenant
from shared.logs import configure_logging
from shared.settings import GraphSettings, IngestSettings

PEOPLE = 50_000
INTERACTION_DAYS = 7


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def process_cpu_seconds(pid: int | None) -> float:
    """CPU time of another process (the sandbox), from /proc; 0 where there is none."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except (OSError, TypeError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _measure(
    settings: IngestSettings, sandbox_pid: int | None, batch_size: int
) -> dict[str, Any]:
    report_settings = settings.model_copy(update={"ingest_interactions": False})
    async with assemble(report_settings, interaction_batch_size=batch_size) as ingest:
        start, cpu = time.perf_counter(), cpu_seconds()
        sandbox_cpu = process_cpu_seconds(sandbox_pid)
        report = await run_cycle(ingest)
        report_seconds, report_cpu = time.perf_counter() - start, cpu_seconds() - cpu
        report_sandbox = process_cpu_seconds(sandbox_pid) - sandbox_cpu
    report_rss = peak_rss_mb()
    history_settings = settings.model_copy(
        update={"ingest_directory": False, "ingest_report_period": "D7"}
    )
    async with assemble(history_settings, interaction_batch_size=batch_size) as ingest:
        start, cpu = time.perf_counter(), cpu_seconds()
        sandbox_cpu = process_cpu_seconds(sandbox_pid)
        history = await run_cycle(ingest)
        history_seconds, history_cpu = time.perf_counter() - start, cpu_seconds() - cpu
        history_sandbox = process_cpu_seconds(sandbox_pid) - sandbox_cpu
    return {
        "report_events": report.published,
        "report_seconds": report_seconds,
        "report_cpu": report_cpu,
        "report_sandbox_cpu": report_sandbox,
        "report_rss": report_rss,
        "history_events": history.published,
        "history_seconds": history_seconds,
        "history_cpu": history_cpu,
        "history_sandbox_cpu": history_sandbox,
    }


def run(
    people: int = PEOPLE,
    interaction_days: int = INTERACTION_DAYS,
    batch_size: int = MAX_BATCH,
) -> list[dict[str, Any]]:
    configure_logging("bench-ingest", os.environ.get("LOG_LEVEL", "WARNING"))
    with tempfile.TemporaryDirectory(prefix="uptake-bench-ingest-") as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        with (
            nats_server(work) as nats,
            sandbox_tenant(
                work,
                subprocess=True,
                startup_timeout=600,
                people=people,
                weeks=13,
                concealed_names=False,
                page_size=1000,
                delta_page_size=1000,
            ) as tenant,
        ):
            setup_seconds = time.perf_counter() - started
            settings = IngestSettings(
                nats_url=nats.url,
                database_url=f"sqlite+aiosqlite:///{work / 'ingest.db'}",
                pseudonym_key=SecretStr("bench-key"),
                ingest_status_path=work / "status.json",
                ingest_report_period="D90",
                ingest_interaction_backfill_days=interaction_days,
                graph=GraphSettings(
                    base_url=tenant.graph_base_url,
                    authority=tenant.authority,
                    tenant_id=tenant.tenant_id,
                    client_id=tenant.client_id,
                    client_secret=SecretStr(tenant.client_secret),
                    ca_bundle=tenant.ca_path,
                ),
            )
            measured = asyncio.run(_measure(settings, tenant.pid, batch_size))
    total_events = measured["report_events"] + measured["history_events"]
    total_seconds = measured["report_seconds"] + measured["history_seconds"]
    figures = [
        {"name": "people", "value": people, "unit": "people"},
        {"name": "report events", "value": measured["report_events"], "unit": "events"},
        {
            "name": "report phase (directory + D90 CSV) throughput",
            "value": round(measured["report_events"] / measured["report_seconds"]),
            "unit": "events/s",
        },
        {
            "name": "interaction-history events",
            "value": measured["history_events"],
            "unit": "events",
        },
        {
            "name": f"interaction-history phase ({interaction_days} days) throughput",
            "value": round(measured["history_events"] / measured["history_seconds"]),
            "unit": "events/s",
        },
        {
            "name": "overall throughput",
            "value": round(total_events / total_seconds),
            "unit": "events/s",
        },
        # What one free core would give: on a shared machine wall time overstates the cost.
        {
            "name": "report phase events per ingest CPU-second",
            "value": round(measured["report_events"] / measured["report_cpu"]),
            "unit": "events/s",
        },
        {
            "name": "interaction-history events per ingest CPU-second",
            "value": round(measured["history_events"] / measured["history_cpu"]),
            "unit": "events/s",
        },
        {
            "name": "events per ingest CPU-second",
            "value": round(total_events / (measured["report_cpu"] + measured["history_cpu"])),
            "unit": "events/s",
        },
        {"name": "ingest peak memory (RSS)", "value": round(peak_rss_mb()), "unit": "MB"},
        {
            "name": "ingest peak memory (RSS) by the end of the report phase",
            "value": round(measured["report_rss"]),
            "unit": "MB",
        },
        # The sandbox stands in for Microsoft's servers but shares the two cores with ingest.
        {
            "name": "sandbox CPU, report phase",
            "value": round(measured["report_sandbox_cpu"], 1),
            "unit": "s",
        },
        {
            "name": "sandbox CPU, interaction-history phase",
            "value": round(measured["history_sandbox_cpu"], 1),
            "unit": "s",
        },
        {"name": "sandbox and nats start-up", "value": round(setup_seconds, 1), "unit": "s"},
    ]
    for figure in figures:
        print(f"{figure['name']:<56} {figure['value']:>12} {figure['unit']}")
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.ingest")
    parser.add_argument("--people", type=int, default=PEOPLE)
    parser.add_argument("--interaction-days", type=int, default=INTERACTION_DAYS)
    parser.add_argument(
        "--interaction-batch-size",
        type=int,
        default=MAX_BATCH,
        help="people per Graph $batch request (1: one request per person)",
    )
    arguments = parser.parse_args()
    run(arguments.people, arguments.interaction_days, arguments.interaction_batch_size)
