"""The difference-in-differences estimate of a campaign's effect, on synthetic weeks whose
true effect is known: it recovers the effect, its 95% interval covers it about 95% of the
time, a zero effect is not called real, and shocks common to both groups cancel out."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.api.campaigns import effect, verdict
from services.api.campaigns.effect import Estimate, WeekRates, estimate, t_quantile_975

MONDAY = date(2026, 11, 9)


@dataclass(frozen=True)
class World:
    """Weekly active rates (fractions) of both groups, before and after a campaign."""

    target_pre: list[float]
    control_pre: list[float]
    target_post: list[float]
    control_post: list[float]


def simulate(
    rng: random.Random, true_points: float, noise_points: float, *, k: int = 6, m: int = 6
) -> World:
    """Group level + common week shock + the true effect after the campaign + noise."""
    target_level, control_level = rng.uniform(0.2, 0.5), rng.uniform(0.2, 0.5)

    def weeks(count: int, effect_points: float) -> tuple[list[float], list[float]]:
        shocks = [rng.gauss(0, 0.04) for _ in range(count)]
        target = [
            target_level + s + effect_points / 100 + rng.gauss(0, noise_points / 100)
            for s in shocks
        ]
        control = [control_level + s + rng.gauss(0, noise_points / 100) for s in shocks]
        return target, control

    target_pre, control_pre = weeks(k, 0.0)
    target_post, control_post = weeks(m, true_points)
    return World(target_pre, control_pre, target_post, control_post)


def judge(world: World) -> Estimate:
    def gaps(target: list[float], control: list[float]) -> list[float]:
        return [WeekRates(MONDAY, t, c).gap for t, c in zip(target, control, strict=True)]

    return estimate(
        gaps(world.target_pre, world.control_pre), gaps(world.target_post, world.control_post)
    )


def test_recovers_the_true_effect_when_noise_is_small() -> None:
    rng = random.Random(7)
    for true_points in (-6.0, 0.0, 3.5, 8.0, 15.0):
        found = judge(simulate(rng, true_points, noise_points=0.2))
        assert found.points == pytest.approx(true_points, abs=0.5)
        assert found.low <= true_points <= found.high
        assert found.distinguishable == (true_points != 0)


def test_the_interval_covers_the_true_effect_about_95_percent_of_the_time() -> None:
    rng = random.Random(20261204)
    covered = sum(_covers(judge(simulate(rng, 5.0, noise_points=2.0)), 5.0) for _ in range(400))
    assert 0.88 * 400 <= covered <= 0.99 * 400


def test_coverage_holds_with_few_and_unequal_weeks() -> None:
    rng = random.Random(99)
    runs = [judge(simulate(rng, -3.0, noise_points=1.5, k=3, m=2)) for _ in range(400)]
    covered = sum(_covers(found, -3.0) for found in runs)
    assert 0.88 * 400 <= covered <= 0.99 * 400


def _covers(found: Estimate, truth: float) -> bool:
    return found.low <= truth <= found.high


def test_a_zero_effect_is_mostly_judged_not_distinguishable() -> None:
    rng = random.Random(3)
    runs = [judge(simulate(rng, 0.0, noise_points=2.0)) for _ in range(200)]
    called_real = sum(found.distinguishable for found in runs)
    assert called_real <= 0.12 * 200  # about 5% false alarms are expected
    words = verdict.verdict(runs[0], "training", date(2026, 11, 12), ["Sales"], "en")
    if not runs[0].distinguishable:
        assert words.endswith("not distinguishable from no change.")


def test_a_large_effect_is_judged_real_in_words() -> None:
    found = judge(simulate(random.Random(11), 8.0, noise_points=1.0))
    assert found.distinguishable
    english = verdict.verdict(found, "training", date(2026, 11, 12), ["Sales"], "en")
    assert english.startswith("Since the training on 12 November, the weekly active rate of Sales")
    assert "rose" in english
    assert english.endswith(": likely a real effect.")
    dutch = verdict.verdict(found, "training", date(2026, 11, 12), ["Sales", "HR"], "nl")
    assert dutch.startswith("Sinds de opleiding van 12 november")
    assert "Sales en HR" in dutch and "," in dutch.split("(")[1]  # decimal comma
    french = verdict.verdict(found, "newsletter", date(2026, 11, 12), ["Sales"], "fr")
    assert french.startswith("Depuis la lettre d'information du 12 novembre")
    assert "\u00a0: probablement un effet réel." in french


def test_a_decline_is_called_a_decline() -> None:
    found = judge(simulate(random.Random(5), -9.0, noise_points=1.0))
    words = verdict.verdict(found, "challenge", date(2026, 11, 12), ["Sales"], "en")
    assert "did 9" in words or "did 8" in words or "did 10" in words
    assert words.endswith("likely a real decline.")


rates = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@st.composite
def worlds(draw: st.DrawFn) -> World:
    k = draw(st.integers(2, 6))
    m = draw(st.integers(2, 6))
    return World(
        draw(st.lists(rates, min_size=k, max_size=k)),
        draw(st.lists(rates, min_size=k, max_size=k)),
        draw(st.lists(rates, min_size=m, max_size=m)),
        draw(st.lists(rates, min_size=m, max_size=m)),
    )


@given(worlds(), st.data())
def test_a_shock_to_both_groups_in_any_week_changes_nothing(
    world: World, data: st.DataObject
) -> None:
    before = judge(world)
    pre = data.draw(
        st.lists(
            st.floats(-0.3, 0.3), min_size=len(world.target_pre), max_size=len(world.target_pre)
        )
    )
    post = data.draw(
        st.lists(
            st.floats(-0.3, 0.3), min_size=len(world.target_post), max_size=len(world.target_post)
        )
    )
    shocked = World(
        [r + s for r, s in zip(world.target_pre, pre, strict=True)],
        [r + s for r, s in zip(world.control_pre, pre, strict=True)],
        [r + s for r, s in zip(world.target_post, post, strict=True)],
        [r + s for r, s in zip(world.control_post, post, strict=True)],
    )
    after = judge(shocked)
    assert after.points == pytest.approx(before.points, abs=1e-6)
    assert after.standard_error == pytest.approx(before.standard_error, abs=1e-6)


@given(worlds())
def test_swapping_the_groups_negates_the_estimate(world: World) -> None:
    found = judge(world)
    swapped = judge(
        World(world.control_pre, world.target_pre, world.control_post, world.target_post)
    )
    assert swapped.points == pytest.approx(-found.points, abs=1e-9)
    assert swapped.low == pytest.approx(-found.high, abs=1e-9)
    assert swapped.high == pytest.approx(-found.low, abs=1e-9)


@given(worlds(), st.permutations(range(6)), st.permutations(range(6)))
def test_the_order_of_weeks_within_a_period_does_not_matter(
    world: World, pre_order: list[int], post_order: list[int]
) -> None:
    pre = [i for i in pre_order if i < len(world.target_pre)]
    post = [i for i in post_order if i < len(world.target_post)]
    shuffled = World(
        [world.target_pre[i] for i in pre],
        [world.control_pre[i] for i in pre],
        [world.target_post[i] for i in post],
        [world.control_post[i] for i in post],
    )
    assert judge(shuffled).points == pytest.approx(judge(world).points, abs=1e-9)
    assert judge(shuffled).high == pytest.approx(judge(world).high, abs=1e-9)


def test_a_gap_that_never_varies_has_no_uncertainty() -> None:
    found = estimate([1.0, 1.0, 1.0], [4.0, 4.0])
    assert (found.points, found.low, found.high) == (3.0, 3.0, 3.0)
    assert found.degrees_of_freedom is None and found.distinguishable


def test_fewer_than_two_weeks_on_a_side_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 2 weeks"):
        estimate([1.0], [2.0, 3.0])


# Student's t at 97.5%, from printed tables.
PRINTED = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 8: 2.306, 10: 2.228}


def test_t_quantiles_match_printed_tables_and_fall_with_more_freedom() -> None:
    for df, printed in PRINTED.items():
        assert t_quantile_975(df) == pytest.approx(printed, abs=1e-3)
    assert t_quantile_975(1e7) == pytest.approx(1.960, abs=1e-3)
    values = [t_quantile_975(1 + i / 4) for i in range(40)]
    assert all(a > b for a, b in pairwise(values))
    with pytest.raises(ValueError):
        t_quantile_975(0.5)


def test_weeks_around_a_campaign_leave_its_week_out_and_need_complete_weeks() -> None:
    start = date(2026, 11, 12)  # a Thursday; its week starts Monday 9 November
    weeks = effect.weeks_around(start, date(2026, 10, 1), date(2026, 12, 6))
    assert weeks.transition == date(2026, 11, 9)
    # the data starts on Thursday 1 October: the week of 28 September is incomplete
    assert weeks.pre == (*(date(2026, 10, d) for d in (5, 12, 19, 26)), date(2026, 11, 2))
    assert weeks.post == (date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 30))
    assert weeks.post_ready_on == date(2026, 11, 30)
    assert weeks.charted == (*weeks.pre, weeks.transition, *weeks.post)
    early = effect.weeks_around(start, date(2026, 1, 1), date(2026, 11, 28))
    assert len(early.pre) == effect.WINDOW and early.post == (date(2026, 11, 16),)


def test_pre_trends_are_slopes_in_points_per_week() -> None:
    pre = [WeekRates(MONDAY, 0.10 + 0.01 * i, 0.30) for i in range(5)]
    trends = effect.pre_trends(pre)
    assert trends.target == pytest.approx(1.0) and trends.control == pytest.approx(0.0)
    words = verdict.assumption(["Sales"], MONDAY, trends.target, trends.control, "en")
    assert "parallel" in words and "+1.0" in words and "9 November" in words


def test_refusals_say_why_in_each_language() -> None:
    assert "fewer than 5" in verdict.refusal("hidden", "en", departments=["Legal"], min_size=5)
    assert "30 november" in verdict.refusal("too_early", "nl", date=date(2026, 11, 30), weeks=2)
    french = verdict.refusal("too_few_before", "fr", date=date(2026, 10, 1), weeks=2)
    assert "1 octobre" in french and "\u00a0:" in french
