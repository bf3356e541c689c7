"""`make demo`: the whole of Uptake on one laptop, run by honcho from the Procfile.

The runner picks free ports for NATS, the Redis-compatible server and the
sandbox tenant, writes the sandbox's CA and server certificate, writes the
demo environment to ``var/demo/demo.env`` and hands everything to honcho. It
prints the URLs once the gateway answers. Ctrl-C stops honcho, which stops
every process it started (SIGTERM, then SIGKILL after a few seconds).

Each run starts from a clean ``var/demo/`` (JetStream store, Redis data,
SQLite ledger), so the leaderboard is rebuilt from the sandbox's report every
time; ``--keep`` keeps the previous run's data.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from devtools.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
PROCFILE = ROOT / "Procfile"
DEFAULT_API_PORT = 8000
# The sandbox tenant's identity; any value works as long as ingest and the sandbox agree.
SANDBOX_TENANT_ID = "contoso-sandbox"
SANDBOX_CLIENT_ID = "uptake-demo"
SANDBOX_CLIENT_SECRET = "sandbox-secret"  # noqa: S105 - the sandbox accepts any secret
# Short ingest interval so the board fills within seconds instead of an hour.
DEMO_INGEST_INTERVAL_SECONDS = 20


@dataclass(frozen=True)
class Ports:
    nats: int
    nats_monitor: int
    redis: int
    sandbox: int
    api: int

    @classmethod
    def pick(cls, api: int) -> Ports:
        chosen: set[int] = {api}
        picked: list[int] = []
        while len(picked) < 4:
            port = free_port()
            if port not in chosen:
                chosen.add(port)
                picked.append(port)
        nats, nats_monitor, redis, sandbox = picked
        return cls(nats, nats_monitor, redis, sandbox, api)


@dataclass(frozen=True)
class CertPaths:
    ca: Path
    cert: Path
    key: Path


def find_certs(folder: Path) -> CertPaths:
    """Locate the files ``python -m services.sandbox certs`` wrote: CA, server cert and key."""
    pems = sorted(p for pattern in ("*.pem", "*.crt", "*.key") for p in folder.glob(pattern))

    def pick(*words: str, exclude: tuple[str, ...] = ()) -> Path:
        for path in pems:
            name = path.name.lower()
            if any(w in name for w in words) and not any(x in name for x in exclude):
                return path
        raise FileNotFoundError(f"no {'/'.join(words)} file in {folder}: {[p.name for p in pems]}")

    return CertPaths(
        ca=pick("ca"),
        cert=pick("cert", "server", "crt", exclude=("ca", "key")),
        key=pick("key"),
    )


def demo_environment(
    root: Path, ports: Ports, certs: CertPaths, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Every variable the Procfile and the services read in the demo."""
    var = root / "var" / "demo"
    sandbox = f"https://127.0.0.1:{ports.sandbox}"
    env = {
        "ENVIRONMENT": "development",
        "LOG_FORMAT": "console",
        "PYTHONUNBUFFERED": "1",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{(base or os.environ).get('PATH', '')}",
        # infrastructure
        "NATS_PORT": str(ports.nats),
        "NATS_MONITOR_PORT": str(ports.nats_monitor),
        "NATS_STORE_DIR": str(var / "nats"),
        "NATS_URL": f"nats://127.0.0.1:{ports.nats}",
        "REDIS_PORT": str(ports.redis),
        "REDIS_DATA_DIR": str(var / "redis"),
        "REDIS_URL": f"redis://127.0.0.1:{ports.redis}/0",
        "DATABASE_URL": f"sqlite+aiosqlite:///{var / 'uptake.db'}",
        # the sandbox tenant plays Entra ID, Graph, Teams and Viva Engage
        "SANDBOX_HOST": "127.0.0.1",
        "SANDBOX_PORT": str(ports.sandbox),
        "SANDBOX_CERT_FILE": str(certs.cert),
        "SANDBOX_KEY_FILE": str(certs.key),
        "SANDBOX_TENANT_ID": SANDBOX_TENANT_ID,
        "GRAPH_BASE_URL": sandbox,
        "GRAPH_AUTHORITY": f"{sandbox}/{SANDBOX_TENANT_ID}",
        "GRAPH_TENANT_ID": SANDBOX_TENANT_ID,
        "GRAPH_CLIENT_ID": SANDBOX_CLIENT_ID,
        "GRAPH_CLIENT_SECRET": SANDBOX_CLIENT_SECRET,
        "GRAPH_CA_BUNDLE": str(certs.ca),
        "TEAMS_WEBHOOK_URL": f"{sandbox}/webhooks/teams/demo",
        "ENGAGE_BASE_URL": f"{sandbox}/engage/api/v1",
        "ENGAGE_GROUP_ID": "1",
        "NOTIFY_CA_BUNDLE": str(certs.ca),
        "INGEST_INTERVAL_SECONDS": str(DEMO_INGEST_INTERVAL_SECONDS),
        # the gateway
        "API_HOST": "127.0.0.1",
        "API_PORT": str(ports.api),
    }
    return env


def write_env_file(env: Mapping[str, str], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{key}={value}" for key, value in env.items() if key != "PATH"]
    path.write_text("\n".join(lines) + "\n")


def port_is_free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def write_certs(out: Path) -> CertPaths:
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "services.sandbox", "certs", "--out", str(out)],
        check=True,
        cwd=ROOT,
    )
    return find_certs(out)


def urls(ports: Ports) -> list[tuple[str, str]]:
    gateway = f"http://127.0.0.1:{ports.api}"
    sandbox = f"https://127.0.0.1:{ports.sandbox}"
    return [
        ("office screen", f"{gateway}/screen"),
        ("people board", f"{gateway}/api/leaderboards/people?window=all"),
        ("team board", f"{gateway}/api/leaderboards/teams?window=all"),
        ("API docs", f"{gateway}/docs"),
        ("sandbox posts (Teams, Engage)", f"{sandbox}/posts"),
        ("NATS monitoring", f"http://127.0.0.1:{ports.nats_monitor}/jsz"),
    ]


def announce_when_ready(ports: Ports, stop: threading.Event, timeout: float = 180.0) -> None:
    """Print the URLs once the gateway answers, so they are not lost in the start-up logs."""
    deadline = time.monotonic() + timeout
    probe = f"http://127.0.0.1:{ports.api}/healthz"
    while not stop.is_set() and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(probe, timeout=1):
                break
        except urllib.error.HTTPError:
            break  # it answers, even if not healthy yet
        except OSError:
            stop.wait(0.5)
    else:
        return
    width = max(len(name) for name, _ in urls(ports))
    lines = ["", "Uptake demo is up:"]
    lines += [f"  {name.ljust(width)}  {url}" for name, url in urls(ports)]
    lines += ["  (the sandbox uses its own CA: var/demo/certs; Ctrl-C stops everything)", ""]
    print("\n".join(lines), flush=True)


def run(api_port: int, keep: bool) -> int:
    var = ROOT / "var" / "demo"
    if not port_is_free(api_port):
        print(
            f"port {api_port} is taken: stop what listens there or run `API_PORT=8001 make demo`",
            file=sys.stderr,
        )
        return 2
    if var.exists() and not keep:
        shutil.rmtree(var)
    var.mkdir(parents=True, exist_ok=True)
    ports = Ports.pick(api_port)
    certs = write_certs(var / "certs")
    env = demo_environment(ROOT, ports, certs)
    env_file = var / "demo.env"
    write_env_file(env, env_file)
    honcho = Path(sys.executable).with_name("honcho")
    command = [str(honcho), "start", "-f", str(PROCFILE), "-d", str(ROOT), "-e", str(env_file)]
    child = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})

    def forward(signum: int, _frame: object) -> None:
        # A Ctrl-C reaches honcho too (same process group); forwarding covers a signal
        # sent to this process alone. honcho ignores the second one.
        if child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    stop = threading.Event()
    threading.Thread(target=announce_when_ready, args=(ports, stop), daemon=True).start()
    try:
        return child.wait()
    finally:
        stop.set()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m devtools.demo", description=__doc__)
    parser.add_argument(
        "--api-port", type=int, default=int(os.environ.get("API_PORT", DEFAULT_API_PORT))
    )
    parser.add_argument("--keep", action="store_true", help="keep the previous run's data")
    args = parser.parse_args(argv)
    code = run(args.api_port, args.keep)
    # honcho exits 130 after Ctrl-C: a clean stop, not a failure of `make demo`.
    sys.exit(0 if code in (0, 130, -signal.SIGINT) else code)


if __name__ == "__main__":
    main()
