"""``python -m services.ingest [--once | reveal-names]``: the schedule, one cycle, or a fix."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from pydantic import ValidationError

from services.ingest.bootstrap import CLEAR_FAILURES, run_forever, run_once
from services.ingest.reveal import RevealRefused, reveal_names
from shared.logs import configure_logging, get_logger
from shared.settings import IngestSettings

log = get_logger("services.ingest")


def _settings() -> IngestSettings | None:
    try:
        return IngestSettings()
    except ValidationError as exc:
        configure_logging("ingest")
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: {e['msg']}" for e in exc.errors()
        )
        log.error(f"invalid ingest settings: {problems}")
    except (ValueError, KeyError) as exc:  # e.g. an unknown ORG_TIMEZONE
        configure_logging("ingest")
        log.error(f"invalid ingest settings: {exc}")
    return None


async def _reveal(settings: IngestSettings) -> int:
    try:
        await reveal_names(settings)
    except (RevealRefused, *CLEAR_FAILURES) as exc:
        log.error(str(exc))
        return 1
    return 0


async def _main(once: bool) -> int:
    settings = _settings()
    if settings is None:
        return 2
    configure_logging("ingest", settings.log_level, settings.log_format)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    for sig in (signal.SIGINT, signal.SIGTERM):

        def on_signal(sig: signal.Signals = sig) -> None:
            log.info("stopping", signal=sig.name)
            # A second signal, or --once: interrupt the cycle; committed progress stays.
            if (stop.is_set() or once) and task is not None:
                task.cancel()
            stop.set()

        loop.add_signal_handler(sig, on_signal)
    try:
        if once:
            outcome = await run_once(settings)
            log.info(
                "ingest --once done", published=outcome.published, dead_letters=outcome.dead_letters
            )
        else:
            await run_forever(settings, stop)
    except CLEAR_FAILURES as exc:
        log.error(str(exc))
        return 1
    except asyncio.CancelledError:
        log.warning("interrupted; progress up to the last acknowledged batch is kept")
        return 130
    return 0


async def _command(command: str, once: bool) -> int:
    if command == "reveal-names":
        settings = _settings()
        if settings is None:
            return 2
        configure_logging("ingest", settings.log_level, settings.log_format)
        return await _reveal(settings)
    return await _main(once)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m services.ingest")
    parser.add_argument(
        "command",
        nargs="?",
        choices=("run", "reveal-names"),
        default="run",
        help="run: read Graph on a schedule (the default); reveal-names: stop Microsoft 365 "
        "concealing user names in usage reports (needs ReportSettings.ReadWrite.All)",
    )
    parser.add_argument("--once", action="store_true", help="run one full cycle and exit")
    args = parser.parse_args()
    sys.exit(asyncio.run(_command(args.command, args.once)))


if __name__ == "__main__":
    main()
