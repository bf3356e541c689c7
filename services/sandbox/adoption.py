"""A believable Copilot adoption curve, computed lazily and vectorised.

Whether person ``i`` used app ``a`` on day ``d`` is a pure function of
``(seed, i, d, a)``: a counter-based hash gives a uniform number that is
compared with the person's probability for that day. Nothing is stored, any
slice of people and days can be computed on its own, and every report period
agrees with every other.

Shape of the curve: a few champions start in the first days, most adopters
follow an S-curve over the weeks, some stall after a promising start, some
never start; weekends and Belgian public holidays are quiet; each person has
their own app preferences (Teams and Chat most, Loop rare), tilted by their
department.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from services.sandbox.organisation import Organisation
from services.sandbox.public_holidays import belgian_holidays

APPS = ("chat", "teams", "word", "excel", "powerpoint", "outlook", "onenote", "loop")
POPULARITY = np.array([0.72, 0.68, 0.34, 0.22, 0.2, 0.4, 0.06, 0.025])
# share of activity that Graph reports one, two or three days late (revalidation)
DELAY_THRESHOLDS = (0.86, 0.93, 0.97)
NEVER = 1e9

Bools = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
_M = np.uint64(0xFFFFFFFFFFFFFFFF)


def _mix(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """splitmix64 finaliser: a fast, well-distributed 64-bit hash."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def hashes(seed: int, stream: int, *keys: npt.ArrayLike) -> npt.NDArray[np.uint64]:
    """Deterministic 64-bit hashes for broadcast integer keys."""
    with np.errstate(over="ignore"):
        acc = _mix(np.array([(seed * 1_000_003 + stream) & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64))
        for key in keys:
            acc = _mix(acc ^ (np.asarray(key).astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)))
    return acc


def uniform(seed: int, stream: int, *keys: npt.ArrayLike) -> Floats:
    """Deterministic uniforms in [0, 1) for broadcast integer keys."""
    return (hashes(seed, stream, *keys) >> np.uint64(11)).astype(np.float64) / float(1 << 53)


@dataclass(frozen=True)
class DayBlock:
    """Activity of a slice of people over consecutive days."""

    start: dt.date
    active: Bools  # [people, days, apps]
    delay: Ints  # [people, days, apps]: days before Graph reports it

    def visible(self, refresh: dt.date) -> Bools:
        """What a report refreshed on ``refresh`` shows (late activity not yet in)."""
        days = np.arange(self.active.shape[1])[None, :, None]
        lag = (refresh - self.start).days - days
        return self.active & (self.delay <= lag)


class ActivityModel:
    def __init__(self, org: Organisation) -> None:
        self.org = org
        self.seed = org.seed
        n = len(org.people)
        horizon = float((org.anchor - org.history_start).days)
        rng = np.random.default_rng([org.seed, 7])
        segment = rng.random(n)
        champions = segment < 0.04
        never = segment > 0.74
        adopt = np.clip(rng.logistic(horizon * 0.42, horizon / 9, n), 2, horizon + 40)
        adopt[champions] = rng.uniform(0, 4, int(champions.sum()))
        adopt[never] = NEVER
        adopt[0] = 0  # the demo's admin leads by example
        stalls = rng.random(n) < 0.15
        stall = np.where(stalls & ~champions, adopt + rng.uniform(7, 21, n), NEVER)
        intensity = np.where(champions, rng.uniform(0.8, 0.95, n), 0.2 + 0.6 * rng.beta(2, 2, n))
        table = np.ones((len(org.departments), len(APPS)))
        for row, spec in enumerate(org.departments):
            for app, bias in spec.app_bias:
                table[row, APPS.index(app)] = bias
        row_of = {spec.name: row for row, spec in enumerate(org.departments)}
        dept_bias = table[[row_of[p.placement.department] for p in org.people]]
        taste = rng.lognormal(0.0, 0.5, (n, len(APPS)))
        pref = np.clip(POPULARITY[None, :] * dept_bias * taste, 0.0, 0.95)
        pref[champions] = np.clip(pref[champions] * 1.4 + 0.05, 0.0, 0.97)
        self.adopt_ord = org.history_start.toordinal() + adopt
        self.stall_ord = org.history_start.toordinal() + stall
        self.intensity = intensity
        self.pref = pref
        self.licensed = np.array([p.licensed for p in org.people])
        self.joined_ord = np.array([p.joined.toordinal() if p.joined else 0 for p in org.people])
        self.left_ord = np.array([p.left.toordinal() if p.left else 10**7 for p in org.people])
        years = range(org.history_start.year, org.anchor.year + 3)
        self.holidays = {d.toordinal() for d in belgian_holidays(years)}
        # day factors for a wide range of dates, so blocks only index into it
        self._first_ord = org.history_start.toordinal() - 366
        span = np.arange(self._first_ord, org.anchor.toordinal() + 2 * 366, dtype=np.int64)
        self._factors = self._compute_day_factor(span)

    def _day_factor(self, ordinals: Ints) -> Floats:
        index = ordinals - self._first_ord
        if len(index) and index[0] >= 0 and index[-1] < len(self._factors):
            result: Floats = self._factors[index]
            return result
        return self._compute_day_factor(ordinals)

    def _compute_day_factor(self, ordinals: Ints) -> Floats:
        weekday = (ordinals + 6) % 7  # date.fromordinal(1) is a Monday
        factor = np.where(weekday >= 5, 0.05, 1.0)
        quiet = np.isin(ordinals, np.fromiter(self.holidays, dtype=np.int64))
        return np.where(quiet, 0.08, factor)

    def probability(self, people: Ints, start: dt.date, days: int) -> Floats:
        """Probability of activity per [person, day, app]."""
        ords = start.toordinal() + np.arange(days)
        since = ords[None, :] - self.adopt_ord[people][:, None]
        ramp = np.clip(since / 10.0 + 0.35, 0.0, 1.0) * (since >= 0)
        stalled = np.where(ords[None, :] >= self.stall_ord[people][:, None], 0.06, 1.0)
        employed = (ords[None, :] >= self.joined_ord[people][:, None]) & (
            ords[None, :] < self.left_ord[people][:, None]
        )
        daily = (
            self.intensity[people][:, None]
            * ramp
            * stalled
            * employed
            * self.licensed[people][:, None]
            * self._day_factor(ords)[None, :]
        )
        result: Floats = daily[:, :, None] * self.pref[people][:, None, :]
        return result

    def block(self, people: Ints, start: dt.date, days: int) -> DayBlock:
        ords = start.toordinal() + np.arange(days)
        keys = (people[:, None, None], ords[None, :, None], np.arange(len(APPS))[None, None, :])
        h = hashes(self.seed, 1, *keys)
        # the top 53 bits decide activity, the independent low 11 bits its reporting delay
        active = (h >> np.uint64(11)).astype(np.float64) / float(1 << 53) < self.probability(
            people, start, days
        )
        late = (h & np.uint64(0x7FF)).astype(np.float64) / 2048.0
        delay = sum((late >= t).astype(np.int64) for t in DELAY_THRESHOLDS)
        delay = np.asarray(delay, dtype=np.int64)
        return DayBlock(start, active, delay)

    def prompt_counts(self, block: DayBlock, people: Ints) -> Ints:
        """Prompts per active [person, day, app]: heavier users ask more."""
        ords = block.start.toordinal() + np.arange(block.active.shape[1])
        keys = (people[:, None, None], ords[None, :, None], np.arange(len(APPS))[None, None, :])
        extra = uniform(self.seed, 3, *keys) * (1 + 6 * self.intensity[people][:, None, None])
        return np.where(block.active, 1 + extra.astype(np.int64), 0)
