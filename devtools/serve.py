"""Run one embedded server in the foreground, configured from the environment.

The demo's Procfile starts ``python -m devtools.serve nats`` and
``python -m devtools.serve redis``; the process replaces itself with the
server binary (``exec``), so the process runner's signals reach the server
directly and nothing is left behind when it stops.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from devtools import servers


def server_command(kind: str, env: Mapping[str, str]) -> list[str]:
    """The command line for ``kind`` (``nats`` or ``redis``) from the demo environment."""
    if kind == "nats":
        store = Path(env["NATS_STORE_DIR"])
        store.mkdir(parents=True, exist_ok=True)
        monitor = env.get("NATS_MONITOR_PORT")
        return servers.nats_command(int(env["NATS_PORT"]), store, int(monitor) if monitor else None)
    if kind == "redis":
        data = Path(env["REDIS_DATA_DIR"])
        data.mkdir(parents=True, exist_ok=True)
        return servers.redis_command(int(env["REDIS_PORT"]), data)
    raise ValueError(f"unknown server {kind!r}: expected nats or redis")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m devtools.serve", description=__doc__)
    parser.add_argument("kind", choices=["nats", "redis"])
    args = parser.parse_args(argv)
    command = server_command(args.kind, os.environ)
    sys.stdout.flush()
    os.execv(command[0], command)  # noqa: S606 - becomes the server, no shell wanted


if __name__ == "__main__":
    main()
