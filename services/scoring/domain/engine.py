"""The rule engine: new signals plus what a person already has in, awards out.

Pure and deterministic. Points are paid per signal in activity order, clipped
by the daily cap, so a person's points per day are the capped sum of what that
day's signals earn, however they arrive. Badges and levels are derived from the
person's whole history (the set of facts): each is dated on the first day its
condition holds over all facts known, and when a late fact makes that day
earlier, the award already held is re-dated. So which badges and levels a
person holds, and since when, do not depend on the order in which signals
arrived.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from services.scoring.domain.badges import BadgeCheck, first_reaching
from services.scoring.domain.calendar import WorkCalendar
from services.scoring.domain.model import (
    Award,
    AwardKind,
    History,
    Signal,
    award_key,
)
from services.scoring.domain.rules import MilestoneBadge, RuleSet
from shared.events import ActivityKind, App


@dataclass(slots=True)
class PersonState:
    """What the ledger already holds for one person under the active rule-set version."""

    history: History = field(default_factory=History)
    paid_by_day: dict[date, int] = field(default_factory=dict)  # every points row, summed
    # The part of paid_by_day granted outside Copilot usage: it counts toward levels and
    # points milestones, but not toward the daily cap.
    granted_by_day: dict[date, int] = field(default_factory=dict)
    badges: dict[str, date] = field(default_factory=dict)  # badge id -> the day it was reached
    levels: dict[int, date] = field(default_factory=dict)  # level -> the day it was reached

    @property
    def total(self) -> int:
        return sum(self.paid_by_day.values())


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """The start of an org-local day, in UTC."""
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)


def points_award(rules: RuleSet, version: int, signal: Signal, paid_today: int) -> Award:
    """The points one signal earns, clipped so the person's day stays within the cap."""
    return _Points(rules, version).award(signal, paid_today)


class _Points:
    """Points per signal, with what they depend on worked out once per (app, kind, day).

    The base, the bonus factor, the earned points and the note ("10 for prompt in
    word; x2 (copilot-week)") are the same for every signal of an app, kind and
    day; only the daily cap is a matter of the person.
    """

    __slots__ = ("_cap", "_known", "_rules", "_version")

    def __init__(self, rules: RuleSet, version: int) -> None:
        self._rules = rules
        self._version = version
        self._cap = rules.points.daily_cap
        # (app, kind, day) -> (rule, key prefix, earned, note)
        self._known: dict[tuple[App, ActivityKind, date], tuple[str, str, int, str]] = {}

    def _work_out(self, app: App, kind: ActivityKind, day: date) -> tuple[str, str, int, str]:
        base = self._rules.points.base(app, kind)
        factor, bonuses = self._rules.multiplier(app, kind, day)
        note = f"{base} for {kind} in {app}"
        if bonuses:
            note = f"{note}; x{factor:g} ({', '.join(bonuses)})"
        rule = f"points.{kind}"
        known = (rule, award_key(rule, self._version, ""), round(base * factor), note)
        self._known[(app, kind, day)] = known
        return known

    def award(self, signal: Signal, paid_today: int) -> Award:
        app, kind, day = signal.app, signal.kind, signal.day
        known = self._known.get((app, kind, day))
        if known is None:
            known = self._work_out(app, kind, day)
        rule, prefix, earned, note = known
        paid = earned
        cap = self._cap
        if cap is not None and paid_today + earned > cap:
            paid = max(0, cap - paid_today)
            if paid == 0:
                note = f"{note}; daily cap of {cap} reached"
            else:
                note = f"{note}; daily cap of {cap}: {paid} of {earned}"
        return Award(
            key=prefix + signal.event_id,
            kind=AwardKind.POINTS,
            rule=rule,
            version=self._version,
            person=signal.person,
            day=day,
            at=signal.at,
            points=paid,
            event_id=signal.event_id,
            app=app,
            ref=None,
            title=None,
            note=note,
        )


def first_day_reaching(by_day: dict[date, int], threshold: int) -> date | None:
    return first_reaching(by_day, threshold)


def level_awards(
    rules: RuleSet,
    version: int,
    person: str,
    state: PersonState,
    tz: ZoneInfo,
    trigger: str,
    since: date | None = None,
) -> list[Award]:
    return _Awarding(rules, version, None, tz).levels(person, state, trigger, since)


def badge_awards(
    rules: RuleSet,
    version: int,
    person: str,
    state: PersonState,
    calendar: WorkCalendar,
    tz: ZoneInfo,
    trigger: str,
    since: date | None = None,
) -> list[Award]:
    return _Awarding(rules, version, calendar, tz).badges(person, state, trigger, since)


class _Awarding:
    """Badges and levels for one batch: the rule set's parts sorted and dated once."""

    __slots__ = ("_check", "_levels", "_rules", "_starts", "_tz", "_version")

    def __init__(
        self, rules: RuleSet, version: int, calendar: WorkCalendar | None, tz: ZoneInfo
    ) -> None:
        self._rules = rules
        self._version = version
        self._check = None if calendar is None else BadgeCheck(rules, calendar)
        self._tz = tz
        self._levels = sorted(rules.levels, key=lambda lv: lv.points)
        self._starts: dict[date, datetime] = {}

    def _start(self, day: date) -> datetime:
        at = self._starts.get(day)
        if at is None:
            at = self._starts[day] = day_start(day, self._tz)
        return at

    def badges(
        self, person: str, state: PersonState, trigger: str, since: date | None = None
    ) -> list[Award]:
        """Badges newly reached, then held badges that facts from ``since`` on re-date."""
        check = self._check
        if check is None:
            raise ValueError("badges need the working-day calendar")
        history, paid, held = state.history, state.paid_by_day, state.badges
        found = check.achieved(history, paid, held)
        redated = check.redated(history, paid, held, since) if since is not None and held else []
        awards = []
        for changes, (badge, reached) in [(False, f) for f in found] + [(True, r) for r in redated]:
            held[badge.id] = reached
            rule = f"badge.{badge.id}"
            awards.append(
                self._held(
                    AwardKind.BADGE,
                    rule,
                    award_key(rule, self._version, person),
                    person,
                    reached,
                    trigger,
                    ref=badge.id,
                    title=badge.title,
                    note=f"{badge.type} badge",
                    redated=changes,
                )
            )
        return awards

    def levels(
        self, person: str, state: PersonState, trigger: str, since: date | None = None
    ) -> list[Award]:
        """Levels newly reached, and held levels that facts from ``since`` on re-date.

        A level held since a day after ``since`` may have been reached earlier: a
        late fact can raise an earlier day's points.
        """
        awards = []
        held, paid = state.levels, state.paid_by_day
        for level in self._levels:
            if level.points == 0:
                continue
            known = held.get(level.level)
            if known is not None and (since is None or known <= since):
                continue
            reached = first_reaching(paid, level.points)
            if known is not None and (reached is None or reached >= known):
                continue
            if reached is None:
                break
            held[level.level] = reached
            awards.append(
                self._held(
                    AwardKind.LEVEL,
                    "level",
                    award_key("level", self._version, f"{person}:{level.level}"),
                    person,
                    reached,
                    trigger,
                    ref=str(level.level),
                    title=level.title,
                    note=f"{level.points} points reached",
                    redated=known is not None,
                )
            )
        return awards

    def rejudge(self, person: str, state: PersonState, trigger: str) -> Rejudged:
        """Levels and points milestones judged again over all of ``state``'s points.

        Points can also be taken back (a revoked grant), so a held level or milestone
        may now be reached later, or not at all; granted points make them reached
        earlier or anew. ``state`` is updated to what holds.
        """
        out = Rejudged()
        paid = state.paid_by_day
        for level in self._levels:
            if level.points == 0:
                continue
            reached = first_reaching(paid, level.points)
            known = state.levels.get(level.level)
            if reached == known:
                continue
            award = self._held(
                AwardKind.LEVEL,
                "level",
                award_key("level", self._version, f"{person}:{level.level}"),
                person,
                reached or known or date.min,
                trigger,
                ref=str(level.level),
                title=level.title,
                note=f"{level.points} points reached",
                redated=known is not None,
            )
            _sort(out, state.levels, level.level, reached, known, award)
        for badge in self._rules.badges:
            if not (isinstance(badge, MilestoneBadge) and badge.metric == "points"):
                continue
            reached = first_reaching(paid, badge.count)
            known = state.badges.get(badge.id)
            if reached == known:
                continue
            rule = f"badge.{badge.id}"
            award = self._held(
                AwardKind.BADGE,
                rule,
                award_key(rule, self._version, person),
                person,
                reached or known or date.min,
                trigger,
                ref=badge.id,
                title=badge.title,
                note=f"{badge.type} badge",
                redated=known is not None,
            )
            _sort(out, state.badges, badge.id, reached, known, award)
        return out

    def _held(
        self,
        kind: AwardKind,
        rule: str,
        key: str,
        person: str,
        reached: date,
        trigger: str,
        *,
        ref: str,
        title: str,
        note: str,
        redated: bool = False,
    ) -> Award:
        """A badge or level: held from the start of the day it was reached, no points."""
        return Award(
            key=key,
            kind=kind,
            rule=rule,
            version=self._version,
            person=person,
            day=reached,
            at=self._start(reached),
            points=0,
            event_id=trigger,
            app=None,
            ref=ref,
            title=title,
            note=note,
            redated=redated,
        )


@dataclass(slots=True)
class Rejudged:
    """Held awards after points were granted or taken back: reached anew, reached on
    another day (same key), and no longer reached."""

    new: list[Award] = field(default_factory=list)
    moved: list[Award] = field(default_factory=list)
    withdrawn: list[Award] = field(default_factory=list)


def _sort(
    out: Rejudged,
    held: dict[Any, date],
    ref: Any,
    reached: date | None,
    known: date | None,
    award: Award,
) -> None:
    """File ``award`` as new, moved or withdrawn, and record what is held now."""
    if reached is None:
        del held[ref]
        out.withdrawn.append(award)
        return
    held[ref] = reached
    (out.new if known is None else out.moved).append(award)


def rejudge(
    rules: RuleSet,
    version: int,
    persons: Iterable[str],
    states: dict[str, PersonState],
    tz: ZoneInfo,
    triggers: dict[str, str],
) -> Rejudged:
    """:meth:`_Awarding.rejudge` for each of ``persons`` (``triggers``: the event that
    changed their points, recorded on the awards it brings)."""
    awarding = _Awarding(rules, version, None, tz)
    out = Rejudged()
    for person in sorted(persons):
        found = awarding.rejudge(person, states.setdefault(person, PersonState()), triggers[person])
        out.new += found.new
        out.moved += found.moved
        out.withdrawn += found.withdrawn
    return out


def score(
    rules: RuleSet,
    version: int,
    signals: Iterable[Signal],
    states: dict[str, PersonState],
    calendar: WorkCalendar,
    tz: ZoneInfo,
) -> list[Award]:
    """Award new ``signals`` (never seen before) against ``states``, which are updated.

    Besides new awards, the result holds held badges and levels the new signals
    re-date (``Award.redated``): same key, an earlier day.
    """
    by_person: dict[str, list[Signal]] = defaultdict(list)
    for signal in signals:
        by_person[signal.person].append(signal)
    points = _Points(rules, version)
    awarding = _Awarding(rules, version, calendar, tz)
    awards: list[Award] = []
    for person in sorted(by_person):
        state = states.get(person)
        if state is None:
            state = states[person] = PersonState()
        ordered = by_person[person]
        if len(ordered) > 1:
            ordered.sort(key=Signal.sort_key)
        paid_by_day = state.paid_by_day
        granted = state.granted_by_day
        add = state.history.add_many
        for signal in ordered:
            day = signal.day
            paid_today = paid_by_day.get(day, 0)
            capped = paid_today - granted.get(day, 0) if granted else paid_today
            award = points.award(signal, capped)
            paid_by_day[day] = paid_today + award.points
            add(day, signal.app, signal.kind, 1)
            awards.append(award)
        trigger, since = ordered[-1].event_id, ordered[0].day
        awards += awarding.badges(person, state, trigger, since)
        awards += awarding.levels(person, state, trigger, since)
    return awards
