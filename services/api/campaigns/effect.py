"""A campaign's effect on its departments' weekly active rate: difference in differences.

No I/O: the router reads the cube and hands the weekly rates in.

- The *target group* is the union of the campaign's departments, the *control group*
  every other department big enough to show. A group's weekly active rate is its
  distinct active people over its licensed people.
- Weeks are ISO weeks (keyed by their Monday). The campaign's own week is a transition
  week and is left out: people are only partly exposed in it. Up to ``WINDOW`` complete
  weeks before it form the *pre* period, up to ``WINDOW`` complete weeks after it the
  *post* period.
- Each week gives a *gap*: target rate minus control rate, in percentage points. The
  estimate is the mean post gap minus the mean pre gap: how much more the target group
  changed than the rest of the organisation over the same weeks. Anything that moves
  both groups alike in a week (a holiday, an outage) cancels out.
- Its uncertainty comes from how much the gap varies from week to week: standard error
  ``sqrt(var_pre / k + var_post / m)`` with the weeks' sample variances, and a 95%
  interval with Student's t at the Welch-Satterthwaite degrees of freedom.
- The assumption: without the campaign, both groups' rates would have moved in
  parallel. The pre-period slopes of both groups are returned so a reader can judge it.

Welch-Satterthwaite degrees of freedom are rarely whole, so Student's t quantile is
worked out from its density (about a millisecond) rather than read from a table; a
statistics library would be a large dependency for one number.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import fmean, variance

WINDOW = 6  # complete weeks on each side of the campaign's week, at most
MINIMUM_WEEKS = 2  # on each side: fewer give no week-to-week variation
WEEK = timedelta(days=7)

STEPS = 400  # Simpson's rule intervals: the quantile to 1e-9 from 1 degree of freedom up


def _t_density(x: float, df: float) -> float:
    log_scale = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    return math.exp(log_scale - (df + 1) / 2 * math.log1p(x * x / df))


def _t_mass(upper: float, df: float) -> float:
    """The t distribution's probability between 0 and ``upper``, by Simpson's rule."""
    h = upper / STEPS
    inner = sum((4 if i % 2 else 2) * _t_density(i * h, df) for i in range(1, STEPS))
    return h / 3 * (_t_density(0.0, df) + inner + _t_density(upper, df))


def t_quantile_975(df: float) -> float:
    """The 97.5% quantile of Student's t with ``df`` (>= 1, not necessarily whole)
    degrees of freedom: Newton's method on its distribution function from the normal
    quantile, which lies below it (the function is concave there, so the steps rise
    towards the root without passing it)."""
    if df < 1:
        raise ValueError("at least one degree of freedom")
    t = 1.959964
    for _ in range(100):
        step = (0.475 - _t_mass(t, df)) / _t_density(t, df)
        t += step
        if step < 1e-9:
            break
    return t


@dataclass(frozen=True)
class Weeks:
    """Which weeks a campaign is judged over."""

    transition: date  # the campaign's own week, left out
    pre: tuple[date, ...]  # complete weeks before it, oldest first
    post: tuple[date, ...]  # complete weeks after it, oldest first
    post_ready_on: date  # the first day with MINIMUM_WEEKS complete post weeks behind it
    charted: tuple[date, ...]  # pre, the transition week when complete, post


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weeks_around(starts_on: date, first_day: date, last_complete_day: date) -> Weeks:
    """The pre and post weeks of a campaign starting ``starts_on``, among the weeks
    wholly inside ``first_day``..``last_complete_day`` (what the data covers)."""
    transition = monday(starts_on)

    def complete(week: date) -> bool:
        return week >= first_day and week + timedelta(days=6) <= last_complete_day

    pre = tuple(w for w in (transition - WEEK * n for n in range(WINDOW, 0, -1)) if complete(w))
    post = tuple(w for w in (transition + WEEK * n for n in range(1, WINDOW + 1)) if complete(w))
    middle = (transition,) if complete(transition) else ()
    ready = transition + WEEK * (MINIMUM_WEEKS + 1)
    return Weeks(transition, pre, post, ready, (*pre, *middle, *post))


@dataclass(frozen=True)
class Estimate:
    """A difference in differences, in percentage points, with its 95% interval."""

    points: float
    low: float
    high: float
    standard_error: float
    degrees_of_freedom: float | None  # None when the gap never varied
    pre_gap: float  # mean target-minus-control gap before, in points
    post_gap: float  # and after

    @property
    def distinguishable(self) -> bool:
        """Whether the interval leaves out zero: likely a real change."""
        return self.low > 0 or self.high < 0


def estimate(pre_gaps: Sequence[float], post_gaps: Sequence[float]) -> Estimate:
    """The estimate from weekly gaps (target minus control, in points) before and after."""
    k, m = len(pre_gaps), len(post_gaps)
    if k < MINIMUM_WEEKS or m < MINIMUM_WEEKS:
        raise ValueError(f"at least {MINIMUM_WEEKS} weeks on each side")
    before, after = fmean(pre_gaps), fmean(post_gaps)
    points = after - before
    a, b = variance(pre_gaps) / k, variance(post_gaps) / m
    error = math.sqrt(a + b)
    if error == 0:
        return Estimate(points, points, points, 0.0, None, before, after)
    # Welch-Satterthwaite, written with the shares of the variance so that tiny
    # variances cannot underflow: (a + b)^2 / (a^2 / (k - 1) + b^2 / (m - 1)).
    share_pre, share_post = a / (a + b), b / (a + b)
    df = 1 / (share_pre**2 / (k - 1) + share_post**2 / (m - 1))
    half = t_quantile_975(max(df, 1.0)) * error
    return Estimate(points, points - half, points + half, error, df, before, after)


@dataclass(frozen=True)
class WeekRates:
    """Both groups' active rates (fractions) in one week."""

    week: date
    target: float
    control: float

    @property
    def gap(self) -> float:
        return 100 * (self.target - self.control)


def rate(people: Mapping[str, int], licensed: Mapping[str, int], group: Sequence[str]) -> float:
    """The active rate of the union of departments ``group`` (0 when nobody is licensed)."""
    size = sum(licensed.get(d, 0) for d in group)
    return sum(people.get(d, 0) for d in group) / size if size else 0.0


def series(
    active: Mapping[date, Mapping[str, int]],
    licensed: Mapping[str, int],
    target: Sequence[str],
    control: Sequence[str],
    weeks: Sequence[date],
) -> list[WeekRates]:
    """Both groups' rates in each of ``weeks``; a week or department without a cell had
    nobody active."""
    return [
        WeekRates(
            w,
            rate(active.get(w, {}), licensed, target),
            rate(active.get(w, {}), licensed, control),
        )
        for w in weeks
    ]


def slope(points: Sequence[float]) -> float:
    """The least-squares slope of evenly spaced values, per step (0 for fewer than 2)."""
    n = len(points)
    if n < 2:
        return 0.0
    mid = (n - 1) / 2
    spread = sum((i - mid) ** 2 for i in range(n))
    return sum((i - mid) * (y - fmean(points)) for i, y in enumerate(points)) / spread


@dataclass(frozen=True)
class Trends:
    """Each group's pre-period trend, in percentage points per week: parallel trends
    before the campaign make the assumption believable."""

    target: float
    control: float


def pre_trends(pre: Sequence[WeekRates]) -> Trends:
    return Trends(slope([100 * r.target for r in pre]), slope([100 * r.control for r in pre]))
