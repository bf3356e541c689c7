"""Each cockpit chart as a table, and that table as CSV: exactly what the chart shows.

The page draws every chart from the same rows this module builds from the answer
(:class:`.models.Cockpit`), so "download CSV" gives what is on screen: rates in
percent with one decimal, changes in percentage points, hidden groups with the reason.
Numbers are written with a decimal point whatever the language; text cells that a
spreadsheet would run as a formula (starting with ``= + - @``, a tab or a carriage
return) get a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, cast

from services.api.cockpit.models import Cockpit, HiddenGroup
from services.api.cockpit.texts import say
from services.api.i18n import Lang
from shared.intents import Intent

Cell = str | int | float | None
Measure = Literal["week", "four_weeks"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class Chart(StrEnum):
    TREND = "trend"
    HOW_OFTEN = "how-often"
    HEATMAP = "heatmap"
    SEGMENTS = "segments"
    FUNCTIONS = "functions"
    INTENTS = "intents"
    ASSISTED = "assisted"
    FLAGS = "flags"


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[Cell]]


def percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def neutral(text: str) -> str:
    """``text`` as a spreadsheet shows it, never runs it."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_cell(cell: Cell) -> str | int | float:
    if cell is None:
        return ""
    return neutral(cell) if isinstance(cell, str) else cell


def render(table: Table) -> str:
    """The table as CSV with a header row (numbers as numbers, empty for unknown)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutral(h) for h in table.header])
    for row in table.rows:
        writer.writerow([_csv_cell(cell) for cell in row])
    return out.getvalue()


class Words:
    """Column names in the answer's language."""

    def __init__(self, lang: Lang) -> None:
        self.lang = lang

    def __call__(self, key: str) -> str:
        return say(self.lang, f"ck_col_{key}")

    def hidden(self, rows: Sequence[HiddenGroup], width: int) -> list[list[Cell]]:
        """Hidden groups as rows: the name, empty figures, and the reason last."""
        return [[h.label, *([None] * (width - 2)), h.reason] for h in rows]


def _trend(cockpit: Cockpit, t: Words, measure: Measure) -> Table:
    trend = cockpit.trend
    apps = trend.apps if trend else []
    header = [t("week"), t("licensed"), t("active"), say(t.lang, "ck_any_app") + " (%)"]
    header += [f"{line.label} (%)" for line in apps]
    rows: list[list[Cell]] = [
        [
            week.week.isoformat(),
            week.licensed,
            week.active,
            percent(week.rate),
            *(percent(line.rates[i]) for line in apps),
        ]
        for i, week in enumerate(trend.weeks if trend else [])
    ]
    return Table(header, rows)


def _how_often(cockpit: Cockpit, t: Words, measure: Measure) -> Table:
    weeks = cockpit.how_often.weeks if cockpit.how_often else []
    rows: list[list[Cell]] = [
        [w.week.isoformat(), w.active, w.days_per_active_person, w.actions_per_active_person]
        for w in weeks
    ]
    return Table([t("week"), t("active"), t("days"), t("actions_per")], rows)


def _heatmap(cockpit: Cockpit, t: Words, measure: Measure) -> Table:
    heat = cockpit.heatmap
    if heat is None:
        return Table([t("department"), t("licensed"), t("reason")], [])
    header = [t("department"), t("licensed"), *(f"{label} (%)" for label in heat.app_labels)]
    header.append(t("reason"))
    rows: list[list[Cell]] = []
    for row in heat.rows:
        values = [c.week_rate if measure == "week" else c.four_week_rate for c in row.cells]
        rows.append([row.label, row.licensed, *(percent(v) for v in values), None])
    return Table(header, rows + t.hidden(heat.hidden, len(header)))


def _segments(cockpit: Cockpit, t: Words, measure: Measure) -> Table:
    seg = cockpit.segments
    if seg is None:
        return Table([t("group"), t("licensed"), t("reason")], [])
    header = [t("group"), t("licensed"), *(f"{tier.title} (%)" for tier in seg.tiers)]
    header.append(t("reason"))
    rows: list[list[Cell]] = []
    for group in ([seg.overall] if seg.overall else []) + seg.departments:
        shares = {share.tier: share.share for share in group.tiers}
        cells = [percent(shares.get(tier.id, 0.0)) for tier in seg.tiers]
        rows.append([group.label, group.licensed, *cells, None])
    return Table(header, rows + t.hidden(seg.hidden, len(header)))


def _functions(cockpit: Cockpit, t: Words, measure: Measure) -> Table:
    header = [
        t("function"),
        t("licensed"),
        t("active"),
        t("rate_last_week") + " (%)",
        t("rate_four") + " (%)",
        t("rate_before") + " (%)",
        t("change"),
        t("reason"),
    ]
    functions = cockpit.functions
    if functions is None:
        return Table(header, [])
    rows: list[list[Cell]] = [
        [
            r.label,
            r.licensed,
            r.active_last_week,
            percent(r.rate_last_week),
            percent(r.rate_four_weeks),
            percent(r.rate_four_weeks_before),
            r.change_points,
            None,
        ]
        for r in functions.rows
    ]
    return Table(header, rows + t.hidden(functions.hidden, len(header)))


def _intents(cockpit: Cockpit, t: Words, measure: Measure) -> Table:
    intents = cockpit.intents
    labels = intents.labels if intents else {}
    header = [t("week")]
    for intent in Intent:
        label = labels.get(intent, intent.value)
        header += [f"{label}: {t('actions')}", f"{label} (%)"]
    rows: list[list[Cell]] = []
    for week in intents.weeks if intents else []:
        row: list[Cell] = [week.week.isoformat()]
        for intent in Intent:
            row += [week.actions.get(intent), percent(week.shares.get(intent))]
        rows.append(row)
    return Table(header, rows)


def _assisted(cockpit: Cockpit, t: Words, measure: Measure) -> Table:
    weeks = cockpit.assisted.weeks if cockpit.assisted else []
    rows: list[list[Cell]] = [[w.week.isoformat(), w.actions, w.hours] for w in weeks]
    return Table([t("week"), t("actions"), t("hours")], rows)


def _flags(cockpit: Cockpit, t: Words, measure: Measure) -> Table:
    header = [
        t("department"),
        t("licensed"),
        t("rate_four") + " (%)",
        t("rate_before") + " (%)",
        t("change"),
        t("flag"),
        t("reason"),
    ]
    flags = cockpit.flags
    if flags is None:
        return Table(header, [])
    rows: list[list[Cell]] = [
        [
            f.label,
            f.licensed,
            percent(f.rate_now),
            percent(f.rate_before),
            f.change_points,
            say(t.lang, f"ck_flag_{f.flag or 'none'}"),
            None,
        ]
        for f in flags.departments
    ]
    return Table(header, rows + t.hidden(flags.hidden, len(header)))


TABLES: dict[Chart, Callable[[Cockpit, Words, Measure], Table]] = {
    Chart.TREND: _trend,
    Chart.HOW_OFTEN: _how_often,
    Chart.HEATMAP: _heatmap,
    Chart.SEGMENTS: _segments,
    Chart.FUNCTIONS: _functions,
    Chart.INTENTS: _intents,
    Chart.ASSISTED: _assisted,
    Chart.FLAGS: _flags,
}


def table_of(cockpit: Cockpit, chart: Chart, measure: Measure = "four_weeks") -> Table:
    """The rows and columns ``chart`` shows (no rows before the cube is built).

    ``measure`` picks the heatmap's figure: the last complete week or the 4-week mean.
    """
    lang = cast(Lang, cockpit.lang)
    return TABLES[chart](cockpit, Words(lang), measure)
