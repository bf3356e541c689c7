"""Growing, stagnating or steady: how each department's active rate is moving.

The rule, stated on the page in these words (:func:`rule_text`): compare the mean
weekly active rate of the last 4 complete weeks ("now") with the 4 weeks before.

- **growing**: now is at least ``GROWING_POINTS`` percentage points above before;
- **stagnating**: now is less than ``STAGNATING_POINTS`` points above before (or
  lower) *and* below the organisation's rate now: a department that stays behind;
- **steady**: anything else (moving a little, or not moving but already ahead).

Without 8 complete weeks in the cube there is no flag yet.
"""

from __future__ import annotations

from services.api.cockpit.models import FlagName

GROWING_POINTS = 5.0
STAGNATING_POINTS = 2.0


def points(now: float, before: float) -> float:
    """A change in rate, in percentage points (one decimal)."""
    return round((now - before) * 100, 1)


def flag_of(now: float | None, before: float | None, organisation: float | None) -> FlagName | None:
    """The flag of a department whose mean rate went from ``before`` to ``now``."""
    if now is None or before is None or organisation is None:
        return None
    change = points(now, before)  # the change the page shows decides, not a float below it
    if change >= GROWING_POINTS:
        return "growing"
    if change < STAGNATING_POINTS and now < organisation:
        return "stagnating"
    return "steady"
