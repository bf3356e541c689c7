"""The local stack: the demo's environment and Procfile agree with what the services read,
and the embedded servers start under honcho and stop on Ctrl-C without leaving a process."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from honcho.environ import parse_procfile

from devtools import demo, servers
from services.sandbox.settings import SandboxSettings
from shared.settings import ApiSettings, IngestSettings, NotifySettings, ScoringSettings

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {"sandbox", "ingest", "scoring", "notify", "api"}


def _procfile() -> dict[str, str]:
    parsed = parse_procfile(demo.PROCFILE.read_text())
    return dict(parsed.processes)


def _ports() -> demo.Ports:
    return demo.Ports.pick(servers.free_port())


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _wait_until_closed(port: int, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _listening(port):
            return True
        time.sleep(0.1)
    return False


def test_procfile_runs_the_servers_and_every_service() -> None:
    commands = _procfile()
    assert set(commands) == {"nats", "redis"} | SERVICES
    for name in SERVICES:
        assert f"python -m services.{name}" in commands[name]


def test_every_variable_the_procfile_uses_is_in_the_demo_environment(tmp_path: Path) -> None:
    env = demo.demo_environment(tmp_path, _ports())
    used = {m for cmd in _procfile().values() for m in re.findall(r"\$\{?([A-Z_]+)", cmd)}
    assert used, "the Procfile is expected to read ports from the environment"
    assert used <= set(env), f"missing in the demo environment: {used - set(env)}"


def test_ports_are_distinct_and_keep_the_gateway_port() -> None:
    api = servers.free_port()
    ports = demo.Ports.pick(api)
    values = [
        *(ports.nats, ports.nats_monitor, ports.redis, ports.sandbox, ports.api),
        ports.sandbox_signin,
    ]
    assert ports.api == api
    assert len(set(values)) == len(values)


def test_the_services_read_the_demo_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ports = _ports()
    env = demo.demo_environment(tmp_path, ports)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    sandbox_url = f"https://127.0.0.1:{ports.sandbox}"

    ingest = IngestSettings()
    assert ingest.nats_url == f"nats://127.0.0.1:{ports.nats}"
    assert ingest.graph.base_url == sandbox_url
    assert ingest.graph.authority_url.startswith(sandbox_url + "/")
    assert ingest.graph.ca_bundle == tmp_path / "sandbox" / "ca.pem"
    assert ingest.ingest_interval_seconds == demo.DEMO_INGEST_INTERVAL_SECONDS

    tenant = SandboxSettings()
    assert (tenant.host, tenant.port) == ("127.0.0.1", ports.sandbox)
    assert tenant.dir == tmp_path / "sandbox"
    assert ingest.graph.tenant_id == tenant.tenant_id
    assert ingest.graph.client_id == tenant.client_id
    assert ingest.graph.client_secret is not None
    assert ingest.graph.client_secret.get_secret_value() == tenant.client_secret

    scoring = ScoringSettings()
    assert scoring.redis_url == f"redis://127.0.0.1:{ports.redis}/0"
    assert scoring.database_url.endswith(str(tmp_path / "uptake.db"))

    notify = NotifySettings()
    assert notify.teams_webhook_url is not None
    assert notify.teams_webhook_url.get_secret_value().startswith(sandbox_url)
    assert notify.engage_base_url.startswith(sandbox_url)
    assert notify.notify_quiet_start == notify.notify_quiet_end  # no quiet hours in a demo
    assert notify.graph.ca_bundle == ingest.graph.ca_bundle

    api = ApiSettings()
    assert (api.api_host, api.api_port) == ("127.0.0.1", ports.api)
    assert api.signin_configured and tenant.browser_port == ports.sandbox_signin


def test_env_file_holds_the_demo_settings_without_path(tmp_path: Path) -> None:
    env = demo.demo_environment(tmp_path, _ports())
    target = tmp_path / "demo.env"
    demo.write_env_file(env, target)
    lines = dict(line.split("=", 1) for line in target.read_text().splitlines())
    assert "PATH" not in lines
    assert lines["NATS_URL"] == env["NATS_URL"]
    assert lines["GRAPH_CA_BUNDLE"] == env["GRAPH_CA_BUNDLE"]


def _start_serve(kind: str, tmp_path: Path, grace: float) -> tuple[subprocess.Popen[bytes], int]:
    env = {**os.environ, **demo.demo_environment(tmp_path, _ports())}
    env["DEMO_INFRA_GRACE_SECONDS"] = str(grace)
    port = int(env["NATS_PORT" if kind == "nats" else "REDIS_PORT"])
    process = subprocess.Popen(
        [sys.executable, "-m", "devtools.serve", kind],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    servers.wait_for_port(port)
    return process, port


def _server_of(process: subprocess.Popen[bytes], kind: str) -> psutil.Process:
    binary = servers.nats_server_binary() if kind == "nats" else servers.redis_server_binary()
    (server,) = psutil.Process(process.pid).children()
    assert Path(server.exe()).name == Path(binary).name
    return server


@pytest.mark.parametrize("kind", ["nats", "redis"])
def test_serve_stops_the_server_after_a_grace_period(kind: str, tmp_path: Path) -> None:
    process, port = _start_serve(kind, tmp_path, grace=3)
    try:
        server = _server_of(process, kind)
        process.terminate()
        # the services still need the server while they shut down
        assert server.is_running()
        assert server.status() != psutil.STATUS_ZOMBIE
        code = process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert code == 0
    assert not psutil.pid_exists(server.pid) or server.status() == psutil.STATUS_ZOMBIE
    assert _wait_until_closed(port)


def test_the_server_dies_with_its_supervisor(tmp_path: Path) -> None:
    process, port = _start_serve("redis", tmp_path, grace=2)
    server = _server_of(process, "redis")
    process.kill()
    process.wait()
    gone, _ = psutil.wait_procs([server], timeout=15)
    assert gone == [server]
    assert _wait_until_closed(port)


def test_wait_runs_the_command_once_the_port_listens(tmp_path: Path) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        out = subprocess.run(
            [sys.executable, "-m", "devtools.wait", f"127.0.0.1:{port}", "--", "echo", "ready"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ready"


def test_wait_gives_up_without_running_the_command() -> None:
    port = servers.free_port()
    out = subprocess.run(
        [sys.executable, "-m", "devtools.wait", f"127.0.0.1:{port}", "--timeout=1", "--", "echo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert out.returncode != 0
    assert out.stdout == ""
    assert "nothing listens" in out.stderr


def test_honcho_stops_every_process_on_ctrl_c(tmp_path: Path) -> None:
    """The servers of the demo's Procfile under honcho; SIGINT to the group ends them all."""
    commands = _procfile()
    procfile = tmp_path / "Procfile"
    procfile.write_text("".join(f"{name}: {commands[name]}\n" for name in ("nats", "redis")))
    env = demo.demo_environment(tmp_path, _ports())
    env_file = tmp_path / "demo.env"
    demo.write_env_file(env, env_file)
    honcho = Path(sys.executable).with_name("honcho")
    process = subprocess.Popen(
        [str(honcho), "start", "-f", str(procfile), "-d", str(ROOT), "-e", str(env_file)],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, as a terminal gives `make demo`
    )
    nats_port, redis_port = int(env["NATS_PORT"]), int(env["REDIS_PORT"])
    try:
        servers.wait_for_port(nats_port)
        servers.wait_for_port(redis_port)
        started = psutil.Process(process.pid).children(recursive=True)
        names = {Path(p.exe()).name for p in started if p.is_running()}
        assert Path(servers.nats_server_binary()).name in names
        assert Path(servers.redis_server_binary()).name in names
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C does
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    _, alive = psutil.wait_procs(started, timeout=10)
    assert alive == []
    assert _wait_until_closed(nats_port)
    assert _wait_until_closed(redis_port)


def test_trust_bundle_adds_the_sandbox_ca_to_the_machine_bundle(tmp_path: Path) -> None:
    (tmp_path / "sandbox").mkdir()
    demo.sandbox_ca(tmp_path).write_text("-----SANDBOX CA-----\n")
    machine = tmp_path / "machine.pem"
    machine.write_text("-----MACHINE CAS-----\n")
    bundle = demo.write_trust_bundle(tmp_path, str(machine)).read_text()
    assert bundle.index("MACHINE CAS") < bundle.index("SANDBOX CA")
    env = demo.demo_environment(tmp_path, _ports())
    assert env["REQUESTS_CA_BUNDLE"] == str(demo.trust_bundle(tmp_path))
