"""The benchmark runner: reads the figures benchmarks return, runs each in its own process,
keeps the history and writes the README table."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest

runner: Any = importlib.import_module("bench.__main__")


@pytest.mark.parametrize(
    "raw",
    [
        [{"name": "throughput", "value": 1500.0, "unit": "events/s"}],
        {"name": "throughput", "value": 1500.0, "unit": "events/s"},
        [("throughput", 1500.0, "events/s")],
        {"throughput": {"value": 1500.0, "unit": "events/s"}},
        [{"figure": "throughput", "val": 1500.0, "units": "events/s"}],
    ],
)
def test_figures_are_read_from_every_accepted_shape(raw: object) -> None:
    (figure,) = runner.normalise("ingest", raw)
    assert (figure.bench, figure.name, figure.value, figure.unit) == (
        "ingest",
        "throughput",
        1500.0,
        "events/s",
    )


def test_extra_keys_are_kept_as_details() -> None:
    (figure,) = runner.normalise("api", [{"name": "p99", "value": 4, "unit": "ms", "n": 200}])
    assert figure.details == {"n": 200}


def test_an_unreadable_figure_is_an_error() -> None:
    with pytest.raises(TypeError):
        runner.normalise("api", [42])


def test_discovery_skips_private_modules(tmp_path: Path) -> None:
    for name in ("ingest.py", "scoring.py", "__init__.py", "__main__.py", "_helpers.py"):
        (tmp_path / name).write_text("")
    assert runner.discover(tmp_path) == ["ingest", "scoring"]


def test_a_benchmark_runs_in_its_own_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "fake_bench_ok.py").write_text(
        "import os\n"
        "def run():\n"
        "    return [{'name': 'pid', 'value': os.getpid(), 'unit': ''},\n"
        "            ('rate', 2.5, 'ops/s')]\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    outcome = runner.run_one("fake_bench_ok", timeout=120, package=None)
    assert outcome.error is None
    pid, rate = outcome.figures
    assert pid.value != __import__("os").getpid()
    assert (rate.name, rate.value, rate.unit) == ("rate", 2.5, "ops/s")


def test_a_failing_benchmark_is_reported_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "fake_bench_broken.py").write_text("def run():\n    raise ValueError('boom')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    outcome = runner.run_one("fake_bench_broken", timeout=120, package=None)
    assert outcome.figures == []
    assert outcome.error is not None
    assert "boom" in outcome.error


def _outcome(value: float) -> Any:
    return runner.Outcome("ingest", 1.0, runner.normalise("ingest", [("rate", value, "ev/s")]))


def test_runs_are_appended_and_the_readme_compares_with_the_previous(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    runner.record([_outcome(100.0)], results)
    runner.record([_outcome(120.0)], results)
    history = runner.load_history(results)
    assert [run["figures"][0]["value"] for run in history] == [100.0, 120.0]
    assert set(history[-1]) >= {"date", "machine", "commit", "figures"}
    assert json.loads(results.read_text())["runs"] == history

    (latest,) = runner.latest(history)
    assert (latest["value"], latest["previous"]) == (120.0, 100.0)
    readme = runner.render_markdown(history)
    assert "| ingest | rate | 120.0 | ev/s | 100.0 |" in readme
    assert "make bench" in readme


def test_a_figure_the_latest_run_of_its_benchmark_no_longer_gives_is_left_out() -> None:
    def run(*figures: tuple[str, str, float]) -> dict[str, Any]:
        return {
            "figures": [{"bench": b, "name": n, "value": v, "unit": "x"} for b, n, v in figures]
        }

    history = [
        run(("scoring", "rate", 3.0), ("scoring", "memory", 9.0), ("api", "rps", 5.0)),
        run(("scoring", "rate (sqlite)", 4.0), ("scoring", "memory", 8.0)),
    ]
    kept = {(f["bench"], f["name"]): (f["value"], f["previous"]) for f in runner.latest(history)}
    assert kept == {
        ("api", "rps"): (5.0, None),  # not run since: still the latest figure
        ("scoring", "memory"): (8.0, 9.0),
        ("scoring", "rate (sqlite)"): (4.0, None),  # "rate" is retired
    }


def test_history_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "KEEP_RUNS", 3)
    results = tmp_path / "results.json"
    for value in range(5):
        runner.record([_outcome(float(value))], results)
    assert [run["figures"][0]["value"] for run in runner.load_history(results)] == [2.0, 3.0, 4.0]


def test_a_timeout_inside_a_benchmark_is_its_own_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "fake_bench_waits.py").write_text(
        "def run():\n    raise TimeoutError('server never answered')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    outcome = runner.run_one("fake_bench_waits", timeout=120, package=None)
    assert outcome.error is not None
    assert "server never answered" in outcome.error
    assert "timed out after" not in outcome.error
