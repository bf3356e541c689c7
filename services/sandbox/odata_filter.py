"""The OData ``$filter`` subset that interaction history accepts: ``createdDateTime``
bounds (``gt``, ``ge``, ``lt``, ``le``) and ``appClass eq '...'``, joined by ``and``."""

from __future__ import annotations

import datetime as dt
import re

_CLAUSE = re.compile(
    r"^\s*(?:(createdDateTime)\s+(gt|ge|lt|le)\s+'?([0-9T:.\-+Z]+)'?"
    r"|(appClass)\s+eq\s+'([^']+)')\s*$",
    re.IGNORECASE,
)


class Window:
    def __init__(self) -> None:
        self.after: dt.datetime | None = None
        self.after_inclusive = False
        self.before: dt.datetime | None = None
        self.before_inclusive = False
        self.app_class: str | None = None

    def admits(self, moment: dt.datetime, app_class: str) -> bool:
        if self.app_class and app_class.lower() != self.app_class.lower():
            return False
        if self.after and (
            moment < self.after or (moment == self.after and not self.after_inclusive)
        ):
            return False
        return not (
            self.before
            and (moment > self.before or (moment == self.before and not self.before_inclusive))
        )


def parse_filter(text: str) -> Window:
    window = Window()
    for clause in re.split(r"\s+and\s+", text.strip(), flags=re.IGNORECASE) if text.strip() else []:
        match = _CLAUSE.match(clause)
        if not match:
            raise ValueError(f"Invalid filter clause: {clause}")
        if match.group(4):
            window.app_class = match.group(5)
            continue
        moment = dt.datetime.fromisoformat(match.group(3).replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        operator = match.group(2).lower()
        if operator in ("gt", "ge"):
            window.after, window.after_inclusive = moment, operator == "ge"
        else:
            window.before, window.before_inclusive = moment, operator == "le"
    return window
