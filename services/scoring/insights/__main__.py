"""``python -m services.scoring.insights rebuild``: the insight rollups recomputed from the
stored signals (for installations that stored signals before the rollups existed)."""

from __future__ import annotations

import asyncio
import sys

from services.scoring.bootstrap import prepare_tables
from services.scoring.insights.rebuild import rebuild
from shared.database import create_engine
from shared.logs import configure_logging
from shared.settings import ScoringSettings

USAGE = "usage: python -m services.scoring.insights rebuild\n"


def progress(message: str) -> None:
    sys.stderr.write(f"insights rebuild: {message}\n")
    sys.stderr.flush()


async def command(settings: ScoringSettings) -> None:
    engine = create_engine(settings.database_url)
    try:
        await prepare_tables(engine)
        report = await rebuild(engine, settings.tz, progress)
        weeks = report.weeks if report else 0
        progress(f"done: cube of {weeks} weeks built in {report.seconds if report else 0} s")
    finally:
        await engine.dispose()


def main(argv: list[str]) -> int:
    if argv != ["rebuild"]:
        sys.stderr.write(USAGE)
        return 2
    settings = ScoringSettings()
    configure_logging("scoring", settings.log_level, settings.log_format)
    try:
        asyncio.run(command(settings))
    except KeyboardInterrupt:
        progress("interrupted: finished chunks are kept; run it again to redo them all")
        return 130
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
