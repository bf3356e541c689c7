"""Interaction timelines: every prompt and answer of many people at once, vectorised.

A person's prompts on a day in an app come from the cached prompt counts
(:mod:`services.sandbox.prompts`); everything about prompt ``n`` of such a cell
(its minute, the answer's delay, request id and text) and the cell's session
are counter-based hashes of (seed, person, day, app, n), as in
:mod:`services.sandbox.adoption`. So a person's timeline is the same whether it
is computed alone or with nineteen others in a ``$batch``, and any window or
page of it can be produced on its own.
"""

from __future__ import annotations

import base64
import datetime as dt
import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from services.sandbox.adoption import APPS, _mix, hashes
from services.sandbox.odata_filter import Window
from services.sandbox.organisation import Person
from services.sandbox.state import SandboxState

DAY_MS = 86_400_000
FIRST_PROMPT_MS = (7 * 60 + 30) * 60_000  # 07:30 UTC
WORKING_DAY_MS = 10 * 3_600_000
EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
PROMPT_TEXTS = 8  # prompts are picked from this many texts
SEGMENT = np.int64(1 << 44)  # more than any millisecond timestamp: keeps people apart
_VERSION = np.uint64(0xFFFF_FFFF_FFFF_0FFF)
_VARIANT = np.uint64(0x3FFF_FFFF_FFFF_FFFF)

Ints = npt.NDArray[np.int64]


@dataclass
class Timeline:
    """One person's interactions in a window, oldest first, as parallel lists.

    Item ``k`` is a prompt when ``kinds[k] == 0`` and its answer when 1; ``cells[k]``
    indexes ``apps`` and ``sessions``, ``prompts[k]`` indexes ``request_ids`` and
    ``texts``. ``millis`` (UTC milliseconds since 1970) are unique per person:
    they are the items' ids.
    """

    millis: list[int]
    kinds: list[int]
    cells: list[int]
    prompts: list[int]
    apps: list[int]
    sessions: list[str]
    request_ids: list[str]
    texts: list[int]

    def __len__(self) -> int:
        return len(self.millis)


EMPTY = Timeline([], [], [], [], [], [], [], [])


def _derive(h: npt.NDArray[np.uint64], stream: int) -> npt.NDArray[np.uint64]:
    """Another independent hash from ``h`` (one more splitmix round)."""
    with np.errstate(over="ignore"):
        return _mix(h ^ np.uint64(0x9E3779B97F4A7C15 * (stream + 1) & 0xFFFF_FFFF_FFFF_FFFF))


def micros(moment: dt.datetime) -> int:
    return (moment - EPOCH) // dt.timedelta(microseconds=1)


def _bound(moment: dt.datetime, inclusive: bool, lower: bool) -> int:
    """The first (``lower``) or last millisecond a filter bound admits."""
    at = micros(moment)
    if lower:
        first = -(-at // 1000)  # ceiling
        return first + 1 if not inclusive and first * 1000 == at else first
    last = at // 1000
    return last - 1 if not inclusive and last * 1000 == at else last


def timelines(
    state: SandboxState, asks: list[tuple[Person, Window]], app_classes: list[str]
) -> list[Timeline]:
    """The timeline of each (person, window); ``app_classes[a]`` is the appClass of APPS[a]."""
    history = state.org.history_start
    seed = state.settings.seed
    now = micros(state.now()) // 1000
    lows: list[int] = []
    highs: list[int] = []
    allowed = np.ones((len(asks), len(APPS)), dtype=bool)
    # asks over the same days are read from the counts in one go
    spans: dict[tuple[int, int], list[int]] = {}
    for ask, (person, window) in enumerate(asks):
        first = history if window.after is None else max(history, window.after.date())
        last = state.data_date
        if window.before is not None:
            last = min(last, window.before.date())
        lows.append(
            -1 if window.after is None else _bound(window.after, window.after_inclusive, True)
        )
        high = (
            now if window.before is None else _bound(window.before, window.before_inclusive, False)
        )
        highs.append(min(now, high))
        if window.app_class:
            wanted = window.app_class.lower()
            allowed[ask] = [c.lower() == wanted for c in app_classes]
        if last >= first and person.licensed:
            spans.setdefault(((first - history).days, (last - history).days + 1), []).append(ask)
    parts: list[tuple[Ints, Ints, Ints, Ints, Ints]] = []
    for (start, stop), members in spans.items():
        grids = np.stack(
            [
                state.prompt_counts.of(asks[m][0].index, state.data_date, start)[: stop - start]
                for m in members
            ]
        )
        member, day, app = np.nonzero(grids)
        owner = np.asarray(members, dtype=np.int64)[member]
        index = np.asarray([asks[m][0].index for m in members], dtype=np.int64)[member]
        ordinal = day.astype(np.int64) + (history.toordinal() + start)
        parts.append(
            (index, ordinal, app.astype(np.int64), grids[member, day, app].astype(np.int64), owner)
        )
    if not parts or not sum(len(part[0]) for part in parts):
        return [EMPTY for _ in asks]
    cell_person, cell_ord, cell_app, cell_count, cell_owner = (
        np.concatenate([part[i] for part in parts]) for i in range(5)
    )

    # sessions: 30 hash bytes per cell, base64 (30 bytes are 40 characters, so one
    # encoding of all cells splits evenly)
    keys = (cell_person, cell_ord, cell_app)
    root = hashes(seed, 40, *keys)
    raw = np.stack([_derive(root, i) for i in range(4)], axis=1).astype(">u8")
    text = base64.urlsafe_b64encode(raw.view(np.uint8)[:, :30].tobytes()).decode()
    sessions = [f"19:{text[i : i + 40]}@thread.v2" for i in range(0, len(text), 40)]

    # prompts: n = 0 .. count-1 within each cell
    cell_of = np.repeat(np.arange(len(cell_count)), cell_count)
    starts = np.cumsum(cell_count) - cell_count
    n = np.arange(len(cell_of)) - starts[cell_of]
    prompt_keys = (cell_person[cell_of], cell_ord[cell_of], cell_app[cell_of], n)
    h = hashes(seed, 44, *prompt_keys)
    asked = (
        (cell_ord[cell_of] - EPOCH_ORDINAL) * DAY_MS
        + FIRST_PROMPT_MS
        + (h % np.uint64(WORKING_DAY_MS)).astype(np.int64)
    )
    answered = asked + 2000 + ((h >> np.uint64(32)) % np.uint64(23000)).astype(np.int64)
    texts = ((h >> np.uint64(56)) % np.uint64(PROMPT_TEXTS)).astype(np.int64)
    ids = np.stack(
        [
            _derive(h, 5) & _VERSION | np.uint64(0x4000),
            _derive(h, 6) & _VARIANT | np.uint64(1 << 63),
        ],
        axis=1,
    ).astype(">u8")
    hexes = ids.tobytes().hex()
    request_ids = [
        f"{hexes[i : i + 8]}-{hexes[i + 8 : i + 12]}-{hexes[i + 12 : i + 16]}-"
        f"{hexes[i + 16 : i + 20]}-{hexes[i + 20 : i + 32]}"
        for i in range(0, len(hexes), 32)
    ]

    # items: each prompt and its answer, per person in time order (answers first on a tie)
    prompt_of = np.concatenate([np.arange(len(asked)), np.arange(len(asked))])
    millis = np.concatenate([asked, answered])
    kinds = np.concatenate([np.zeros(len(asked), np.int64), np.ones(len(asked), np.int64)])
    owner = cell_owner[cell_of][prompt_of]
    order = np.lexsort((1 - kinds, millis, owner))
    millis, kinds, prompt_of, owner = millis[order], kinds[order], prompt_of[order], owner[order]
    # ids are unique per person: a tie moves the later item one millisecond on
    position = np.arange(len(millis), dtype=np.int64)
    shifted = np.maximum.accumulate(millis - position + owner * SEGMENT) - owner * SEGMENT
    millis = shifted + position
    cells = cell_of[prompt_of]
    keep = (
        (millis >= np.asarray(lows)[owner])
        & (millis <= np.asarray(highs)[owner])
        & allowed[owner, cell_app[cells]]
    )
    millis, kinds, prompt_of, owner, cells = (
        millis[keep],
        kinds[keep],
        prompt_of[keep],
        owner[keep],
        cells[keep],
    )
    bounds = np.searchsorted(owner, np.arange(len(asks) + 1)).tolist()
    app_list, text_list = cell_app.tolist(), texts.tolist()
    every = (millis.tolist(), kinds.tolist(), cells.tolist(), prompt_of.tolist())
    return [
        Timeline(
            every[0][a:b],
            every[1][a:b],
            every[2][a:b],
            every[3][a:b],
            app_list,
            sessions,
            request_ids,
            text_list,
        )
        for a, b in itertools.pairwise(bounds)
    ]
