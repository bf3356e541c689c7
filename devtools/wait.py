"""Wait until TCP ports listen, then become the given command.

Used in the demo's Procfile so a service starts once the infrastructure it
needs accepts connections, the way ``depends_on: service_healthy`` does in
docker-compose::

    python -m devtools.wait 127.0.0.1:4222 127.0.0.1:6379 -- python -m services.scoring
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from devtools.servers import wait_for_port


def parse_address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host or "127.0.0.1", int(port)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if "--" not in argv:
        raise SystemExit("usage: python -m devtools.wait HOST:PORT... -- COMMAND [ARGS...]")
    split = argv.index("--")
    parser = argparse.ArgumentParser(prog="python -m devtools.wait")
    parser.add_argument("addresses", nargs="*", type=parse_address)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args(argv[:split])
    command = argv[split + 1 :]
    if not command:
        raise SystemExit("nothing to run after --")
    started = time.monotonic()
    for host, port in args.addresses:
        remaining = max(1.0, args.timeout - (time.monotonic() - started))
        wait_for_port(port, timeout=remaining, host=host)
    sys.stdout.flush()
    os.execvp(command[0], command)  # noqa: S606 - becomes the service, no shell wanted


if __name__ == "__main__":
    main()
