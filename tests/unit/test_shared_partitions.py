"""Partitions of the people, replicas' shares of them, and batches packed per partition."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from services.scoring import replicas
from shared import partitions
from shared.bus import EncodedEvent, batched
from shared.streams import SIGNAL_KINDS

people = st.text(min_size=1, max_size=20)


@given(people)
def test_a_person_always_has_the_same_partition_and_subject(person: str) -> None:
    partition = partitions.partition_of(person)
    assert 0 <= partition < partitions.PARTITIONS
    subject = partitions.subject_for("signals.copilot.activity", person)
    assert subject == f"signals.copilot.activity.{partition}"
    assert partitions.base_of(subject) == "signals.copilot.activity"
    # Facts about nobody keep their subject.
    assert partitions.subject_for("signals.copilot.unattributed", person) == (
        "signals.copilot.unattributed"
    )


@given(st.integers(1, partitions.PARTITIONS))
def test_replicas_share_every_partition_exactly_once(count: int) -> None:
    owners = [p for i in range(count) for p in partitions.owned(i, count)]
    assert sorted(owners) == list(range(partitions.PARTITIONS))
    # ... and so every subject of SIGNALS, the bare ones going with partition 0.
    filters = [f for i in range(count) for f in replicas.Assignment(i, count).filter_subjects()]
    assert len(filters) == len(set(filters))
    assert set(SIGNAL_KINDS) <= set(filters)
    for kind in partitions.PARTITIONED:
        for partition in range(partitions.PARTITIONS):
            assert f"{kind}.{partition}" in filters or f"{kind}.*" in filters


@given(st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=20, unique=True), people)
def test_each_live_replica_has_one_place_and_places_are_distinct(names: list[str], me: str) -> None:
    live = sorted(set(names) | {me})
    places = [replicas.place(live, name) for name in live]
    taken = [p for p in places if p is not None]
    assert len({(p.index, p.replicas) for p in taken}) == len(taken)
    assert len(taken) == min(len(live), partitions.PARTITIONS)
    assert all(p.replicas == len(taken) for p in taken)


def info(name: str, floor: int) -> Any:
    return SimpleNamespace(name=name, ack_floor=SimpleNamespace(stream_seq=floor))


def test_a_new_durable_starts_at_the_lowest_floor_over_its_partitions() -> None:
    old = [info("scoring-0-of-2", 100), info("scoring-1-of-2", 40), info("notify-awards", 5)]
    mine = replicas.Assignment(0, 4).partitions()  # 0, 4, 8, 12: all of scoring-0-of-2
    assert replicas.start_after(old, "scoring", mine) == 100
    every = replicas.Assignment(0, 1).partitions()
    assert replicas.start_after(old, "scoring", every) == 40
    # Where a partition is read by two durables, the furthest one has scored it.
    assert replicas.start_after([*old, info("scoring", 70)], "scoring", every) == 70
    # A partition nobody read starts from the beginning.
    assert replicas.start_after([info("scoring-0-of-2", 100)], "scoring", every) == 0


def event(subject: str, n: int) -> EncodedEvent:
    return EncodedEvent(subject, f"id-{n}", "copilot.activity", b'{"n":%d}' % n)


@given(
    st.lists(st.integers(0, 5), max_size=300),
    st.integers(1, 20),
)
def test_interleaved_partitions_are_packed_each_into_full_batches(
    subjects: list[int], size: int
) -> None:
    events = [event(f"signals.copilot.activity.{s}", n) for n, s in enumerate(subjects)]
    messages = list(batched(events, max_events=size))
    # Every event once, in its subject's order; one subject per message; no message
    # short of full but the last of its subject.
    for s in set(subjects):
        subject = f"signals.copilot.activity.{s}"
        mine = [m for m in messages if m.subject == subject]
        bodies = b"".join(m.body[1:-1] + b"," for m in mine)
        assert bodies == b"".join(e.body + b"," for e in events if e.subject == subject)
        assert all(m.held == size for m in mine[:-1])
    assert sum(m.held for m in messages) == len(events)
