"""The activity model: deterministic per person and day, an adoption curve, lag."""

from __future__ import annotations

import datetime as dt

import numpy as np

from services.sandbox.adoption import APPS, ActivityModel
from services.sandbox.organisation import build_organisation
from services.sandbox.public_holidays import belgian_holidays

ANCHOR = dt.date(2025, 6, 18)
ORG = build_organisation(seed=3, size=600, anchor=ANCHOR, weeks=8)
MODEL = ActivityModel(ORG)
ALL = np.arange(600, dtype=np.int64)
DAYS = (ANCHOR - ORG.history_start).days + 1


def test_slices_of_people_and_days_agree_with_the_whole() -> None:
    whole = MODEL.block(ALL, ORG.history_start, DAYS)
    some = np.array([5, 17, 400], dtype=np.int64)
    part = MODEL.block(some, ORG.history_start + dt.timedelta(days=10), 20)
    assert np.array_equal(part.active, whole.active[some, 10:30])
    assert np.array_equal(part.delay, whole.delay[some, 10:30])


def test_adoption_grows_over_the_weeks() -> None:
    active = np.asarray(MODEL.block(ALL, ORG.history_start, DAYS).active.any(axis=2))
    first_week, last_week = active[:, :7].any(axis=1).sum(), active[:, -7:].any(axis=1).sum()
    assert 0 < first_week < last_week / 3
    never = ~active.any(axis=1)
    assert 0.1 < never.mean() < 0.5  # unlicensed people and non-adopters


def test_weekends_are_quiet_and_apps_differ_in_popularity() -> None:
    block = MODEL.block(ALL, ORG.history_start, DAYS)
    weekdays = np.array([(ORG.history_start + dt.timedelta(days=d)).weekday() for d in range(DAYS)])
    per_day = block.active.any(axis=2).sum(axis=0)
    assert per_day[weekdays >= 5].mean() < per_day[weekdays < 5].mean() / 5
    per_app = block.active.sum(axis=(0, 1))
    assert per_app[APPS.index("loop")] < per_app[APPS.index("teams")] / 5
    assert per_app[APPS.index("chat")] > per_app[APPS.index("excel")]


def test_unlicensed_people_are_never_active() -> None:
    unlicensed = np.array([p.index for p in ORG.people if not p.licensed], dtype=np.int64)
    assert not MODEL.block(unlicensed, ORG.history_start, DAYS).active.any()


def test_late_data_appears_within_three_days() -> None:
    block = MODEL.block(ALL, ANCHOR - dt.timedelta(days=6), 7)
    early = block.visible(ANCHOR)
    later = block.visible(ANCHOR + dt.timedelta(days=3))
    assert (early <= later).all()  # nothing disappears
    assert early.sum() < later.sum()  # some activity arrives late
    assert np.array_equal(later, block.active)
    assert int(block.delay.max()) == 3


def test_prompt_counts_only_on_active_days() -> None:
    block = MODEL.block(ALL[:50], ORG.history_start, DAYS)
    counts = MODEL.prompt_counts(block, ALL[:50])
    assert ((counts > 0) == block.active).all()


def test_belgian_holidays_match_the_holidays_package() -> None:
    import holidays

    years = range(2024, 2028)
    expected = set(holidays.country_holidays("BE", years=list(years)))
    assert belgian_holidays(years) == expected
