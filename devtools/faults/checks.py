"""The three invariants a scenario must keep, each compared against what a clean run gives.

- Ledger: the same signal keys, the same points per person and day (which signal a
  daily cap cuts depends on order, the day's sum does not) and the same badges and
  levels (person, kind, ref, title), counted as multisets.
- Boards: Redis equals a rebuild of every board from the ledger, byte for byte
  (sorted sets and their "total:tick" hashes), rebuilt into another Redis database.
- Cards: each badge and level of the clean ledger reached the Teams webhook exactly
  once, matched by the text notify writes for it (its event id is derived from the
  same ledger key).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.notify.texts import t
from services.scoring import projection
from services.scoring.boards import STATE_PREFIX
from services.scoring.rulebook import Rulebook
from shared.leaderboards import KEY_PREFIX

HELD_KINDS = ("badge", "level")
PersonDay = tuple[str, str]
Held = tuple[str, str, str, str]  # person, kind, ref, title


@dataclass
class Ledger:
    """A ledger in a form that does not depend on the order signals were scored in."""

    rows: int = 0
    signal_keys: set[str] = field(default_factory=set)
    per_day: Counter[PersonDay] = field(default_factory=Counter)
    held: Counter[Held] = field(default_factory=Counter)


async def read_ledger(engine: AsyncEngine) -> Ledger:
    ledger = Ledger()
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT person, key, kind, day, points, ref, title FROM scoring_ledger")
        )
        for person, key, kind, day, points, ref, title in rows:
            ledger.rows += 1
            if kind == "points":
                ledger.signal_keys.add(key)
                ledger.per_day[(person, str(day))] += points
            elif kind in HELD_KINDS:
                ledger.held[(person, kind, ref or "", title or "")] += 1
    return ledger


@dataclass
class Difference:
    """Lost and doubled counts of one invariant, with a few examples of each."""

    lost: int = 0
    doubled: int = 0
    examples: list[str] = field(default_factory=list)

    def note(self, what: str) -> None:
        if len(self.examples) < 5:
            self.examples.append(what)

    @property
    def clean(self) -> bool:
        return self.lost == 0 and self.doubled == 0


def compare_counts(expected: Counter[Any], found: Counter[Any], what: str) -> Difference:
    diff = Difference()
    for item in expected.keys() | found.keys():
        gap = expected[item] - found[item]
        if gap > 0:
            diff.lost += gap
            diff.note(f"{what} missing: {item}")
        elif gap < 0:
            diff.doubled -= gap
            diff.note(f"{what} extra: {item} x{-gap}")
    return diff


def compare_ledgers(clean: Ledger, run: Ledger) -> Difference:
    diff = compare_counts(Counter(clean.signal_keys), Counter(run.signal_keys), "signal")
    for part in (compare_counts(clean.held, run.held, "award"), _compare_days(clean, run)):
        diff.lost += part.lost
        diff.doubled += part.doubled
        for example in part.examples:
            diff.note(example)
    return diff


def _compare_days(clean: Ledger, run: Ledger) -> Difference:
    """Person-days with fewer points (lost) or more (doubled) than the clean run's."""
    diff = Difference()
    for day in clean.per_day.keys() | run.per_day.keys():
        expected, found = clean.per_day.get(day, 0), run.per_day.get(day, 0)
        if found < expected:
            diff.lost += 1
            diff.note(f"points of {day}: {found} instead of {expected}")
        elif found > expected:
            diff.doubled += 1
            diff.note(f"points of {day}: {found} instead of {expected}")
    return diff


async def snapshot_boards(redis: Redis) -> dict[str, Any]:
    """Every board's sorted set and its state hash."""
    out: dict[str, Any] = {}
    async for raw in redis.scan_iter(match=f"{KEY_PREFIX}:*", count=1000):
        key = raw.decode() if isinstance(raw, bytes) else str(raw)
        out[key] = await redis.zrange(key, 0, -1, withscores=True)
    async for raw in redis.scan_iter(match=f"{STATE_PREFIX}*", count=1000):
        key = raw.decode() if isinstance(raw, bytes) else str(raw)
        out[key] = await redis.hgetall(key)
    return out


async def compare_boards(engine: AsyncEngine, live: Redis, scratch: Redis) -> Difference:
    """Live boards against a rebuild from the ledger into ``scratch`` (another database)."""
    await scratch.flushdb()
    async with engine.connect() as conn:
        active = await Rulebook().current(conn)
    await projection.rebuild(engine, scratch, active)
    expected, found = await snapshot_boards(scratch), await snapshot_boards(live)
    await scratch.flushdb()
    diff = Difference()
    for key in expected.keys() | found.keys():
        if key not in found:
            diff.lost += 1
            diff.note(f"board {key} missing")
        elif key not in expected:
            diff.doubled += 1
            diff.note(f"board {key} not in the rebuild")
        elif expected[key] != found[key]:
            wrong = _entries_differing(expected[key], found[key])
            diff.lost += wrong
            diff.note(f"board {key}: {wrong} entries differ")
    return diff


def _entries_differing(expected: Any, found: Any) -> int:
    left = dict(expected) if not isinstance(expected, dict) else expected
    right = dict(found) if not isinstance(found, dict) else found
    return sum(1 for k in left.keys() | right.keys() if left.get(k) != right.get(k))


async def teams_of(engine: AsyncEngine) -> dict[str, str | None]:
    async with engine.connect() as conn:
        rows = await conn.execute(text("SELECT person, team FROM person"))
        return {person: team for person, team in rows}


@dataclass(frozen=True)
class Card:
    """A badge or level card: its award's title and the team it names (None: nobody)."""

    kind: str
    title: str
    team: str | None

    def told(self) -> str:
        return f"{self.kind} {self.title!r} of {self.team or 'a colleague'}"


def card_text(kind: str, ref: str, title: str, team: str | None) -> str:
    """The sentence notify's English card says for this award (nobody opted in)."""
    values: dict[str, object] = {"title": title}
    if kind == "level":
        values["level"] = int(ref)
    form = "team" if team else "anonymous"
    return t(f"{kind}.{form}", "en", team=team, **values)


def expected_cards(
    clean: Ledger, teams: dict[str, str | None]
) -> tuple[Counter[Card], dict[str, Card]]:
    """The cards the clean ledger's badges and levels call for, and what each sentence
    a card may say stands for (with the team, and with nobody named)."""
    expected: Counter[Card] = Counter()
    sentences: dict[str, Card] = {}
    for (person, kind, ref, title), count in clean.held.items():
        team = teams.get(person)
        expected[Card(kind, title, team)] += count
        sentences[card_text(kind, ref, title, team)] = Card(kind, title, team)
        sentences[card_text(kind, ref, title, None)] = Card(kind, title, None)
    return expected, sentences


def received_cards(posts: list[dict[str, Any]], sentences: dict[str, Card]) -> Counter[Card]:
    """Each posted card by its sentence (the text block after the heading)."""
    found: Counter[Card] = Counter()
    for post in posts:
        texts = [b.get("text", "") for b in post["card"]["body"] if b.get("type") == "TextBlock"]
        sentence = texts[1] if len(texts) > 1 else " | ".join(texts)
        found[sentences.get(sentence) or Card("unexpected", sentence, None)] += 1
    return found


def match_cards(expected: Counter[Card], found: Counter[Card]) -> Difference:
    """Cards matched to awards; a card naming no team matches an award of any team.

    Which team a card names is the award's membership when scoring decided it: a
    person's directory fact redelivered after their first signals leaves them
    teamless for a moment, which is no loss.
    """
    missing = expected - found
    extra = found - expected
    anonymous = Counter({c: n for c, n in extra.items() if c.team is None})
    for card, count in sorted(missing.items(), key=lambda item: item[0].told()):
        stand_in = Card(card.kind, card.title, None)
        taken = min(count, anonymous[stand_in])
        if taken:
            anonymous[stand_in] -= taken
            extra[stand_in] -= taken
            missing[card] -= taken
    diff = Difference()
    for card, count in sorted((+missing).items(), key=lambda item: item[0].told()):
        diff.lost += count
        diff.note(f"card missing: {card.told()}")
    for card, count in sorted((+extra).items(), key=lambda item: item[0].told()):
        diff.doubled += count
        diff.note(f"card extra: {card.told()} x{count}")
    return diff
