"""Report rows in Graph's wire formats: v1.0 CSV, beta JSON, legacy beta JSON."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from services.sandbox.usage import UsageRow

# (JSON field, CSV header, app key or None); order as in Microsoft's v1 CSV
DATE_COLUMNS = (
    ("lastActivityDate", "Last Activity Date", None),
    ("copilotChatLastActivityDate", "Copilot Chat Last Activity Date", "chat"),
    (
        "microsoftTeamsCopilotLastActivityDate",
        "Microsoft Teams Copilot Last Activity Date",
        "teams",
    ),
    ("wordCopilotLastActivityDate", "Word Copilot Last Activity Date", "word"),
    ("excelCopilotLastActivityDate", "Excel Copilot Last Activity Date", "excel"),
    ("powerPointCopilotLastActivityDate", "PowerPoint Copilot Last Activity Date", "powerpoint"),
    ("outlookCopilotLastActivityDate", "Outlook Copilot Last Activity Date", "outlook"),
    ("oneNoteCopilotLastActivityDate", "OneNote Copilot Last Activity Date", "onenote"),
    ("loopCopilotLastActivityDate", "Loop Copilot Last Activity Date", "loop"),
)
V1_HEADER = (
    "Report Refresh Date",
    "User Principal Name",
    "Display Name",
    *(header for _, header, _ in DATE_COLUMNS),
    "Report Period",
)
# The v2 report's exact columns are not documented: a plausible superset in a
# different order, so that consumers have to parse by name.
V2_EXTRA = (
    ("microsoft365CopilotAppLastActivityDate", "Microsoft 365 Copilot App Last Activity Date"),
    ("activeUsageDays", "Active Usage Days"),
    ("promptsSubmittedCount", "Prompts Submitted Count"),
)
V2_HEADER = (
    "Report Refresh Date",
    "User Principal Name",
    "Display Name",
    "Report Period",
    *(header for _, header, _ in DATE_COLUMNS),
    *(header for _, header in V2_EXTRA),
)
MALFORMED_DATE = "2025-02-30"


def _names(row: UsageRow, concealed: bool) -> tuple[str, str]:
    if concealed:
        return row.person.concealed_upn, row.person.concealed_name
    return row.person.user_principal_name, row.person.display_name


def _dates(row: UsageRow) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for field, _, app in DATE_COLUMNS:
        value = row.last_any if app is None else row.last[app]
        out[field] = value.isoformat() if value else None
    if row.malformed:
        out["lastActivityDate"] = MALFORMED_DATE
    return out


def json_row(row: UsageRow, *, concealed: bool, legacy: bool, v2: bool) -> dict[str, Any]:
    upn, name = _names(row, concealed)
    missing = None if legacy else ""
    item: dict[str, Any] = {
        "reportRefreshDate": row.refresh.isoformat(),
        "userPrincipalName": upn,
        "displayName": name,
    }
    item.update({k: (v if v is not None else missing) for k, v in _dates(row).items()})
    if v2:
        item["microsoft365CopilotAppLastActivityDate"] = item["copilotChatLastActivityDate"]
    details: dict[str, Any] = {"reportPeriod": row.period_days}
    if v2:
        details.update(activeUsageDays=row.active_days, promptsSubmittedCount=row.prompts)
    item["copilotActivityUserDetailsByPeriod"] = [details]
    return item


def csv_header(v2: bool) -> str:
    return _csv_line(V2_HEADER if v2 else V1_HEADER)


def csv_rows(rows: Iterable[UsageRow], *, concealed: bool, v2: bool) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        upn, name = _names(row, concealed)
        dates = [d or "" for d in _dates(row).values()]
        refresh = row.refresh.isoformat()
        if v2:
            extra = [dates[1], str(row.active_days), str(row.prompts)]
            writer.writerow([refresh, upn, name, row.period_days, *dates, *extra])
        else:
            writer.writerow([refresh, upn, name, *dates, row.period_days])
    return buffer.getvalue()


def _csv_line(values: Iterable[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()
