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
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from devtools.demo_signin import api_auth_environment
from devtools.servers import free_port
from services.sandbox.settings import SandboxSettings

ROOT = Path(__file__).resolve().parent.parent
PROCFILE = ROOT / "Procfile"
DEFAULT_API_PORT = 8000
DEFAULT_VAR = ROOT / "var" / "demo"
# Short ingest interval so the board fills within seconds instead of an hour.
DEMO_INGEST_INTERVAL_SECONDS = 20


@dataclass(frozen=True)
class Ports:
    nats: int
    nats_monitor: int
    redis: int
    sandbox: int
    api: int
    sandbox_signin: int  # the sandbox's sign-in page, over plain HTTP for browsers

    @classmethod
    def pick(cls, api: int) -> Ports:
        chosen: set[int] = {api}
        picked: list[int] = []
        while len(picked) < 5:
            port = free_port()
            if port not in chosen:
                chosen.add(port)
                picked.append(port)
        nats, nats_monitor, redis, sandbox, sandbox_signin = picked
        return cls(nats, nats_monitor, redis, sandbox, api, sandbox_signin)


def demo_environment(
    var: Path, ports: Ports, sandbox_settings: SandboxSettings | None = None
) -> dict[str, str]:
    """Every variable the Procfile and the services read in the demo; data lives in ``var``."""
    sandbox = f"https://127.0.0.1:{ports.sandbox}"
    # The sandbox's own defaults (tenant, client id and secret) are what ingest signs in with.
    tenant = sandbox_settings or SandboxSettings()
    env = {
        "ENVIRONMENT": "development",
        "LOG_FORMAT": "console",
        "PYTHONUNBUFFERED": "1",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
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
        "SANDBOX_DIR": str(var / "sandbox"),
        # Browsers sign in on the sandbox's picker over plain HTTP: no CA to trust.
        "SANDBOX_BROWSER_PORT": str(ports.sandbox_signin),
        # The demo tenant's admin has already revealed names in usage reports (the setting
        # ingest's notice and `python -m services.ingest reveal-names` lead to), so report
        # rows join people from the first cycle. `POST /sandbox/config
        # {"concealed_names": true}` shows the concealed path.
        "SANDBOX_CONCEALED_NAMES": "false",
        "GRAPH_BASE_URL": sandbox,
        "GRAPH_AUTHORITY": f"{sandbox}/{tenant.tenant_id}",
        "GRAPH_TENANT_ID": tenant.tenant_id,
        "GRAPH_CLIENT_ID": tenant.client_id,
        "GRAPH_CLIENT_SECRET": tenant.client_secret,
        "GRAPH_CA_BUNDLE": str(sandbox_ca(var)),
        # requests (under MSAL) lets REQUESTS_CA_BUNDLE override a session's own CA file, so
        # when a machine sets it the sandbox CA must be in it: public CAs plus the sandbox's.
        "REQUESTS_CA_BUNDLE": str(trust_bundle(var)),
        # A Teams Workflows trigger URL in the real shape, signature included.
        "TEAMS_WEBHOOK_URL": (
            f"{sandbox}/workflows/uptake-demo/triggers/manual/paths/invoke"
            "?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=sandbox-demo-sig"
        ),
        "ENGAGE_BASE_URL": f"{sandbox}/engage/api/v1",
        "ENGAGE_GROUP_ID": "1",
        "ENGAGE_TOKEN_CACHE": str(var / "engage-token-cache.bin"),
        "NOTIFY_APP_URL": f"http://127.0.0.1:{ports.api}/screen",
        # A demo runs at any hour: no quiet hours (equal start and end), weekends included.
        "NOTIFY_QUIET_START": "00:00",
        "NOTIFY_QUIET_END": "00:00",
        "NOTIFY_QUIET_WEEKENDS": "false",
        # Ingest reads every 20 s here: a minute's fold window shows the first digest soon.
        "NOTIFY_FOLD_SECONDS": "60",
        "INGEST_INTERVAL_SECONDS": str(DEMO_INGEST_INTERVAL_SECONDS),
        "INGEST_STATUS_PATH": str(var / "ingest-status.json"),
        # the gateway: browsers sign in with the sandbox tenant (the sandbox app's client id
        # and secret; the redirect URI is the address the browser used, + /auth/callback,
        # which the sandbox accepts on any loopback port), and it accepts the sandbox's
        # tokens for curl (see devtools.demo_signin)
        "API_HOST": "127.0.0.1",
        "API_PORT": str(ports.api),
        **api_auth_environment(
            f"{sandbox}/{tenant.tenant_id}",
            sandbox_ca(var),
            client_id=tenant.client_id,
            client_secret=tenant.client_secret,
        ),
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


def sandbox_ca(var: Path) -> Path:
    """The CA the sandbox signs its TLS certificate with, which ingest and notify trust."""
    return var / "sandbox" / "ca.pem"


def trust_bundle(var: Path) -> Path:
    return var / "sandbox" / "trust-bundle.pem"


def write_trust_bundle(var: Path, base: str | None) -> Path:
    """The machine's CA bundle (or certifi's) followed by the sandbox CA."""
    import certifi

    public = Path(base) if base and Path(base).is_file() else Path(certifi.where())
    target = trust_bundle(var)
    target.write_text(public.read_text() + "\n" + sandbox_ca(var).read_text())
    return target


def write_certs(var: Path) -> Path:
    """Write the sandbox's key material into its folder (it reuses what it finds there)."""
    out = var / "sandbox"
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "services.sandbox", "certs", "--out", str(out)],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    if not sandbox_ca(var).is_file():
        raise FileNotFoundError(f"the sandbox wrote no CA at {sandbox_ca(var)}")
    return sandbox_ca(var)


def urls(ports: Ports) -> list[tuple[str, str]]:
    gateway = f"http://127.0.0.1:{ports.api}"
    sandbox = f"https://127.0.0.1:{ports.sandbox}"
    return [
        ("office screen", f"{gateway}/screen"),
        ("people board", f"{gateway}/api/leaderboards/people?window=all"),
        ("team board", f"{gateway}/api/leaderboards/teams?window=all"),
        ("API docs", f"{gateway}/docs"),
        ("sandbox posts (Teams, Engage)", f"{sandbox}/sandbox/posts"),
        ("NATS monitoring", f"http://127.0.0.1:{ports.nats_monitor}/jsz"),
    ]


def wait_for_url(
    url: str, stop: threading.Event, timeout: float, verify: str | bool = True
) -> bool:
    """True once ``url`` answers at all (any HTTP status), False on timeout or stop."""
    deadline = time.monotonic() + timeout
    while not stop.is_set() and time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1, verify=verify)
            return True
        except httpx.HTTPError:
            stop.wait(0.5)
    return False


def sign_in_engage(
    var: Path, env: Mapping[str, str], children: list[subprocess.Popen[bytes]]
) -> bool:
    """Sign notify's Viva Engage account in to the sandbox, which approves device codes itself.

    Without it, Engage shout-outs would wait for an admin to run
    ``python -m services.notify engage-login``, as they do against a real tenant.
    """
    with (var / "engage-login.log").open("wb") as out:
        login = subprocess.Popen(
            [sys.executable, "-m", "services.notify", "engage-login"],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    children.append(login)  # stopped with the demo if it is still running then
    try:
        return login.wait(timeout=120) == 0
    except subprocess.TimeoutExpired:
        login.kill()
        login.wait()
        return False


def announce_when_ready(
    ports: Ports,
    var: Path,
    env: Mapping[str, str],
    stop: threading.Event,
    children: list[subprocess.Popen[bytes]],
    timeout: float = 180.0,
) -> None:
    """Sign Engage in, then print the URLs once the gateway answers, so they stand out."""
    sandbox_up = wait_for_url(
        f"https://127.0.0.1:{ports.sandbox}/healthz",
        stop,
        timeout,
        verify=str(sandbox_ca(var)),
    )
    engage = (
        "signed in to the sandbox"
        if sandbox_up and sign_in_engage(var, env, children)
        else (f"not signed in (see {var / 'engage-login.log'})")
    )
    if not wait_for_url(f"http://127.0.0.1:{ports.api}/healthz", stop, timeout):
        return
    width = max(len(name) for name, _ in urls(ports))
    lines = ["", "Uptake demo is up:"]
    lines += [f"  {name.ljust(width)}  {url}" for name, url in urls(ports)]
    lines += [f"  Viva Engage account: {engage}"]
    gateway = f"http://127.0.0.1:{ports.api}"
    lines += [
        f"  sign in: open {gateway}/me or {gateway}/admin, click 'Sign in with Microsoft'",
        "    and pick anyone in the sandbox tenant (the first person is an admin)",
        "  a token for curl: .venv/bin/python -m devtools.demo_signin --token-only",
    ]
    lines += [f"  (settings: {var / 'demo.env'}; Ctrl-C stops everything)", ""]
    print("\n".join(lines), flush=True)


def run(api_port: int, keep: bool, var: Path = DEFAULT_VAR) -> int:
    if not port_is_free(api_port):
        print(
            f"port {api_port} is taken: stop what listens there or run `API_PORT=8001 make demo`",
            file=sys.stderr,
        )
        return 2
    if var.exists() and not keep:
        if (var / "demo.env").exists() or not any(var.iterdir()):
            shutil.rmtree(var)
        else:
            print(f"{var} holds something else than a demo run: not clearing it", file=sys.stderr)
            return 2
    var.mkdir(parents=True, exist_ok=True)
    ports = Ports.pick(api_port)
    write_certs(var)
    write_trust_bundle(var, os.environ.get("REQUESTS_CA_BUNDLE"))
    env = demo_environment(var, ports)
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
    helpers: list[subprocess.Popen[bytes]] = []
    announcer = threading.Thread(
        target=announce_when_ready, args=(ports, var, env, stop, helpers), daemon=True
    )
    announcer.start()
    try:
        return child.wait()
    finally:
        stop.set()
        for helper in helpers:
            if helper.poll() is None:
                helper.kill()
                helper.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m devtools.demo", description=__doc__)
    parser.add_argument(
        "--api-port", type=int, default=int(os.environ.get("API_PORT", DEFAULT_API_PORT))
    )
    parser.add_argument("--keep", action="store_true", help="keep the previous run's data")
    parser.add_argument("--var", type=Path, default=DEFAULT_VAR, help="where the data lives")
    args = parser.parse_args(argv)
    code = run(args.api_port, args.keep, args.var.resolve())
    # honcho exits 130 after Ctrl-C: a clean stop, not a failure of `make demo`.
    sys.exit(0 if code in (0, 130, -signal.SIGINT) else code)


if __name__ == "__main__":
    main()
