"""`make bench`: run every benchmark module in bench/ and keep the figures over time.

Each ``bench/<name>.py`` exposes ``run()`` returning its figures, ideally a list
of ``{"name", "value", "unit"}`` dicts (a single dict, ``(name, value, unit)``
tuples, a ``{name: value}`` mapping or a coroutine are accepted too). Every
module runs in a fresh process, so one benchmark's memory or event loop never
colours the next, and a failing one does not stop the others.

The runner prints a table, appends the run (figures, machine, date, commit) to
``bench/results.json`` and rewrites ``bench/README.md`` with the latest figures
next to the previous run's::

    python -m bench                 # all benchmarks
    python -m bench ingest scoring  # some of them
    python -m bench --list
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import importlib
import inspect
import json
import multiprocessing
import os
import platform
import subprocess
import sys
import time
import traceback
from collections.abc import Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results.json"
README = BENCH_DIR / "README.md"
PROFILES = BENCH_DIR / "profiles.md"  # where the time goes, written by hand from profiles
KEEP_RUNS = 100
NAME_KEYS = ("name", "figure", "metric", "label")
VALUE_KEYS = ("value", "val", "result", "mean")
UNIT_KEYS = ("unit", "units")


@dataclass
class Figure:
    bench: str
    name: str
    value: float | int | str | None
    unit: str = ""
    details: dict[str, Any] = field(default_factory=dict)


def discover(bench_dir: Path = BENCH_DIR) -> list[str]:
    """Benchmark modules: every bench/<name>.py but private ones, __init__ and __main__."""
    return sorted(
        path.stem
        for path in bench_dir.glob("*.py")
        if not path.stem.startswith("_") and path.stem != "conftest"
    )


def _first(item: Mapping[str, Any], keys: Iterable[str]) -> Any:
    for key in keys:
        if key in item:
            return item[key]
    return None


def normalise(bench: str, raw: Any) -> list[Figure]:
    """Turn whatever a benchmark returned into figures, keeping anything extra as details."""
    if raw is None:
        return []
    if isinstance(raw, Mapping):
        if _first(raw, NAME_KEYS) is not None:
            raw = [raw]
        else:  # {name: value} or {name: {"value": ..., "unit": ...}}
            raw = [
                {"name": k, **v} if isinstance(v, Mapping) else {"name": k, "value": v}
                for k, v in raw.items()
            ]
    figures: list[Figure] = []
    for item in raw:
        if isinstance(item, Mapping):
            name = _first(item, NAME_KEYS)
            value = _first(item, VALUE_KEYS)
            unit = _first(item, UNIT_KEYS) or ""
            used = {k for k in (*NAME_KEYS, *VALUE_KEYS, *UNIT_KEYS) if k in item}
            details = {k: v for k, v in item.items() if k not in used}
        elif isinstance(item, list | tuple) and len(item) >= 2:
            name, value = item[0], item[1]
            unit = item[2] if len(item) > 2 else ""
            details = {}
        else:
            raise TypeError(f"{bench}: cannot read a figure from {item!r}")
        if not isinstance(value, int | float | str) and value is not None:
            value = str(value)
        figures.append(Figure(bench, str(name), value, str(unit), _jsonable(details)))
    return figures


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(json.dumps(data, default=str))
    return loaded


def _run_module(module_name: str) -> Any:
    """In the child process: import the benchmark module and call its run()."""
    os.chdir(ROOT)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    module = importlib.import_module(module_name)
    entry = getattr(module, "run", None) or getattr(module, "main", None)
    if entry is None:
        raise AttributeError(f"{module_name} has no run() function")
    result = entry()
    if inspect.isawaitable(result):
        result = asyncio.run(_await(result))
    return json.loads(json.dumps(result, default=str))


async def _await(awaitable: Any) -> Any:
    return await awaitable


@dataclass
class Outcome:
    bench: str
    seconds: float
    figures: list[Figure]
    error: str | None = None


def run_one(name: str, timeout: float, package: str | None = "bench") -> Outcome:
    """Run bench/<name>.py's run() in a fresh process and read its figures."""
    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        # Submitted by its importable name: the spawned child cannot unpickle ``__main__``.
        worker = importlib.import_module("bench.__main__")._run_module
        future = pool.submit(worker, f"{package}.{name}" if package else name)
        figures: list[Figure] = []
        error: str | None = None
        try:
            figures = normalise(name, future.result(timeout=timeout))
            if not figures:
                error = "returned no figures"
        except Exception as exc:
            if future.done():  # the benchmark itself failed: say why, with its traceback
                remote = exc.__cause__
                detail = str(remote).strip() if remote is not None else ""
                sys.stderr.write(f"bench.{name} failed:\n{detail}\n")
                error = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            else:
                for process in list(getattr(pool, "_processes", {}).values()):
                    process.kill()
                error = f"timed out after {timeout:.0f}s"
    return Outcome(name, time.perf_counter() - started, figures, error)


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gib = None
    try:
        pages, page_size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        memory_gib = round(pages * page_size / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        pass
    return {
        "hostname": platform.node(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": memory_gib,
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
    }


def git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def load_history(path: Path = RESULTS) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError:
        return []
    runs = data.get("runs", []) if isinstance(data, dict) else data
    return [run for run in runs if isinstance(run, dict)]


def record(outcomes: list[Outcome], path: Path = RESULTS) -> dict[str, Any]:
    """Append this run to the history file and return it."""
    run = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "machine": machine(),
        "figures": [asdict(f) for o in outcomes for f in o.figures],
        "errors": {o.bench: o.error for o in outcomes if o.error},
        "seconds": {o.bench: round(o.seconds, 2) for o in outcomes},
    }
    runs = [*load_history(path), run][-KEEP_RUNS:]
    path.write_text(json.dumps({"runs": runs}, indent=2) + "\n")
    return run


def _format_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return "" if value is None else str(value)


def previous_values(history: list[dict[str, Any]], current: dict[str, Any]) -> dict[str, Any]:
    """The value each figure had in the latest earlier run that measured it."""
    found: dict[str, Any] = {}
    for run in history:
        if run is current:
            continue
        for fig in run.get("figures", []):
            found[f"{fig.get('bench')}/{fig.get('name')}"] = fig.get("value")
    return found


def table(figures: list[dict[str, Any]], previous: Mapping[str, Any]) -> list[list[str]]:
    rows = [["benchmark", "figure", "value", "unit", "previous"]]
    for fig in figures:
        key = f"{fig['bench']}/{fig['name']}"
        rows.append(
            [
                fig["bench"],
                fig["name"],
                _format_value(fig["value"]),
                fig["unit"],
                _format_value(previous.get(key)),
            ]
        )
    return rows


def render_text(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def latest(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The figures of each benchmark's latest run, with the value before each.

    A run of some benchmarks leaves the others' figures as they were; a figure
    that the latest run of its own benchmark no longer gives (renamed, or split
    by scenario) is left out, so an old value does not stand beside new ones.
    """
    current: dict[str, set[str]] = {}  # benchmark -> figure names of its latest run
    for run in history:
        names: dict[str, set[str]] = {}
        for fig in run.get("figures", []):
            names.setdefault(str(fig.get("bench")), set()).add(str(fig.get("name")))
        current.update(names)
    seen: dict[str, dict[str, Any]] = {}
    for run in history:
        for fig in run.get("figures", []):
            if str(fig.get("name")) not in current.get(str(fig.get("bench")), set()):
                continue
            key = f"{fig.get('bench')}/{fig.get('name')}"
            before = seen.get(key)
            seen[key] = {
                **fig,
                "date": run.get("date", ""),
                "previous": before["value"] if before else None,
            }
    return sorted(seen.values(), key=lambda f: (str(f.get("bench")), str(f.get("name"))))


def render_markdown(history: list[dict[str, Any]]) -> str:
    run = history[-1]
    m = run.get("machine", {})
    head = [
        "# Benchmarks",
        "",
        "Throughput, latency and memory figures of Uptake, measured outside the test suite.",
        "",
        "## How to run",
        "",
        "```",
        "make bench                      # every bench/<name>.py",
        ".venv/bin/python -m bench api   # some of them",
        ".venv/bin/python -m bench.api   # one module on its own, printing its figures",
        "```",
        "",
        "Each run is appended to `bench/results.json` (figures, machine, date, commit), so",
        "runs can be compared over time; this file is rewritten with the latest figures.",
        "A benchmark is a module `bench/<name>.py` with a `run()` that returns a list of",
        '`{"name": ..., "value": ..., "unit": ...}` and prints its figures when run alone.',
        "",
        "## Latest figures",
        "",
        f"Last run {run.get('date')} at commit `{run.get('commit')}` on {m.get('cpu')} "
        f"({m.get('cores')} cores, {m.get('memory_gib')} GiB), Python {m.get('python')}.",
        "Figures are from a shared 2-core machine: compare runs on the same machine only.",
        "The previous column is the value the run before measured for the same figure.",
        "",
        "| benchmark | figure | value | unit | previous | measured |",
        "|---|---|---:|---|---:|---|",
    ]
    body = [
        "| "
        + " | ".join(
            str(cell).replace("|", "\\|")
            for cell in (
                fig["bench"],
                fig["name"],
                _format_value(fig["value"]),
                fig.get("unit", ""),
                _format_value(fig["previous"]),
                str(fig["date"])[:10],
            )
        )
        + " |"
        for fig in latest(history)
    ]
    if run.get("errors"):
        body += ["", "Benchmarks that failed in the last run:", ""]
        body += [f"- `{name}`: {error}" for name, error in run["errors"].items()]
    if PROFILES.exists():
        body += ["", PROFILES.read_text().rstrip()]
    return "\n".join(head + body) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", help="benchmark modules to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and stop")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per benchmark")
    parser.add_argument("--no-write", action="store_true", help="do not update results/README")
    args = parser.parse_args(argv)
    available = discover()
    if args.list:
        print("\n".join(available) or "no benchmarks in bench/")
        return 0
    unknown = sorted(set(args.names) - set(available))
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; available: {available}")
    names = args.names or available
    if not names:
        print("no benchmarks in bench/: add bench/<name>.py with a run() function")
        return 1
    outcomes = []
    for name in names:
        print(f"== bench.{name}", flush=True)
        outcome = run_one(name, args.timeout)
        status = f"error: {outcome.error}" if outcome.error else f"{len(outcome.figures)} figures"
        print(f"== bench.{name}: {status} in {outcome.seconds:.1f}s", flush=True)
        outcomes.append(outcome)
    history = load_history()
    current = {"figures": [asdict(f) for o in outcomes for f in o.figures]}
    rows = table(current["figures"], previous_values(history, current))
    print()
    print(render_text(rows))
    if not args.no_write:
        record(outcomes)
        README.write_text(render_markdown(load_history()))
        print(f"\nappended to {RESULTS.relative_to(ROOT)}; latest figures in bench/README.md")
    return 1 if any(o.error for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
