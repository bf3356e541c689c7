"""``python -m services.notify [run | engage-login | dead-letters | replay ID... | health]``."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from services.notify import bootstrap
from services.notify.deadletters import list_dead, replay
from services.notify.engage_auth import EngageTokens
from services.notify.health import channel_health
from shared.database import create_engine, create_tables, session_factory
from shared.logs import configure_logging
from shared.settings import NotifySettings


async def _serve(settings: NotifySettings) -> None:
    stop = asyncio.Event()
    bootstrap.stop_on_signals(stop)
    await bootstrap.run(settings, stop)


async def admin(settings: NotifySettings, args: argparse.Namespace) -> None:
    engine = create_engine(settings.database_url)
    await create_tables(engine)
    out: object
    async with session_factory(engine)() as session:
        if args.command == "dead-letters":
            out = [d.model_dump() for d in await list_dead(session, args.channel)]
        elif args.command == "replay":
            out = {"replayed": await replay(session, None if args.all else args.ids)}
        else:
            out = [h.model_dump(mode="json") for h in await channel_health(session)]
    await engine.dispose()
    sys.stdout.write(json.dumps(out, indent=2, default=str) + "\n")


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
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = command_line()
    args = parser.parse_args(argv)
    settings = NotifySettings()
    configure_logging("notify", settings.log_level, settings.log_format)
    if args.command == "engage-login":
        ok = EngageTokens(settings).login(_say)
        return 0 if ok else 1
    if args.command == "replay" and not args.ids and not args.all:
        parser.error("name the ids to replay, or --all")
    if args.command in ("dead-letters", "replay", "health"):
        asyncio.run(admin(settings, args))
        return 0
    asyncio.run(_serve(settings))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
