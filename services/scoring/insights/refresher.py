"""Keeping the group cube up to date from the first level, a few weeks at a time.

Scoring notes in ``scoring_insight_pending`` each week whose usage a batch changed,
and "every week" when the directory changed or a person was erased. A refresh claims
what is committed by deleting it (a change committed after the claim stays for the
next round) and rebuilds:

- everything (population, every week, segments; weeks outside the window deleted) on
  the first refresh, after a directory change or an erasure, when the rule set's tiers
  changed or when a new week began (the window moved);
- otherwise only the changed weeks of the window, and the segments when a changed week
  is one the tiers are judged over;
- the recent cells (the 28 days ending today) on a full rebuild, when a changed week
  overlaps those days, or when the day changed (the 28 days moved).

A week's cells (``insight_week`` and its days in ``insight_day``) are replaced in one
transaction, so a reader sees the week before or after, never half of it; population,
segments, the recent cells and ``insight_refresh`` follow in one more. On PostgreSQL an
advisory lock makes replicas take turns. A refresh that fails keeps what it claimed for
the next one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Table, delete, insert, or_, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.scoring.domain.rules import TierRules
from services.scoring.insights.cube import (
    Group,
    Placed,
    RecentCells,
    UsageRow,
    WeekCells,
    Window,
    group_of,
    population,
    segments,
    week_cells,
)
from services.scoring.rulebook import Rulebook, default_rules
from services.scoring.store.directory import PEOPLE
from services.scoring.store.ledger import CHUNK, Driver, insert_new
from services.scoring.store.usage import PENDING, USAGE, WEEK_INDEX
from shared.insight_tables import (
    DayCell,
    Population,
    RecentCell,
    RecentDaysCell,
    Refresh,
    SegmentCell,
    WeekCell,
)
from shared.logs import get_logger
from shared.periods import today as org_today

log = get_logger(__name__)

POPULATION: Table = Population.__table__  # type: ignore[attr-defined]
WEEKS: Table = WeekCell.__table__  # type: ignore[attr-defined]
DAYS: Table = DayCell.__table__  # type: ignore[attr-defined]
SEGMENTS: Table = SegmentCell.__table__  # type: ignore[attr-defined]
REFRESH: Table = Refresh.__table__  # type: ignore[attr-defined]
RECENT: Table = RecentCell.__table__  # type: ignore[attr-defined]
RECENT_DAYS: Table = RecentDaysCell.__table__  # type: ignore[attr-defined]
Group3 = tuple[str, str, str]  # department, function and an app, tier or bucket
WEEK_COLUMNS = ("week", "department", "function", "app", "people", "actions", "person_days")
DAY_COLUMNS = ("day", "department", "function", "people")
USAGE_OF_WEEK = "SELECT person, app, actions, days FROM insight_usage_week WHERE week = {week}"


async def prepare(engine: AsyncEngine) -> None:
    """The index that finds a week's usage rows (the key starts with the person)."""
    async with engine.begin() as conn:
        await conn.run_sync(lambda sync: WEEK_INDEX.create(sync, checkfirst=True))


@dataclass
class Claim:
    weeks: set[date] = field(default_factory=set)
    everything: bool = False


async def claim(engine: AsyncEngine) -> Claim:
    """Take the pending changes committed so far."""
    found = Claim()
    async with engine.begin() as conn:
        for (week,) in await conn.execute(delete(PENDING).returning(PENDING.c.week)):
            if week is None:
                found.everything = True
            else:
                found.weeks.add(week)
    return found


async def placed_people(conn: AsyncConnection) -> dict[str, Group]:
    """Licensed people still in the directory, with their department and function."""
    rows = await conn.execute(
        select(PEOPLE.c.person, PEOPLE.c.department, PEOPLE.c.job_function).where(
            PEOPLE.c.licensed.is_(True), PEOPLE.c.removed.is_(False)
        )
    )
    return {person: group_of(department, function) for person, department, function in rows}


async def usage_rows(conn: AsyncConnection, week: date) -> list[UsageRow]:
    driver = await Driver.of(conn)
    (process,) = driver.converters(USAGE, ("week",))
    sql = USAGE_OF_WEEK.format(week="$1" if driver.postgres else "?")
    value = process(week) if process else week
    return [
        (person, app, int(actions), int(days))
        for person, app, actions, days in await driver.fetch(sql, [value])
    ]


async def _take_turns(conn: AsyncConnection) -> None:
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('insight-cube'))"))


async def write_week(engine: AsyncEngine, found: WeekCells) -> None:
    """Replace one week's cells and its days' cells in one transaction."""
    week = found.week
    async with engine.begin() as conn:
        await _take_turns(conn)
        await conn.execute(delete(WEEKS).where(WEEKS.c.week == week))
        await conn.execute(
            delete(DAYS).where(DAYS.c.day >= week, DAYS.c.day < week + timedelta(days=7))
        )
        if found.cells:
            cells = [(week, *key, *counts) for key, counts in found.cells.items()]
            await insert_new(conn, WEEKS, "week", WEEK_COLUMNS, cells, CHUNK)
        if found.days:
            days = [(*key, people) for key, people in found.days.items()]
            await insert_new(conn, DAYS, "day", DAY_COLUMNS, days, CHUNK)


async def write_groups(
    engine: AsyncEngine,
    window: Window,
    licensed: Mapping[Group, int] | None,
    tiers: Mapping[tuple[str, str, str], int] | None,
    trim: bool,
    recent: tuple[Mapping[Group3, list[int]], Mapping[Group3, int]] | None = None,
) -> None:
    """Population, segments and recent cells and buckets (when given), weeks outside the
    window gone (``trim``), and the refresh row, in one transaction."""
    async with engine.begin() as conn:
        await _take_turns(conn)
        if trim:
            end = window.current + timedelta(days=6)
            await conn.execute(
                delete(WEEKS).where(or_(WEEKS.c.week < window.first_week, WEEKS.c.week > end))
            )
            await conn.execute(
                delete(DAYS).where(or_(DAYS.c.day < window.first_week, DAYS.c.day > end))
            )
        if licensed is not None:
            await conn.execute(delete(POPULATION))
            if licensed:
                await conn.execute(
                    insert(POPULATION),
                    [
                        {"department": d, "function": f, "licensed": n}
                        for (d, f), n in sorted(licensed.items())
                    ],
                )
        if tiers is not None:
            await conn.execute(delete(SEGMENTS))
            if tiers:
                await conn.execute(
                    insert(SEGMENTS),
                    [
                        {"department": d, "function": f, "tier": t, "people": n}
                        for (d, f, t), n in sorted(tiers.items())
                    ],
                )
        if recent is not None:
            cells, buckets = recent
            await conn.execute(delete(RECENT))
            await conn.execute(delete(RECENT_DAYS))
            if cells:
                await conn.execute(
                    insert(RECENT),
                    [
                        {"department": d, "function": f, "app": a, "people": n, "actions": m}
                        for (d, f, a), (n, m) in sorted(cells.items())
                    ],
                )
            if buckets:
                await conn.execute(
                    insert(RECENT_DAYS),
                    [
                        {"department": d, "function": f, "bucket": b, "people": n}
                        for (d, f, b), n in sorted(buckets.items())
                    ],
                )
        await conn.execute(delete(REFRESH))
        await conn.execute(
            insert(REFRESH).values(
                id=1,
                refreshed_at=datetime.now(UTC),
                first_day=window.first_week,
                last_day=window.today,
                segments_until=window.segments_until,
                segment_weeks=window.segment_weeks,
            )
        )


@dataclass(frozen=True)
class Built:
    """What the last full build was made for: a change of any of it rebuilds everything."""

    first_week: date
    segments_until: date
    tiers: str


@dataclass(frozen=True)
class Report:
    weeks: int  # weeks whose cells were rebuilt
    full: bool
    segments: bool
    seconds: float


async def build(
    engine: AsyncEngine,
    window: Window,
    tiers: TierRules,
    weeks: set[date],
    redo_segments: bool,
    full: bool,
    redo_recent: bool = True,
) -> None:
    """Rebuild the cells of ``weeks``, and the segments, population and recent cells
    when asked."""
    async with engine.connect() as conn:
        placed: Placed = await placed_people(conn)
    judged = {week: n for n, week in enumerate(window.tier_weeks)} if redo_segments else {}
    actions: dict[str, list[int]] = {}
    recent = RecentCells(window.recent_weeks) if redo_recent else None
    overlapped = set(window.recent_weeks) if redo_recent else set()
    for week in sorted(weeks | set(judged) | overlapped):
        async with engine.connect() as conn:
            rows = await usage_rows(conn, week)
        if week in weeks:
            await write_week(engine, week_cells(week, rows, placed))
        slot = judged.get(week)
        if slot is not None:
            for person, _, count, _ in rows:
                if person in placed:
                    held = actions.get(person)
                    if held is None:
                        held = actions[person] = [0] * len(judged)
                    held[slot] += count
        if recent is not None and week in overlapped:
            recent.add(week, rows, placed)
        del rows
    await write_groups(
        engine,
        window,
        population(placed) if full else None,
        segments(placed, actions, tiers) if redo_segments else None,
        trim=full,
        recent=None if recent is None else (recent.cells(placed), recent.buckets(placed)),
    )


class Refresher:
    """Rebuilds what changed of the cube; remembers what it built for."""

    def __init__(
        self,
        engine: AsyncEngine,
        tz: ZoneInfo,
        rulebook: Rulebook | None = None,
        clock: Callable[[], date] | None = None,
    ) -> None:
        self.engine = engine
        self.tz = tz
        self.rulebook = rulebook or Rulebook()
        self.clock = clock or (lambda: org_today(tz))
        self._built: Built | None = None
        self._last_day: date | None = None
        self._owed = Claim()  # claimed but not built yet (a refresh failed)

    async def tiers(self) -> TierRules:
        async with self.engine.connect() as conn:
            try:
                return (await self.rulebook.current(conn)).rules.tiers
            except LookupError:
                return default_rules().tiers

    async def refresh(self, force: bool = False) -> Report | None:
        """Rebuild what changed since the last refresh; None when nothing did."""
        started = time.perf_counter()
        today = self.clock()
        tiers = await self.tiers()
        window = Window(today, tiers.weeks)
        built = Built(window.first_week, window.segments_until, tiers.model_dump_json())
        if self._built is None:
            await self._warn_if_unbuilt()
        claimed = await claim(self.engine)
        self._owed.weeks |= claimed.weeks
        self._owed.everything |= claimed.everything
        full = force or self._owed.everything or self._built != built
        in_window = set(window.weeks)
        weeks = in_window if full else self._owed.weeks & in_window
        redo_segments = full or bool(self._owed.weeks & set(window.tier_weeks))
        redo_recent = (
            full or self._last_day != today or bool(self._owed.weeks & set(window.recent_weeks))
        )
        if not (weeks or redo_segments or redo_recent):
            self._owed = Claim()
            return None
        await build(self.engine, window, tiers, weeks, redo_segments, full, redo_recent)
        self._owed = Claim()
        if full:
            self._built = built
        self._last_day = today
        report = Report(len(weeks), full, redo_segments, round(time.perf_counter() - started, 3))
        log.info(
            "insight cube refreshed",
            weeks=report.weeks,
            full=report.full,
            segments=report.segments,
            seconds=report.seconds,
        )
        return report

    async def _warn_if_unbuilt(self) -> None:
        async with self.engine.connect() as conn:
            rollup = await conn.execute(text("SELECT 1 FROM insight_usage_week LIMIT 1"))
            if rollup.first() is not None:
                return
            stored = await conn.execute(text("SELECT 1 FROM scoring_signal LIMIT 1"))
            if stored.first() is not None:
                log.warning(
                    "insight rollup empty while signals are stored: "
                    "run python -m services.scoring.insights rebuild"
                )
