"""What a test that hangs was waiting for.

pytest-timeout stops a test after ``timeout`` seconds and prints every thread's
stack, but an asyncio test waits in the event loop's ``select``: the coroutine
that never finishes is not on any thread's stack. Shortly before the timeout,
this prints the stack of every task of the running event loops, to stderr and
to ``var/ci/hangs.txt`` (CI repeats that file at the end of its log).
"""

from __future__ import annotations

import asyncio
import gc
import io
import sys
import threading
from collections.abc import Generator
from pathlib import Path

import pytest

REPORT = Path(__file__).resolve().parents[1] / "var" / "ci" / "hangs.txt"
AHEAD = 0.9  # of pytest-timeout's limit


def _running_loops() -> list[asyncio.AbstractEventLoop]:
    return [
        obj
        for obj in gc.get_objects()
        if isinstance(obj, asyncio.AbstractEventLoop) and obj.is_running()
    ]


def _tasks_report(nodeid: str, seconds: float) -> str:
    out = io.StringIO()
    out.write(f"\n=== {nodeid}: still running after {seconds:.0f} s; its asyncio tasks:\n")
    for loop in _running_loops():
        try:
            tasks = list(asyncio.all_tasks(loop))
        except RuntimeError:  # the set changed while being read: once more
            tasks = list(asyncio.all_tasks(loop))
        for task in tasks:
            out.write(f"\n--- {task!r}\n")
            task.print_stack(limit=25, file=out)
    return out.getvalue()


def _report(nodeid: str, seconds: float) -> None:
    text = _tasks_report(nodeid, seconds)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    with REPORT.open("a") as file:
        file.write(text)
    if sys.__stderr__ is not None:
        sys.__stderr__.write(text)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, None, None]:
    limit = float(item.config.getini("timeout") or 0)
    timer = None
    if limit > 0:
        timer = threading.Timer(limit * AHEAD, _report, (item.nodeid, limit * AHEAD))
        timer.daemon = True
        timer.start()
    try:
        yield
    finally:
        if timer is not None:
            timer.cancel()
