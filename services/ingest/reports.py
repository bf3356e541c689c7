"""The Copilot usage user-detail report, as CSV (v1.0) or JSON (beta), parsed by field name.

Column order, header spelling and the set of columns change between report
versions, so every field is found by its normalised name ("Word Copilot Last
Activity Date" and "wordCopilotLastActivityDate" are the same field) and
unknown fields are ignored. A row that cannot be read becomes a
:class:`MalformedRow` with the reason; the rows around it are unaffected.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from shared.events import App

_NON_ALNUM = re.compile(r"[^0-9a-z]")

APP_FIELDS: dict[str, App] = {
    "microsoftteamscopilotlastactivitydate": App.TEAMS,
    "wordcopilotlastactivitydate": App.WORD,
    "excelcopilotlastactivitydate": App.EXCEL,
    "powerpointcopilotlastactivitydate": App.POWERPOINT,
    "outlookcopilotlastactivitydate": App.OUTLOOK,
    "onenotecopilotlastactivitydate": App.ONENOTE,
    "loopcopilotlastactivitydate": App.LOOP,
    "copilotchatlastactivitydate": App.CHAT,
    # v2 (columns not documented yet): the Microsoft 365 Copilot app is where Chat lives.
    "microsoft365copilotapplastactivitydate": App.CHAT,
}
UPN = "userprincipalname"
REFRESH = "reportrefreshdate"
LAST_ANY = "lastactivitydate"


def normalise(field: str) -> str:
    return _NON_ALNUM.sub("", field.lower())


@dataclass(frozen=True, slots=True)
class UsageRow:
    user_principal_name: str
    report_refresh_date: date
    last_activity: tuple[tuple[App, date], ...]


@dataclass(frozen=True, slots=True)
class MalformedRow:
    reason: str
    position: int
    fields: dict[str, Any]


def parse_date(value: Any) -> date | None:
    """``""``, ``null`` and absent all mean "no activity"; anything else must be a date."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    return date.fromisoformat(text[:10])


def _row(fields: dict[str, Any], position: int) -> UsageRow | MalformedRow:
    """``fields`` is keyed by normalised name."""
    upn = str(fields.get(UPN) or "").strip()
    if not upn:
        return MalformedRow("missing userPrincipalName", position, fields)
    try:
        refresh = parse_date(fields.get(REFRESH))
        if refresh is None:
            return MalformedRow("missing reportRefreshDate", position, fields)
        parse_date(fields.get(LAST_ANY))  # not a fact itself, but a broken one spoils the row
        dates: list[tuple[App, date]] = []
        for name, app in APP_FIELDS.items():
            day = parse_date(fields.get(name))
            if day is not None:
                if day > refresh:
                    return MalformedRow(f"{name} {day} is after the refresh date", position, fields)
                if (app, day) not in dates:
                    dates.append((app, day))
    except ValueError as exc:
        return MalformedRow(f"unreadable date: {exc}", position, fields)
    return UsageRow(upn, refresh, tuple(dates))


def parse_csv(content: bytes | str) -> Iterator[UsageRow | MalformedRow]:
    """The v1.0 CSV report (a UTF-8 byte-order mark is tolerated)."""
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        return
    names = [normalise(column) for column in header]
    width = len(names)
    for position, values in enumerate(reader, start=2):
        if not values:
            continue
        fields = dict(zip(names, values, strict=False))
        if len(values) != width:
            yield MalformedRow(
                f"row has {len(values)} fields, header has {width}", position, fields
            )
            continue
        yield _row(fields, position)


def parse_json_rows(
    rows: Iterable[Any], *, first_position: int = 1
) -> Iterator[UsageRow | MalformedRow]:
    """The ``value`` items of one beta JSON page (current and legacy shapes)."""
    for position, item in enumerate(rows, start=first_position):
        if not isinstance(item, dict):
            yield MalformedRow("row is not an object", position, {"value": repr(item)[:200]})
            continue
        yield _row({normalise(key): value for key, value in item.items()}, position)


def is_concealed(identity: str) -> bool:
    """Concealed report names are 32 uppercase hex digits, not joinable to the directory."""
    return len(identity) == 32 and all(c in "0123456789ABCDEF" for c in identity)
