"""Batches split into lanes by person, and how many lanes each database gets."""

from __future__ import annotations

from services.scoring.bootstrap import DEFAULT_POSTGRES_LANES, lanes_for
from services.scoring.scorer import Batch, split_by_person
from tests.integration.scoring.conftest import activity


def test_each_person_lands_in_one_lane_and_nothing_is_lost() -> None:
    batch = Batch(
        activities=[activity(f"p-{n % 37}", 1 + n % 20) for n in range(400)],
        redelivered={"p-3", "p-11", "p-nobody-yet"},
    )
    parts = split_by_person(batch, 3)

    assert 1 < len(parts) <= 3
    lanes_of: dict[str, set[int]] = {}
    for lane, part in enumerate(parts):
        for event in part.activities:
            lanes_of.setdefault(event.data.person, set()).add(lane)
        for person in part.redelivered:
            lanes_of.setdefault(person, set()).add(lane)
    assert all(len(lanes) == 1 for lanes in lanes_of.values())
    assert sorted(e.id for p in parts for e in p.activities) == sorted(
        e.id for e in batch.activities
    )
    assert set().union(*(p.redelivered for p in parts)) == batch.redelivered
    # A person's signals keep their order within the lane.
    for part in parts:
        for person in {e.data.person for e in part.activities}:
            mine = [e.id for e in part.activities if e.data.person == person]
            assert mine == [e.id for e in batch.activities if e.data.person == person]


def test_the_split_is_the_same_every_time() -> None:
    batch = Batch(activities=[activity(f"p-{n}", 2) for n in range(50)])
    first = [[e.id for e in p.activities] for p in split_by_person(batch, 2)]
    again = [[e.id for e in p.activities] for p in split_by_person(batch, 2)]
    assert first == again


def test_sqlite_gets_one_lane_whatever_is_asked() -> None:
    assert lanes_for("sqlite", None) == 1
    assert lanes_for("sqlite", 4) == 1
    assert lanes_for("postgresql", None) == DEFAULT_POSTGRES_LANES
    assert lanes_for("postgresql", 3) == 3
