"""Periods a board may be asked for, and the rendered-board cache."""

from __future__ import annotations

import asyncio
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


async def test_concurrent_misses_share_one_render() -> None:
    cache = RenderedCache(ttl=60)
    started = asyncio.Event()
    release = asyncio.Event()
    calls: list[int] = []

    async def render() -> bytes:
        calls.append(1)
        started.set()
        await release.wait()
        return b"board"

    waiting = [asyncio.create_task(cache.get("k", render)) for _ in range(5)]
    await started.wait()
    release.set()

    assert await asyncio.gather(*waiting) == [b"board"] * 5
    assert len(calls) == 1


async def test_a_render_begun_before_clear_is_not_kept() -> None:
    cache = RenderedCache(ttl=60)
    release = asyncio.Event()
    versions = iter([b"old", b"new"])

    async def render() -> bytes:
        await release.wait()
        return next(versions)

    early = asyncio.create_task(cache.get("k", render))
    await asyncio.sleep(0)
    cache.clear()  # an award arrived while the first render ran
    release.set()

    assert await early == b"old"
    assert await cache.get("k", render) == b"new"
