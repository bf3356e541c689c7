"""Child processes the suite starts, and the guarantee that none outlives it.

Every child runs in a session of its own, so a Ctrl-C reaches the suite alone
and the suite stops its children in order; on Linux each child also gets
SIGKILL when the suite dies, even by SIGKILL, so nothing is left running.
"""

from __future__ import annotations

import contextlib
import ctypes
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

PR_SET_PDEATHSIG = 1
ROOT = Path(__file__).resolve().parents[2]


def _die_with_parent() -> None:
    """In the child, before exec: SIGKILL from Linux when the suite dies."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


class Child:
    """One process: started, stopped politely or killed, and started again alike."""

    def __init__(
        self,
        name: str,
        command: Sequence[str],
        env: Mapping[str, str],
        log: Path,
        registry: Registry,
        stop_signal: int = signal.SIGTERM,
    ) -> None:
        self.name = name
        self.stop_signal = stop_signal
        self.command = list(command)
        self.env = dict(env)
        self.log = log
        self.registry = registry
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> Child:
        if self.running():
            raise RuntimeError(f"{self.name} is already running")
        self.starts += 1
        with self.log.open("ab") as out:
            out.write(f"--- start {self.starts}: {' '.join(self.command)}\n".encode())
            out.flush()
            self.process = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
            )
        self.registry.add(self)
        return self

    def kill(self) -> None:
        """SIGKILL, as a crash or an OOM kill would end it."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self, timeout: float = 20.0) -> int | None:
        """Ask it to stop (its ``stop_signal``); SIGKILL after ``timeout`` seconds."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(self.stop_signal)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def wait(self, timeout: float) -> int:
        assert self.process is not None
        return self.process.wait(timeout=timeout)

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class Registry:
    """Every child started, so that all of them can be ended at once, each by its id."""

    def __init__(self) -> None:
        self.children: list[Child] = []

    def add(self, child: Child) -> None:
        if child not in self.children:
            self.children.append(child)

    def stop_all(self, timeout: float = 10.0) -> None:
        """Services first (SIGTERM), then infrastructure; whatever hangs is killed."""
        for child in reversed(self.children):
            if child.running():
                child.stop(timeout)
        self.children.clear()
