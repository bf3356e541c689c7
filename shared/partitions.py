"""Partitions of the people: what lets several scoring replicas share SIGNALS.

Every fact about a person travels on its kind's subject with the person's
partition appended (``signals.copilot.activity.7``), so one replica can read a
share of the partitions through its own durable consumer, and a batch message
holds one partition's people only. The partition is a pure function of the
person's pseudonym and never changes, so a person's facts always meet in one
partition, whichever replica reads it.

Subjects without a person (unattributed report facts) and messages published
before partitions existed keep the bare subject; the replica that owns
partition 0 reads those as well.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

PARTITIONS = 16  # replicas beyond this number would have nothing to read

# Kinds of facts that name a person, hence travel partitioned.
PARTITIONED = frozenset(
    {
        "signals.copilot.activity",
        "signals.directory.person",
        "signals.recognition.granted",
        "signals.recognition.revoked",
    }
)


def partition_of(person: str) -> int:
    """The partition of a pseudonym (or any person key), stable across processes."""
    return zlib.crc32(person.encode()) % PARTITIONS


def subject_for(base: str, person: str) -> str:
    """Where a fact of kind ``base`` about ``person`` is published."""
    return f"{base}.{partition_of(person)}" if base in PARTITIONED else base


def base_of(subject: str) -> str:
    """The kind of a subject, partitioned or not: ``signals.copilot.activity.7`` ->
    ``signals.copilot.activity``."""
    head, _, last = subject.rpartition(".")
    return head if last.isdigit() and head in PARTITIONED else subject


def stream_subjects(bases: Iterable[str]) -> tuple[str, ...]:
    """The stream subjects for ``bases``: each bare, and partitioned where it names a person."""
    out: list[str] = []
    for base in bases:
        out.append(base)
        if base in PARTITIONED:
            out.append(f"{base}.*")
    return tuple(out)


def owned(index: int, replicas: int) -> tuple[int, ...]:
    """The partitions replica ``index`` of ``replicas`` reads: every ``replicas``-th one."""
    if not 0 <= index < replicas:
        raise ValueError(f"replica {index} of {replicas}")
    return tuple(p for p in range(PARTITIONS) if p % replicas == index)


def filter_subjects(bases: Iterable[str], partitions: Iterable[int]) -> list[str]:
    """A consumer's filter for ``partitions`` of ``bases``; partition 0 brings the bare
    subjects (facts without a person, and messages from before partitions)."""
    chosen = sorted(set(partitions))
    out: list[str] = []
    for base in bases:
        if base not in PARTITIONED:
            if 0 in chosen:
                out.append(base)
            continue
        if len(chosen) == PARTITIONS:
            out += [base, f"{base}.*"]
            continue
        if 0 in chosen:
            out.append(base)
        out += [f"{base}.{p}" for p in chosen]
    return out
