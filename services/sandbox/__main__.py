"""``python -m services.sandbox`` serves the tenant over HTTPS;
``python -m services.sandbox certs --out DIR`` only writes its key material."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from services.sandbox.settings import SandboxSettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.sandbox")
    commands = parser.add_subparsers(dest="command")
    certs = commands.add_parser("certs", help="write ca.pem, server and client certificates")
    certs.add_argument("--out", type=Path, required=True)
    certs.add_argument("--name", action="append", default=[], help="extra server host name")
    args = parser.parse_args(argv)
    if args.command == "certs":
        from services.sandbox.certs import ensure_certs

        names = (*SandboxSettings().cert_names, *args.name)
        paths = ensure_certs(args.out, tuple(names))
        sys.stdout.write(f"{paths.ca}\n")
        return 0
    from services.sandbox.server import serve

    serve(SandboxSettings())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
