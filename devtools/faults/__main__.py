"""``python -m devtools.faults [--scale small|full] [scenario ...]``: the fault suite.

Prints progress while it runs and a table at the end; exits 1 when a scenario
lost or doubled anything (or could not run), 0 otherwise. Ctrl-C stops every
process it started. Logs stay in the work folder when something failed or with
``--keep``.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from types import FrameType

from devtools.faults import scenarios
from devtools.faults.harness import SERVICE_SETTINGS
from devtools.faults.processes import Registry
from devtools.faults.report import Outcome, details, table
from devtools.faults.suite import SCALES, Suite, console
from shared.logs import configure_logging


async def run_all(suite: Suite, names: list[str]) -> list[Outcome]:
    return [await suite.run(name) for name in names]


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.faults", description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--workdir", type=Path, help="where data and logs go (a temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument(
        "scenarios",
        nargs="*",
        choices=[[], *scenarios.BY_NAME],
        metavar="scenario",
        help="any of: " + ", ".join(scenarios.BY_NAME) + " (default: all, in that order)",
    )
    args = parser.parse_args(argv)
    names = args.scenarios or list(scenarios.BY_NAME)
    configure_logging("faults", "ERROR", "console")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="uptake-faults-"))
    workdir.mkdir(parents=True, exist_ok=True)
    say = console(time.monotonic())
    say(f"scale {args.scale}, scenarios: {', '.join(names)}; work folder {workdir}")
    shortened = ", ".join(f"{name}={value}" for name, value in SERVICE_SETTINGS.items())
    say(f"shortened for recovery in seconds: {shortened}")
    registry = Registry()
    signal.signal(signal.SIGTERM, _interrupt)
    suite = Suite(SCALES[args.scale], workdir, registry, say)
    outcomes: list[Outcome] = []
    try:
        outcomes = asyncio.run(run_all(suite, names))
    except KeyboardInterrupt:
        say("interrupted: stopping every process the suite started")
        return 130
    finally:
        registry.stop_all()
    print()
    print(table(outcomes))
    if said := details(outcomes):
        print()
        print(said)
    failed = any(o.failed for o in outcomes)
    if failed or args.keep:
        print(f"\nlogs and data: {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
