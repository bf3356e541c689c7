"""How a channel answered a post, classified once for Teams and Engage alike."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Literal

import httpx

Outcome = Literal["sent", "retry", "dead", "auth", "skipped"]
RETRYABLE_4XX = {408, 409, 425, 429}


@dataclass(frozen=True)
class Delivery:
    outcome: Outcome
    detail: str = ""
    retry_after: float | None = None  # seconds the channel asked us to wait


def retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as delta-seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def classify(response: httpx.Response) -> Delivery:
    status = response.status_code
    if 200 <= status < 300:
        return Delivery("sent", f"HTTP {status}")
    detail = f"HTTP {status}: {response.text[:200]}"
    if status in RETRYABLE_4XX or status >= 500:
        return Delivery("retry", detail, retry_after_seconds(response.headers.get("Retry-After")))
    return Delivery("dead", detail)


def network_failure(exc: httpx.HTTPError) -> Delivery:
    # The exception text may carry the URL (and its sig= secret): keep only the kind.
    return Delivery("retry", f"network: {type(exc).__name__}")


def backoff(attempt: int, base: float = 2.0, cap: float = 900.0) -> float:
    """Exponential backoff with full jitter for attempt 1, 2, 3, ..."""
    return random.uniform(base / 2, min(cap, base * 2 ** max(0, attempt - 1)))
