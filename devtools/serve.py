"""Run one embedded server in the foreground, configured from the environment.

The demo's Procfile starts ``python -m devtools.serve nats`` and
``python -m devtools.serve redis``. On SIGTERM or SIGINT the server is kept up
for a short grace period (``DEMO_INFRA_GRACE_SECONDS``, default 2) before it is
stopped: honcho signals every process at once, and the services need their
broker and cache while they finish the batch in hand and close their
connections, the way docker-compose stops dependants first.

The server runs in its own process group, so only this supervisor decides when
it stops; on Linux it also gets SIGTERM if the supervisor dies (even by
SIGKILL), so it is never left behind. With a grace of 0 the process simply
becomes the server (``exec``).
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from types import FrameType

from devtools import servers

DEFAULT_GRACE_SECONDS = 2.0
STOP_TIMEOUT_SECONDS = 10.0
PR_SET_PDEATHSIG = 1


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
        # Keep the boards across `make demo` runs with --keep, like the ledger and the
        # JetStream store: an append-only file in the data folder (later flags win).
        return [*servers.redis_command(int(env["REDIS_PORT"]), data), "--appendonly", "yes"]
    raise ValueError(f"unknown server {kind!r}: expected nats or redis")


def _die_with_parent() -> None:
    """In the child, before exec: ask Linux for SIGTERM when the supervisor dies."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: the grace period still applies, only the SIGKILL guard is missing


def supervise(command: list[str], grace: float) -> int:
    """Run the server until asked to stop, then stop it after ``grace`` seconds."""
    asked_at: list[float] = []

    def ask(_signum: int, _frame: FrameType | None) -> None:
        if not asked_at:
            asked_at.append(time.monotonic())

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, ask)
    server = subprocess.Popen(
        command,
        start_new_session=True,
        preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
    )
    signalled = False
    while server.poll() is None:
        if asked_at and not signalled and time.monotonic() - asked_at[0] >= grace:
            server.terminate()
            signalled = True
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=0.1)
        if signalled and time.monotonic() - asked_at[0] > grace + STOP_TIMEOUT_SECONDS:
            server.kill()
            server.wait()
    return 0 if signalled else server.returncode


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m devtools.serve", description=__doc__)
    parser.add_argument("kind", choices=["nats", "redis"])
    args = parser.parse_args(argv)
    command = server_command(args.kind, os.environ)
    grace = float(os.environ.get("DEMO_INFRA_GRACE_SECONDS", DEFAULT_GRACE_SECONDS))
    sys.stdout.flush()
    if grace <= 0:
        os.execv(command[0], command)  # noqa: S606 - becomes the server, no shell wanted
    sys.exit(supervise(command, grace))


if __name__ == "__main__":
    main()
