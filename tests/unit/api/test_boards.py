"""Periods a board may be asked for, and the rendered-board cache."""

from __future__ import annotations

from datetime import date

import pytest

from services.api.boards import PeriodError, resolve_period
from services.api.cache import RenderedCache
from shared.periods import Window

THURSDAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        (Window.DAY, "2026-11-26"),
        (Window.WEEK, "2026-W48"),
        (Window.MONTH, "2026-11"),
        (Window.ALL, "all"),
    ],
)
def test_current_period_of_each_calendar_window(window: Window, expected: str) -> None:
    assert resolve_period(window, None, THURSDAY) == expected


@pytest.mark.parametrize(
    ("window", "period"),
    [
        (Window.WEEK, "2026-11"),
        (Window.DAY, "2026-W48"),
        (Window.MONTH, "../../etc"),
        (Window.SEASON, None),
        (Window.CHALLENGE, "has space"),
    ],
)
def test_periods_that_do_not_fit_are_refused(window: Window, period: str | None) -> None:
    with pytest.raises(PeriodError):
        resolve_period(window, period, THURSDAY)


def test_named_periods_pass() -> None:
    assert resolve_period(Window.CHALLENGE, "winter-sprint", THURSDAY) == "winter-sprint"


async def test_cache_renders_once_until_cleared() -> None:
    cache = RenderedCache(ttl=60)
    calls: list[int] = []

    async def render() -> bytes:
        calls.append(1)
        return str(len(calls)).encode()

    assert await cache.get("k", render) == b"1"
    assert await cache.get("k", render) == b"1"
    cache.clear()
    assert await cache.get("k", render) == b"2"


async def test_zero_ttl_never_caches() -> None:
    cache = RenderedCache(ttl=0)
    calls: list[int] = []

    async def render() -> bytes:
        calls.append(1)
        return b""

    await cache.get("k", render)
    await cache.get("k", render)
    assert len(calls) == 2
