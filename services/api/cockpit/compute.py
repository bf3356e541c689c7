"""The cockpit's charts from the cube's cells: pure arithmetic, no I/O.

The scope (the whole organisation, or one department or job function) is partitioned
by departments, and again by functions, so its totals are sums of the departments'
cells, hidden ones included: hiding a small department leaves the organisation's
figures whole. Per-group figures only ever come from groups :mod:`.groups` lets through.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from services.api.cockpit import flags as flag_rule
from services.api.cockpit.groups import split
from services.api.cockpit.models import (
    AppLine,
    Assisted,
    AssistedWeek,
    Cockpit,
    CoverageOut,
    Flag,
    Flags,
    FunctionRow,
    Functions,
    HeatCell,
    Heatmap,
    HeatRow,
    HiddenGroup,
    HowOften,
    HowOftenWeek,
    IntentApp,
    Intents,
    IntentWeek,
    ScopeOut,
    SegmentGroup,
    Segments,
    TierOut,
    TierShare,
    Trend,
    TrendWeek,
)
from services.api.cockpit.texts import app_label, day_text, say
from services.api.cockpit.tiers import tier_words
from services.api.cockpit.weeks import (
    FLAG_WEEKS,
    READ_WEEKS,
    known,
    last_complete_week,
    weeks_ending,
)
from services.api.i18n import Lang
from services.api.insight_cube import Coverage, SegmentRow, WeekRow, Within
from services.scoring.domain.rules import TierRules
from shared.insight_tables import ANY_APP, NONE
from shared.intents import INTENT_OF_APP, Intent, intent_of
from shared.small_groups import shown


@dataclass(frozen=True)
class Cells:
    """What the cube holds for one scope: the input of :func:`cockpit`."""

    coverage: Coverage
    departments: dict[str, int]  # licensed people per department in the scope
    functions: dict[str, int]  # licensed people per job function in the scope
    by_department: Sequence[WeekRow]  # per week, department and app (ANY_APP included)
    by_function: Sequence[WeekRow]  # per week and function, any app
    segments: Sequence[SegmentRow]  # people per tier and department


@dataclass(frozen=True)
class Ask:
    """What the cockpit is asked for, and the settings it answers with."""

    lang: Lang
    weeks: int
    within: Within | None
    min_group_size: int
    minutes_per_action: float
    tiers: TierRules


@dataclass(frozen=True)
class Totals:
    people: int = 0
    actions: int = 0
    person_days: int = 0

    def __add__(self, other: Totals) -> Totals:
        return Totals(
            self.people + other.people,
            self.actions + other.actions,
            self.person_days + other.person_days,
        )


def rate(active: int, licensed: int) -> float:
    return round(active / licensed, 4) if licensed else 0.0


def mean(values: Iterable[float | None]) -> float | None:
    """The mean of ``values``, or None when any is unknown (or there are none)."""
    listed = list(values)
    if not listed or any(v is None for v in listed):
        return None
    return round(sum(v for v in listed if v is not None) / len(listed), 4)


def department_label(lang: Lang, department: str) -> str:
    return department if department != NONE else say(lang, "ck_no_department")


def function_label(lang: Lang, function: str) -> str:
    return function if function != NONE else say(lang, "ck_no_function")


class Index:
    """The cells of one scope, looked up by week, group and app."""

    def __init__(self, rows: Iterable[WeekRow]) -> None:
        self.cells: dict[tuple[date, str, str], Totals] = defaultdict(Totals)
        self.whole: dict[tuple[date, str], Totals] = defaultdict(Totals)
        for row in rows:
            totals = Totals(row.people, row.actions, row.person_days)
            self.cells[row.week, row.group, row.app] += totals
            self.whole[row.week, row.app] += totals

    def group(self, week: date, group: str, app: str = ANY_APP) -> Totals:
        return self.cells.get((week, group, app), Totals())

    def scope(self, week: date, app: str = ANY_APP) -> Totals:
        return self.whole.get((week, app), Totals())

    def apps(self, weeks: Iterable[date]) -> list[str]:
        """The apps seen in ``weeks``, most people first (then by name)."""
        people: dict[str, int] = defaultdict(int)
        wanted = set(weeks)
        for (week, app), totals in self.whole.items():
            if app != ANY_APP and week in wanted:
                people[app] += totals.people
        return sorted(people, key=lambda app: (-people[app], app))


def cockpit(cells: Cells, ask: Ask) -> Cockpit:
    """Every chart of the cockpit for ``ask``'s scope and weeks."""
    lang, cover = ask.lang, cells.coverage
    last = last_complete_week(cover.last_day)
    shown_weeks = weeks_ending(last, ask.weeks)
    read_weeks = weeks_ending(last, max(ask.weeks, READ_WEEKS))
    licensed = sum(cells.departments.values())
    coverage = CoverageOut(
        refreshed_at=cover.refreshed_at,
        first_day=cover.first_day,
        last_day=cover.last_day,
        last_complete_week=last if known(last, cover.first_day, cover.last_day) else None,
        segments_until=cover.segments_until,
        segment_weeks=cover.segment_weeks,
    )
    scope = ScopeOut(
        department=ask.within.value
        if ask.within and ask.within.dimension == "department"
        else None,
        function=ask.within.value if ask.within and ask.within.dimension == "function" else None,
        label=_scope_label(ask),
        licensed=licensed,
    )
    base = Cockpit(lang=lang, min_group_size=ask.min_group_size, coverage=coverage, scope=scope)
    if not shown(licensed, ask.min_group_size):
        return base.model_copy(
            update={"notice": say(lang, "ck_small_scope", min_size=ask.min_group_size)}
        )

    def is_known(week: date) -> bool:
        return known(week, cover.first_day, cover.last_day)

    departments = Index(cells.by_department)
    functions = Index(cells.by_function)
    apps = departments.apps(shown_weeks)
    hidden_reason = say(lang, "ck_hidden_reason", min_size=ask.min_group_size)
    department_split = split(
        cells.departments, ask.min_group_size, lambda d: department_label(lang, d), hidden_reason
    )
    function_split = split(
        cells.functions, ask.min_group_size, lambda f: function_label(lang, f), hidden_reason
    )

    def scope_rate(week: date, app: str = ANY_APP) -> float | None:
        return rate(departments.scope(week, app).people, licensed) if is_known(week) else None

    def group_rate(index: Index, group: str, size: int, week: date) -> float | None:
        return rate(index.group(week, group).people, size) if is_known(week) else None

    now_weeks, before_weeks = read_weeks[-FLAG_WEEKS:], read_weeks[-2 * FLAG_WEEKS : -FLAG_WEEKS]

    trend = Trend(
        weeks=[
            TrendWeek(
                week=w,
                licensed=licensed,
                active=departments.scope(w).people if is_known(w) else None,
                rate=scope_rate(w),
            )
            for w in shown_weeks
        ],
        apps=[
            AppLine(
                app=app,
                label=app_label(lang, app),
                active=[
                    departments.scope(w, app).people if is_known(w) else None for w in shown_weeks
                ],
                rates=[scope_rate(w, app) for w in shown_weeks],
            )
            for app in apps
        ],
        definition=say(lang, "ck_trend_definition"),
    )

    def per_person(total: int, people: int) -> float | None:
        return round(total / people, 2) if people else None

    how_often = HowOften(
        weeks=[
            HowOftenWeek(
                week=w,
                active=departments.scope(w).people if is_known(w) else None,
                days_per_active_person=per_person(
                    departments.scope(w).person_days, departments.scope(w).people
                )
                if is_known(w)
                else None,
                actions_per_active_person=per_person(
                    departments.scope(w).actions, departments.scope(w).people
                )
                if is_known(w)
                else None,
            )
            for w in shown_weeks
        ],
        definition=say(lang, "ck_how_often_definition"),
    )

    heat_apps = [ANY_APP, *apps]
    heatmap = Heatmap(
        apps=heat_apps,
        app_labels=[app_label(lang, app) for app in heat_apps],
        week=coverage.last_complete_week,
        four_weeks=now_weeks,
        rows=[
            HeatRow(
                department=department,
                label=department_label(lang, department),
                licensed=size,
                cells=[
                    HeatCell(
                        app=app,
                        week_rate=rate(departments.group(last, department, app).people, size)
                        if is_known(last)
                        else None,
                        four_week_rate=mean(
                            rate(departments.group(w, department, app).people, size)
                            if is_known(w)
                            else None
                            for w in now_weeks
                        ),
                    )
                    for app in heat_apps
                ],
            )
            for department, size in department_split.shown.items()
        ],
        hidden=department_split.hidden,
        definition=say(lang, "ck_heatmap_definition"),
    )

    segments = _segments(cells, ask, department_split.shown, department_split.hidden, licensed)

    function_rows = []
    for function, size in function_split.shown.items():
        now = mean(group_rate(functions, function, size, w) for w in now_weeks)
        before = mean(group_rate(functions, function, size, w) for w in before_weeks)
        function_rows.append(
            FunctionRow(
                function=function,
                label=function_label(lang, function),
                licensed=size,
                active_last_week=functions.group(last, function).people if is_known(last) else None,
                rate_last_week=group_rate(functions, function, size, last),
                rate_four_weeks=now,
                rate_four_weeks_before=before,
                change_points=None
                if now is None or before is None
                else flag_rule.points(now, before),
            )
        )
    function_rows.sort(key=lambda row: (-(row.rate_last_week or 0.0), row.label))
    functions_out = Functions(
        rows=function_rows,
        hidden=function_split.hidden,
        definition=say(lang, "ck_functions_definition"),
    )

    intents = Intents(
        mapping=[
            IntentApp(app=app.value, label=app_label(lang, app.value), intent=intent)
            for app, intent in INTENT_OF_APP.items()
        ],
        labels={intent: say(lang, f"ck_intent_{intent.value}") for intent in Intent},
        weeks=[_intent_week(departments, w, apps, is_known(w)) for w in shown_weeks],
        definition=say(lang, "ck_intents_definition"),
    )

    minutes = ask.minutes_per_action
    assisted = Assisted(
        minutes_per_action=minutes,
        weeks=[
            AssistedWeek(
                week=w,
                actions=departments.scope(w).actions if is_known(w) else None,
                hours=round(departments.scope(w).actions * minutes / 60, 1)
                if is_known(w)
                else None,
            )
            for w in shown_weeks
        ],
        definition=say(lang, "ck_assisted_definition", minutes=f"{minutes:g}"),
    )

    organisation_now = mean(scope_rate(w) for w in now_weeks)
    flag_rows = []
    for department, size in department_split.shown.items():
        now = mean(group_rate(departments, department, size, w) for w in now_weeks)
        before = mean(group_rate(departments, department, size, w) for w in before_weeks)
        flag_rows.append(
            Flag(
                department=department,
                label=department_label(lang, department),
                licensed=size,
                rate_now=now,
                rate_before=before,
                change_points=None
                if now is None or before is None
                else flag_rule.points(now, before),
                flag=flag_rule.flag_of(now, before, organisation_now),
            )
        )
    flag_rows.sort(key=lambda f: (f.change_points is None, -(f.change_points or 0.0), f.label))
    flags = Flags(
        rule=rule_text(lang),
        weeks=FLAG_WEEKS,
        growing_points=flag_rule.GROWING_POINTS,
        stagnating_points=flag_rule.STAGNATING_POINTS,
        organisation_rate=organisation_now,
        departments=flag_rows,
        hidden=department_split.hidden,
    )

    return base.model_copy(
        update={
            "weeks": shown_weeks,
            "trend": trend,
            "how_often": how_often,
            "heatmap": heatmap,
            "segments": segments,
            "functions": functions_out,
            "intents": intents,
            "assisted": assisted,
            "flags": flags,
        }
    )


def rule_text(lang: Lang) -> str:
    """The flags' rule in words, with its numbers."""
    return say(
        lang,
        "ck_flags_rule",
        weeks=FLAG_WEEKS,
        growing=f"{flag_rule.GROWING_POINTS:g}",
        stagnating=f"{flag_rule.STAGNATING_POINTS:g}",
    )


def _scope_label(ask: Ask) -> str:
    if ask.within is None:
        return say(ask.lang, "ck_whole")
    if ask.within.dimension == "department":
        return department_label(ask.lang, ask.within.value)
    return function_label(ask.lang, ask.within.value)


def _intent_week(index: Index, week: date, apps: list[str], is_known: bool) -> IntentWeek:
    if not is_known:
        return IntentWeek(
            week=week,
            actions=dict.fromkeys(Intent, None),
            shares=dict.fromkeys(Intent, None),
        )
    actions = dict.fromkeys(Intent, 0)
    for app in apps:
        actions[intent_of(app)] += index.scope(week, app).actions
    total = sum(actions.values())
    return IntentWeek(
        week=week,
        actions={intent: n for intent, n in actions.items()},
        shares={intent: round(n / total, 4) if total else None for intent, n in actions.items()},
    )


def _segments(
    cells: Cells,
    ask: Ask,
    visible: dict[str, int],
    hidden: list[HiddenGroup],
    licensed: int,
) -> Segments:
    lang = ask.lang
    words = tier_words(ask.tiers, lang)
    order = [w.id for w in words]
    people: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in cells.segments:
        people[row.group][row.tier] += row.people

    def group(name: str, label: str, size: int, counts: dict[str, int]) -> SegmentGroup:
        judged = sum(counts.values())
        tiers = [*order, *sorted(set(counts) - set(order))]
        return SegmentGroup(
            group=name,
            label=label,
            licensed=size,
            tiers=[
                TierShare(
                    tier=tier,
                    people=counts.get(tier, 0),
                    share=round(counts.get(tier, 0) / judged, 4) if judged else 0.0,
                )
                for tier in tiers
            ],
        )

    # Narrowed to one department, its bar is the scope's own: no second, identical one.
    narrowed_to_one = ask.within is not None and ask.within.dimension == "department"
    whole: dict[str, int] = defaultdict(int)
    for counts in people.values():
        for tier, n in counts.items():
            whole[tier] += n
    return Segments(
        tiers=[TierOut(id=w.id, title=w.title, definition=w.definition) for w in words],
        weeks=cells.coverage.segment_weeks,
        until=cells.coverage.segments_until,
        overall=group("", _scope_label(ask), licensed, whole) if whole else None,
        departments=[]
        if narrowed_to_one
        else [
            group(department, department_label(lang, department), size, people[department])
            for department, size in visible.items()
            if people.get(department)
        ],
        hidden=hidden,
        definition=say(
            lang,
            "ck_segments_definition",
            weeks=cells.coverage.segment_weeks,
            until=day_text(lang, cells.coverage.segments_until),
        ),
    )
