"""A private PostgreSQL cluster for one scenario: initdb in a temp folder, a free port.

Never the shared server on 5432: this cluster is created, stopped, started and
removed by the suite alone. The server runs in the foreground as a child of the
suite (as the ``postgres`` user when the suite runs as root, which initdb
refuses), so the suite can stop it at will and on Ctrl-C.
"""

from __future__ import annotations

import asyncio
import glob
import os
import pwd
import signal
import subprocess
from pathlib import Path

import asyncpg

from devtools import servers
from devtools.faults.processes import Child, Registry

DATABASE = "uptake"


def binaries() -> Path | None:
    """The newest PostgreSQL server binaries installed, or None."""
    found = sorted(
        (Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    for folder in reversed(found):
        if (folder / "initdb").exists() and (folder / "postgres").exists():
            return folder
    return None


def unavailable() -> str | None:
    """Why no private cluster can be made here, or None when one can."""
    if binaries() is None:
        return "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres user to run the server as"
    return None


class PrivateCluster:
    def __init__(self, workdir: Path, registry: Registry) -> None:
        folder = binaries()
        if folder is None:
            raise RuntimeError("no PostgreSQL binaries")
        self.bin = folder
        self.workdir = workdir
        self.data = workdir / "pgdata"
        self.sockets = workdir / "pgsock"
        self.port = servers.free_port()
        self.registry = registry
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            self.as_user = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"]
        self.server = Child(
            "postgres",
            [
                *self.as_user,
                str(self.bin / "postgres"),
                "-D",
                str(self.data),
                "-p",
                str(self.port),
                "-k",
                str(self.sockets),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "fsync=off",
                "-c",
                "max_connections=100",
            ],
            dict(os.environ),
            workdir / "postgres.log",
            registry,
            # Fast shutdown: clients are disconnected, as in a real outage (SIGTERM would
            # wait for them to leave).
            stop_signal=signal.SIGINT,
        )

    @property
    def admin_dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def init(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.data.mkdir()
        self.sockets.mkdir()
        if self.as_user:
            user = pwd.getpwnam("postgres")
            for path in (self.workdir, self.data, self.sockets):
                os.chown(path, user.pw_uid, user.pw_gid)
        with (self.workdir / "initdb.log").open("wb") as out:
            subprocess.run(
                [
                    *self.as_user,
                    str(self.bin / "initdb"),
                    "-D",
                    str(self.data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-sync",
                ],
                check=True,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=120,
            )

    def start(self) -> None:
        self.server.start()
        servers.wait_for_port(self.port, timeout=60)

    def stop(self) -> None:
        self.server.stop(timeout=30)

    async def create_database(self) -> None:
        for attempt in range(50):
            try:
                admin = await asyncpg.connect(self.admin_dsn)
                break
            except (OSError, asyncpg.PostgresError):
                if attempt == 49:
                    raise
                await asyncio.sleep(0.2)
        try:
            await admin.execute(f'CREATE DATABASE "{DATABASE}"')
        finally:
            await admin.close()
