"""Which groups the cockpit may show: one rule, applied to every per-group figure.

A department, a job function, or a department's function when the cockpit is
narrowed to one of them, is shown only with at least the minimum number of licensed
people (:func:`shared.small_groups.shown`). The others are listed as hidden with the
reason, so a missing row is never a mystery.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from services.api.cockpit.models import HiddenGroup
from shared.small_groups import shown


@dataclass(frozen=True)
class Split:
    """Groups that may be shown (with their licensed people), and those hidden."""

    shown: dict[str, int]
    hidden: list[HiddenGroup]


def split(
    population: Mapping[str, int],
    min_size: int,
    label: Callable[[str], str],
    reason: str,
) -> Split:
    """``population`` (licensed people per group) split by the minimum group size.

    ``reason`` is the sentence every hidden group gets. Groups are in name order; the
    hidden ones say only their name and why.
    """
    visible: dict[str, int] = {}
    hidden: list[HiddenGroup] = []
    for group in sorted(population):
        size = population[group]
        if shown(size, min_size):
            visible[group] = size
        else:
            hidden.append(HiddenGroup(group=group, label=label(group), reason=reason))
    return Split(visible, hidden)
