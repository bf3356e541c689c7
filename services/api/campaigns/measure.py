"""Reads the adoption cube for one campaign and judges its effect (:mod:`.effect`).

The cube's weeks are complete up to the last day it covers or yesterday, whichever is
earlier. Target departments below the minimum group size are never measured; the
control group is every other department big enough to show.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from services.api import insight_cube
from services.api.campaigns import effect, verdict
from services.api.campaigns.schemas import EffectPublic, Group, Period, WeekPoint
from services.api.campaigns.tables import Campaign
from services.api.i18n import Lang
from shared.insight_tables import NONE
from shared.small_groups import shown


def _points(rates: list[effect.WeekRates], weeks: effect.Weeks) -> list[WeekPoint]:
    def period(week: date) -> Period:
        if week < weeks.transition:
            return "pre"
        return "transition" if week == weeks.transition else "post"

    return [
        WeekPoint(
            week=r.week, period=period(r.week), target=100 * r.target, control=100 * r.control
        )
        for r in rates
    ]


async def measure(
    engine: AsyncEngine, row: Campaign, min_size: int, today: date, lang: Lang
) -> EffectPublic:
    """The campaign's effect, or why it cannot be shown (yet)."""
    transition = effect.monday(row.starts_on)
    nothing = EffectPublic(campaign=row.id, available=False, transition_week=transition)
    coverage = await insight_cube.coverage(engine)
    licensed = await insight_cube.population(engine, "department")
    if coverage is None or not licensed:
        return nothing.model_copy(
            update={"reason": "not_built", "message": verdict.refusal("not_built", lang)}
        )
    targets = sorted(row.departments)
    hidden = [d for d in targets if not shown(licensed.get(d, 0), min_size)]
    if hidden:
        message = verdict.refusal("hidden", lang, departments=hidden, min_size=min_size)
        return nothing.model_copy(update={"reason": "hidden", "message": message})
    control = sorted(
        d
        for d, size in licensed.items()
        if d != NONE and d not in targets and shown(size, min_size)
    )
    if not control:
        message = verdict.refusal("no_control", lang)
        return nothing.model_copy(update={"reason": "no_control", "message": message})

    last_complete = min(coverage.last_day, today - timedelta(days=1))
    weeks = effect.weeks_around(row.starts_on, coverage.first_day, last_complete)
    shown_weeks = weeks.charted
    active: dict[date, dict[str, int]] = defaultdict(dict)
    if shown_weeks:
        for cell in await insight_cube.weekly(
            engine, "department", shown_weeks[0], shown_weeks[-1]
        ):
            active[cell.week][cell.group] = cell.people
    rates = effect.series(active, licensed, targets, control, shown_weeks)
    groups = {
        "target": Group(departments=targets, licensed=sum(licensed[d] for d in targets)),
        "control": Group(departments=control, licensed=sum(licensed[d] for d in control)),
        "pre_weeks": list(weeks.pre),
        "post_weeks": list(weeks.post),
        "series": _points(rates, weeks),
    }
    if len(weeks.pre) < effect.MINIMUM_WEEKS:
        message = verdict.refusal(
            "too_few_before", lang, date=coverage.first_day, weeks=effect.MINIMUM_WEEKS
        )
        return nothing.model_copy(update={"reason": "too_few_before", "message": message, **groups})
    if len(weeks.post) < effect.MINIMUM_WEEKS:
        ready = max(weeks.post_ready_on, today + timedelta(days=1))
        message = verdict.refusal("too_early", lang, date=ready, weeks=effect.MINIMUM_WEEKS)
        return nothing.model_copy(
            update={"reason": "too_early", "message": message, "come_back_on": ready, **groups}
        )

    by_week = {r.week: r for r in rates}
    pre = [by_week[w] for w in weeks.pre]
    found = effect.estimate([r.gap for r in pre], [by_week[w].gap for w in weeks.post])
    trends = effect.pre_trends(pre)
    return EffectPublic(
        campaign=row.id,
        available=True,
        transition_week=transition,
        estimate=found.points,
        low=found.low,
        high=found.high,
        standard_error=found.standard_error,
        degrees_of_freedom=found.degrees_of_freedom,
        likely_real=found.distinguishable,
        verdict=verdict.verdict(found, row.kind, row.starts_on, targets, lang),
        assumption=verdict.assumption(targets, transition, trends.target, trends.control, lang),
        pre_trend_target=trends.target,
        pre_trend_control=trends.control,
        **groups,
    )
