"""Interaction timelines: the same alone or in a batch, ordered, unique, in the window."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from services.sandbox.interactions import CLASSES, history_pages
from services.sandbox.odata_filter import parse_filter
from services.sandbox.settings import SandboxSettings
from services.sandbox.state import SandboxState, build_state
from services.sandbox.timelines import timelines

END = dt.date(2025, 6, 18)


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> SandboxState:
    folder: Path = tmp_path_factory.mktemp("sandbox")
    return build_state(SandboxSettings(dir=folder, people=80, weeks=6, end_date=END))


def test_a_timeline_is_the_same_alone_and_among_others(state: SandboxState) -> None:
    window = parse_filter("createdDateTime ge 2025-05-01T00:00:00Z")
    other = parse_filter(
        "createdDateTime ge 2025-06-01T00:00:00Z and createdDateTime lt 2025-06-10T00:00:00Z"
    )
    people = [p for p in state.org.people if p.licensed][:12]
    asks = [(p, window if n % 2 else other) for n, p in enumerate(people)]
    together = timelines(state, asks, CLASSES)
    for ask, line in zip(asks, together, strict=True):
        [alone] = timelines(state, [ask], CLASSES)
        assert alone.millis == line.millis and alone.kinds == line.kinds
        assert [alone.request_ids[p] for p in alone.prompts] == [
            line.request_ids[p] for p in line.prompts
        ]
        assert [alone.sessions[c] for c in alone.cells] == [line.sessions[c] for c in line.cells]
    busy = max(together, key=len)
    assert len(busy) > 10
    assert busy.millis == sorted(set(busy.millis))  # oldest first, ids unique
    assert busy.kinds.count(0) == busy.kinds.count(1)  # every prompt has its answer


def test_the_window_bounds_are_kept_to_the_millisecond(state: SandboxState) -> None:
    person = next(p for p in state.org.people if p.licensed)
    [whole] = timelines(state, [(person, parse_filter(""))], CLASSES)
    cut = whole.millis[len(whole) // 2]
    at = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(milliseconds=cut)
    moment = at.isoformat().replace("+00:00", "Z")
    [after] = timelines(state, [(person, parse_filter(f"createdDateTime gt {moment}"))], CLASSES)
    [since] = timelines(state, [(person, parse_filter(f"createdDateTime ge {moment}"))], CLASSES)
    assert after.millis == [m for m in whole.millis if m > cut]
    assert since.millis == [m for m in whole.millis if m >= cut]


def test_pages_of_many_people_answer_each_on_its_own(state: SandboxState) -> None:
    person = next(p for p in state.org.people if p.licensed)
    answers = history_pages(
        state,
        [
            (person.id, {"$top": "5"}, "https://sandbox/v1.0/x"),
            ("nobody", {}, "https://sandbox/v1.0/y"),
            (person.id, {"$filter": "body eq 'x'"}, "https://sandbox/v1.0/z"),
        ],
    )
    assert [status for status, _, _ in answers] == [200, 404, 400]
    assert b"@odata.nextLink" in answers[0][2]
