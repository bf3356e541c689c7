"""`make demo` as a newcomer runs it: the whole stack under honcho fills a leaderboard from
the sandbox tenant, serves the office screen, and Ctrl-C leaves no process behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from devtools import servers

ROOT = Path(__file__).resolve().parents[2]
# Reaching a full board takes the services' start-up plus one ingest and scoring cycle.
READY_WITHIN_SECONDS = 180.0


def _board_is_filled(client: httpx.Client) -> bool:
    try:
        response = client.get("/api/leaderboards/people", params={"window": "all"})
    except httpx.HTTPError:
        return False
    if response.status_code != 200:
        return False
    body = response.json()
    entries = body.get("entries", body) if isinstance(body, dict) else body
    return bool(entries)


@pytest.mark.e2e
@pytest.mark.timeout(300)
def test_demo_fills_the_board_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    api_port = servers.free_port()
    log = tmp_path / "demo.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NATS_", "REDIS_"))}
    command = [sys.executable, "-m", "devtools.demo", f"--api-port={api_port}"]
    with log.open("wb") as out:
        demo = subprocess.Popen(
            [*command, "--var", str(tmp_path / "var")],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a process group of its own, as a terminal gives it
        )
    started: list[psutil.Process] = []
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{api_port}", timeout=5) as client:
            deadline = time.monotonic() + READY_WITHIN_SECONDS
            filled = False
            while time.monotonic() < deadline and demo.poll() is None:
                if _board_is_filled(client):
                    filled = True
                    break
                time.sleep(2)
            started = psutil.Process(demo.pid).children(recursive=True)
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:])
            assert filled, f"no filled people board; the demo said:\n{tail}"
            assert client.get("/screen").status_code == 200
        assert {"nats", "redis", "sandbox", "ingest", "scoring", "notify", "api"} <= {
            line.split(".1 ", 1)[0].split()[-1]
            for line in log.read_text(errors="replace").splitlines()
            if " started (pid=" in line
        }
        os.killpg(demo.pid, signal.SIGINT)  # what Ctrl-C does
        demo.wait(timeout=60)
        _, alive = psutil.wait_procs(started, timeout=15)
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait()
        for process in started:
            if process.is_running():
                process.kill()
    assert demo.returncode == 0
    assert alive == [], f"left running after Ctrl-C: {[p.pid for p in alive]}"
