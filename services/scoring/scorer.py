"""The batch handler: a batch of signals in, one ledger transaction, one board update, awards out.

Signals are stored first (their event id is their identity), so a redelivered
or re-ingested event finds itself already stored and pays nothing. The rules in
force are read after the signals are written, which makes a batch wait for a
rule publication in progress and then score under the new version.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from nats.js import JetStreamContext
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.scoring import boards, challenges, privacy_boards, projection, replicas
from services.scoring.announcements import announce, announce_held, announce_points
from services.scoring.board_gate import BoardGate
from services.scoring.domain.boards import (
    BoardDelta,
    Fact,
    Group,
    Seen,
    contribute,
    seen_from_history,
)
from services.scoring.domain.engine import rejudge, score
from services.scoring.domain.model import Award, AwardKind, Signal
from services.scoring.domain.recognition import GRANTED, Grant, grant_awards, ledger_key
from services.scoring.live_boards import LiveBoards
from services.scoring.rulebook import ActiveRules, Rulebook
from services.scoring.signals import Activity, to_signal
from services.scoring.store import directory, ledger, usage
from services.scoring.store import recognition as recognition_store
from shared import partitions, suppression
from shared.events import (
    ChallengeCompleted,
    CloudEvent,
    DirectoryPerson,
    RecognitionGranted,
    RecognitionRevoked,
)
from shared.logs import get_logger
from shared.periods import today as org_today

log = get_logger(__name__)

SIZES_TTL = 5.0  # seconds
CHALLENGE_CHECK_SECONDS = 60.0


Recognition = RecognitionGranted | RecognitionRevoked


@dataclass
class Batch:
    activities: list[Activity] = field(default_factory=list)
    people: list[DirectoryPerson] = field(default_factory=list)
    redelivered: set[str] = field(default_factory=set)  # persons whose message came again
    # Grants and revocations of points outside Copilot usage.
    recognition: list[CloudEvent[Recognition]] = field(default_factory=list)
    # Persons whose message another replica may have had (services.scoring.replicas):
    # treated as redelivered where their signals turn out to be stored already.
    maybe_seen: set[str] = field(default_factory=set)

    def persons(self) -> set[str]:
        return (
            {str(e.data.person) for e in self.activities}
            | {p.person for p in self.people}
            | {e.data.person for e in self.recognition}
        )

    def without(self, erased: set[str]) -> Batch:
        """The batch less the events of erased people (see ``shared.suppression``)."""
        return Batch(
            [e for e in self.activities if str(e.data.person) not in erased],
            [p for p in self.people if p.person not in erased],
            self.redelivered - erased,
            [e for e in self.recognition if e.data.person not in erased],
            self.maybe_seen - erased,
        )


@dataclass(slots=True)
class Recognised:
    """What a batch's grants and revocations wrote to the ledger."""

    awards: list[Award] = field(default_factory=list)  # new rows, granted and compensating
    quiet: set[str] = field(default_factory=set)  # keys of granted rows already revoked
    triggers: dict[str, str] = field(default_factory=dict)  # person -> an event that moved them


@dataclass
class Outcome:
    new_signals: int = 0
    awards: list[Award] = field(default_factory=list)
    board_entries: int = 0
    announced: int = 0


@dataclass(slots=True)
class BoardPart:
    """What one batch adds to the boards: its paid points, and where they go."""

    facts: list[Fact]
    groups: dict[str, Group]
    seen: Seen


@dataclass
class Staged:
    """Batches whose ledger transactions have committed; boards and awards still to do.

    Board sums are worked out when settling, not when staging, so that the next
    batch's ledger transaction already runs meanwhile.
    """

    active: ActiveRules
    new_signals: int
    awards: list[Award]
    parts: list[BoardPart]
    affected: directory.Affected
    redelivered: set[str]
    members: dict[str, directory.Membership]
    totals: dict[str, int]
    retold: list[Award] = field(default_factory=list)  # announced before, announced again

    def absorb(self, later: Staged) -> None:
        """Take in a later batch staged under the same rules: they settle as one."""
        if later.active.version != self.active.version:
            raise ValueError("only batches staged under one rule set combine")
        self.active = later.active
        self.new_signals += later.new_signals
        self.awards += later.awards
        self.parts += later.parts
        self.affected.people |= later.affected.people
        self.affected.teams |= later.affected.teams
        self.affected.departments |= later.affected.departments
        self.redelivered |= later.redelivered
        self.members.update(later.members)
        self.totals.update(later.totals)
        self.retold += later.retold

    def delta(self) -> BoardDelta:
        """The board changes of all batches, in staging order: an entry touched twice is
        written once."""
        delta = BoardDelta()
        for part in self.parts:
            contribute(part.facts, self.active.rules, part.groups, part.seen, delta)
        return delta


class LanesFailed(Exception):
    """A lane of a batch failed; ``committed`` holds the lanes whose transactions did not."""

    def __init__(self, error: Exception, committed: list[Staged]) -> None:
        super().__init__(str(error))
        self.error = error
        self.committed = committed


class Scorer:
    def __init__(
        self,
        engine: AsyncEngine,
        redis: Redis,
        js: JetStreamContext | None,
        tz: ZoneInfo,
        rulebook: Rulebook | None = None,
        announce_points: bool = True,
        lanes: int = 1,
        replicated: bool = False,
    ) -> None:
        self.engine = engine
        self.redis = redis
        self.js = js
        self.tz = tz
        self.rulebook = rulebook or Rulebook()
        self.announce_points = announce_points
        self.lanes = lanes
        self._board_version: int | None = None
        self._sizes: directory.GroupSizes | None = None
        self._sizes_at = 0.0
        self._challenges_checked = 0.0
        self.live = LiveBoards(redis)
        self.gate = BoardGate(engine)
        # Among replicas, another one's directory change must reach this one's divisors
        # before its next delta: sizes are counted in every ledger transaction then.
        self.sizes_ttl = 0.0 if replicated else SIZES_TTL

    async def handle(self, batch: Batch) -> Outcome:
        """Score a batch completely: ledger, boards, announcements."""
        return await self.settle(await self.stage(batch))

    async def stage_all(self, batch: Batch) -> list[Staged]:
        """Stage ``batch`` in up to ``lanes`` concurrent transactions, split by person.

        While one lane's statements run in the database, the event loop does
        the Python work of another. A person's signals all go to one lane, so
        no two transactions read or write the same person's rows. Directory
        facts (rare, and changing team sizes) are staged in one transaction.
        Every lane is waited for. When one failed, :class:`LanesFailed` says so
        and carries the lanes that committed: they must still be settled, as a
        retry finds their signals stored and pays (and tells) nothing again.
        Lanes come back in rule-set order: a publication can come between two
        lanes, and settling the older rules last would rebuild boards under them.
        """
        parts = [] if self.lanes == 1 or batch.people else split_by_person(batch, self.lanes)
        if len(parts) < 2:
            return [await self.stage(batch)]  # also a batch of nothing: its messages get acked
        results = await asyncio.gather(
            *(self.stage(part) for part in parts), return_exceptions=True
        )
        committed = sorted(
            (r for r in results if isinstance(r, Staged)), key=lambda staged: staged.active.version
        )
        for result in results:
            if isinstance(result, Exception):
                raise LanesFailed(result, committed) from result
            if isinstance(result, BaseException):
                raise result
        return committed

    async def stage(self, batch: Batch) -> Staged:
        """The ledger part: one transaction; afterwards the batch is recorded exactly once.

        Batches staged under the same rules can be settled together (see
        :meth:`Staged.absorb`).
        """
        async with self.engine.begin() as conn:
            # Under the erasure lock: a person erased before this commit stays out of it.
            await suppression.hold(conn)
            await replicas.hold_partitions(conn, batch.persons())
            if erased := await suppression.among(conn, batch.persons()):
                batch = batch.without(erased)
            unique = {e.id: to_signal(e, self.tz) for e in batch.activities}
            sources = {e.id: str(e.data.source) for e in batch.activities}
            affected = await directory.upsert_people(conn, batch.people)
            new_ids = await ledger.insert_signals(conn, list(unique.values()), sources)
            if batch.maybe_seen:
                stored = {unique[i].person for i in unique.keys() - set(new_ids)}
                batch.redelivered = batch.redelivered | (stored & batch.maybe_seen)
            # The insight rollup takes in exactly the new signals, in the same transaction.
            await usage.add_usage(conn, [unique[i] for i in new_ids])
            grants = await self._record(conn, batch.recognition)
            active = await self.rulebook.current(conn)
            # Granted points are in the ledger before the states are read: the rules below
            # then judge every person on all their points.
            granted = await self._recognise(conn, active, grants)
            fresh = sorted((unique[i] for i in new_ids), key=Signal.sort_key)
            persons = sorted({s.person for s in fresh} | set(granted.triggers))
            states = await ledger.load_states(conn, active.version, persons, exclude=fresh)
            seen = Seen()
            for person in persons:
                seen_from_history(active.rules, person, states[person].history, seen)
            awards = score(active.rules, active.version, fresh, states, active.calendar, self.tz)
            redated = [a for a in awards if a.redated]
            if redated:
                awards = [a for a in awards if not a.redated]
                await ledger.redate_awards(conn, redated)
            if granted.triggers:
                judged = rejudge(
                    active.rules,
                    active.version,
                    granted.triggers,
                    states,
                    self.tz,
                    granted.triggers,
                )
                awards += judged.new
                await ledger.move_awards(conn, judged.moved)
                await ledger.withdraw_awards(conn, judged.withdrawn)
            written = await ledger.insert_awards(conn, awards)
            retold = await self._retold(
                conn, active.version, batch.redelivered, unique, written, batch.recognition
            )
            members = await directory.memberships(conn, {*persons, *(a.person for a in retold)})
            sizes = await self._group_sizes(conn, changed=bool(affected))
        written_awards = [a for a in awards if a.key in written] + granted.awards
        facts = [
            Fact(a.person, a.day, a.points, a.at, a.app)
            for a in written_awards
            if a.kind == AwardKind.POINTS
        ]
        groups = projection.groups_for(persons, members, sizes)
        return Staged(
            active=active,
            new_signals=len(fresh),
            awards=[a for a in written_awards if a.key not in granted.quiet],
            parts=[BoardPart(facts, groups, seen)],
            affected=affected,
            redelivered=batch.redelivered,
            members=members,
            totals={p: states[p].total for p in persons},
            retold=retold,
        )

    async def _record(
        self, conn: AsyncConnection, events: list[CloudEvent[Recognition]]
    ) -> list[Grant]:
        """Store grants and revocations, like signals before the rules are read: a rule
        publication in progress (which replays them) is waited for."""
        if not events:
            return []
        return await recognition_store.record(
            conn,
            [(e.id, e.data) for e in events if isinstance(e.data, RecognitionGranted)],
            [(e.id, e.data) for e in events if isinstance(e.data, RecognitionRevoked)],
        )

    async def _recognise(
        self, conn: AsyncConnection, active: ActiveRules, grants: list[Grant]
    ) -> Recognised:
        """Write the ledger rows the grants now stand for under ``active``.

        A grant revoked by the time it is written is not announced: its compensating
        row is written with it.
        """
        if not grants:
            return Recognised()
        rows = [a for g in grants for a in grant_awards(g, active.version, self.tz)]
        written = await ledger.insert_awards(conn, rows)
        found = Recognised(awards=[a for a in rows if a.key in written])
        found.quiet = {
            ledger_key(GRANTED, active.version, g.grant) for g in grants if g.revoked and g.known
        }
        for award in found.awards:
            found.triggers[award.person] = award.event_id or ""
        return found

    async def _retold(
        self,
        conn: AsyncConnection,
        version: int,
        redelivered: set[str],
        signals: dict[str, Signal],
        written: set[str],
        recognition: Sequence[CloudEvent[Recognition]] = (),
    ) -> list[Award]:
        """Badges and levels that redelivered events brought before, to be announced again.

        A message comes back when its batch was committed but not acknowledged: the
        process stopped, or its lane was cancelled, before the announcements went out.
        Its signals are stored by then and pay nothing new, so the badges and levels
        they brought are announced again; their event ids are those of the first
        announcement, which notify and the screens take only once.
        """
        if not redelivered:
            return []
        triggers: dict[str, set[str]] = {}
        for event_id, signal in signals.items():
            if signal.person in redelivered:
                triggers.setdefault(signal.person, set()).add(event_id)
        for event in recognition:
            if event.data.person in redelivered:
                triggers.setdefault(event.data.person, set()).add(event.id)
        if not triggers:
            return []
        found = await ledger.held_awards(conn, version, triggers)
        return [award for award in found if award.key not in written]

    async def settle(self, staged: Staged) -> Outcome:
        """The Redis and announcement part, safe to repeat: a redelivery repairs boards.

        The deltas are added under the board gate's shared hold that staging took; exact
        values (a repair, a rebuild) are set with the gate to this replica alone
        (:mod:`services.scoring.board_gate`).
        """
        outcome = Outcome(staged.new_signals, staged.awards)
        if await self.boards_current(staged.active):
            delta = staged.delta()
            await self.apply_boards(delta)
            outcome.board_entries = len(delta)
            await self._repair(staged.active, staged.affected, staged.redelivered)
        if self.js is not None:
            now = datetime.now(UTC).isoformat()
            held = staged.awards + staged.retold
            outcome.announced = await announce_held(
                self.js, held, staged.members, now, staged.active.rules
            )
            if self.announce_points:
                outcome.announced += await announce_points(
                    self.js, staged.awards, staged.members, staged.totals
                )
        await self._forget_erased(staged)
        return outcome

    async def _forget_erased(self, staged: Staged) -> None:
        """People erased after this batch's ledger commit: their erasure may have cleared
        the boards before this settling wrote to them. They go off the boards again, all
        boards are rebuilt from SQL at the next safe moment, and a scrub of the streams
        is owed for the awards just announced."""
        persons = {a.person for a in (*staged.awards, *staged.retold)} | set(staged.totals)
        erased = await suppression.erased_among(self.engine, persons)
        if not erased:
            return
        for person in sorted(erased):
            await privacy_boards.erase(self.redis, person)
        async with self.engine.begin() as conn:
            await suppression.rescrub(conn, erased)
        self._board_version = None
        await self.redis.delete(boards.VERSION_KEY)
        log.warning("people erased while their batch was settled: boards to be rebuilt")

    def exclusive(self, staged: Staged) -> bool:
        """Whether settling must not overlap the next batch's ledger transaction.

        Rebuilds and repairs set absolute values read from SQL; a later batch
        committing meanwhile would then be counted twice.
        """
        return bool(
            staged.active.version != self._board_version or staged.affected or staged.redelivered
        )

    async def _group_sizes(self, conn: AsyncConnection, changed: bool) -> directory.GroupSizes:
        """Team and department sizes, re-counted after a directory change or every few seconds.

        Counting 100,000 people per batch would cost more than the batch. Among
        replicas (``replicated``) they are counted in every transaction: a delta with a
        stale divisor would undo another replica's repair after its directory change.
        """
        now = time.monotonic()
        if changed or self._sizes is None or now - self._sizes_at > self.sizes_ttl:
            self._sizes = await directory.group_sizes(conn)
            self._sizes_at = now
        return self._sizes

    async def apply_boards(self, delta: BoardDelta) -> None:
        await self.live.apply(delta)

    async def boards_current(self, active: ActiveRules) -> bool:
        """True when boards already follow ``active``; otherwise rebuild them and say False.

        Boards follow one rule-set version; a newly published version, or a
        flushed Redis, means rebuilding them from that version's ledger rows.
        """
        if self._board_version == active.version:
            return True
        built = await boards.built_version(self.redis)
        if built == active.version:
            self._board_version = active.version
            return True
        async with self.gate.exclusive():
            # Rebuilt by another replica meanwhile? Then after this replica's batches
            # committed, so with them: in neither case are their deltas to be added.
            if await boards.built_version(self.redis) != active.version:
                log.info("rebuilding boards", version=active.version, built=built)
                await projection.rebuild(self.engine, self.redis, active)
            self.live.forget()
        self._board_version = active.version
        return False

    async def reachable(self) -> None:
        """Raises while the database or Redis does not answer."""
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        await self.redis.ping()

    async def sync(self, lead: bool = True) -> None:
        """While no signals arrive: pick up a new rule set, a flushed Redis, and (the ``lead``
        replica only) ended challenges."""
        async with self.engine.connect() as conn:
            active = await self.rulebook.current(conn)
        self._board_version = None  # re-read Redis: it may have been flushed meanwhile
        await self.boards_current(active)
        if lead and time.monotonic() - self._challenges_checked > CHALLENGE_CHECK_SECONDS:
            await self.close_challenges()

    async def close_challenges(self, today: date | None = None) -> list[ChallengeCompleted]:
        """Record and announce the winners of challenges that have ended."""
        self._challenges_checked = time.monotonic()
        async with self.engine.connect() as conn:
            active = await self.rulebook.current(conn)
        await self.boards_current(active)
        completed = await challenges.close_finished(
            self.engine, self.redis, active, self.tz, today or org_today(self.tz)
        )
        if completed:
            log.info("challenges closed", winners=len(completed))
            if self.js is not None:
                await announce(self.js, completed)
        return completed

    async def _repair(
        self, active: ActiveRules, affected: directory.Affected, redelivered: set[str]
    ) -> None:
        """Set exact entries where a delta may be missing or a divisor changed."""
        people = set(affected.people) | redelivered
        teams, departments = set(affected.teams), set(affected.departments)
        if redelivered:
            async with self.engine.connect() as conn:
                for member in (await directory.memberships(conn, redelivered)).values():
                    if member.team:
                        teams.add(member.team)
                    if member.department:
                        departments.add(member.department)
        if people or teams or departments:
            async with self.gate.exclusive():
                await projection.refresh(
                    self.engine, self.redis, active, people, teams, departments
                )
            log.info(
                "boards repaired",
                people=len(people),
                teams=len(teams),
                departments=len(departments),
            )


def split_by_person(batch: Batch, lanes: int) -> list[Batch]:
    """``batch``'s signals in up to ``lanes`` parts, each person's in one of them, and each
    partition's (:mod:`shared.partitions`) too: lanes never wait for each other's locks."""
    parts = [Batch() for _ in range(lanes)]
    lane_of: dict[str, int] = {}

    def lane(person: str) -> int:
        found = lane_of.get(person)
        if found is None:
            found = lane_of[person] = partitions.partition_of(person) % lanes
        return found

    for event in batch.activities:
        parts[lane(str(event.data.person))].activities.append(event)
    for grant in batch.recognition:
        parts[lane(grant.data.person)].recognition.append(grant)
    for person in batch.redelivered:
        parts[lane(person)].redelivered.add(person)
    for person in batch.maybe_seen:
        parts[lane(person)].maybe_seen.add(person)
    return [part for part in parts if part.activities or part.redelivered or part.recognition]


def describe(outcome: Outcome) -> dict[str, Any]:
    return {
        "signals": outcome.new_signals,
        "awards": len(outcome.awards),
        "entries": outcome.board_entries,
        "announced": outcome.announced,
    }


def persons_of(events: Sequence[CloudEvent[Any]]) -> set[str]:
    return {str(e.data.person) for e in events}
