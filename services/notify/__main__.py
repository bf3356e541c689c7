"""``python -m services.notify [run | engage-login | dead-letters | replay | health | digest]``."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.settings import NotifySettings

# SIGINT or SIGTERM before the event loop runs (imports, settings) is a request to stop,
# not a crash: the service then starts nothing and exits 0. The service's modules are
# imported only after these handlers are in place, since importing them takes a while.
_stop_requested = False


def _request_stop(signum: int, frame: FrameType | None) -> None:
    global _stop_requested
    _stop_requested = True


async def _serve(settings: NotifySettings) -> None:
    from services.notify import bootstrap

    stop = asyncio.Event()
    bootstrap.stop_on_signals(stop)
    if _stop_requested:
        stop.set()
    await bootstrap.run(settings, stop)


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def command_line() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m services.notify")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="consume awards and post shout-outs (the default)")
    commands.add_parser("engage-login", help="sign the Viva Engage service account in")
    dead = commands.add_parser("dead-letters", help="list posts a channel refused for good")
    dead.add_argument("--channel")
    again = commands.add_parser("replay", help="queue dead posts again")
    again.add_argument("ids", nargs="*", type=int)
    again.add_argument("--all", action="store_true")
    commands.add_parser("health", help="channel health, e.g. Engage waiting for a sign-in")
    digest = commands.add_parser("digest", help="queue a weekly review now (once per week)")
    digest.add_argument("--week", help="ISO week such as 2026-W47; default: last week")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = command_line()
    args = parser.parse_args(argv)
    if args.command in (None, "run"):
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, _request_stop)
    from services.notify.admin import admin
    from services.notify.engage_auth import EngageTokens
    from shared.logs import configure_logging
    from shared.settings import NotifySettings

    settings = NotifySettings()
    configure_logging("notify", settings.log_level, settings.log_format)
    if args.command == "engage-login":
        ok = EngageTokens(settings).login(_say)
        return 0 if ok else 1
    if args.command == "replay" and not args.ids and not args.all:
        parser.error("name the ids to replay, or --all")
    if args.command in ("dead-letters", "replay", "health", "digest"):
        asyncio.run(admin(settings, args))
        return 0
    asyncio.run(_serve(settings))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
