"""Prompt counts per person, day and app, computed for a chunk of people at once and kept.

The activity model is vectorised: one call for a thousand people costs about
what a call for one person does. Interaction history asks for one person at a
time, so counts are computed for the person's whole chunk over the whole
history and kept until the data date moves (at most one byte per person, day
and app: 37 MB for 50,000 people over 13 weeks).
"""

from __future__ import annotations

import datetime as dt
import threading

import numpy as np
import numpy.typing as npt

from services.sandbox.adoption import ActivityModel

CHUNK = 1024
Counts = npt.NDArray[np.uint8]


class PromptCounts:
    def __init__(self, model: ActivityModel, start: dt.date, people: int) -> None:
        self.model = model
        self.start = start
        self.people = people
        self._until: dt.date | None = None
        # per chunk: the first day held (days since ``start``) and the counts from there on
        self._chunks: dict[int, tuple[int, Counts]] = {}
        self._lock = threading.Lock()

    def of(self, index: int, until: dt.date, first: int = 0) -> Counts:
        """Prompts of person ``index`` per [day, app], from day ``first`` (days since the
        history start) up to ``until``. A chunk is computed from the earliest day asked
        for: a week's window costs a week, not the whole history."""
        days = (until - self.start).days + 1
        first = max(0, first)
        if days <= first:
            return np.zeros((0, len(self.model.pref[0])), dtype=np.uint8)
        chunk = index // CHUNK
        with self._lock:
            if until != self._until:
                self._chunks.clear()
                self._until = until
            held = self._chunks.get(chunk)
            if held is None or held[0] > first:
                people = np.arange(
                    chunk * CHUNK, min((chunk + 1) * CHUNK, self.people), dtype=np.int64
                )
                begin = self.start + dt.timedelta(days=first)
                block = self.model.block(people, begin, days - first)
                counts = np.minimum(self.model.prompt_counts(block, people), 255).astype(np.uint8)
                held = self._chunks[chunk] = (first, counts)
        offset, counts = held
        mine: Counts = counts[index - chunk * CHUNK, first - offset :]
        return mine
