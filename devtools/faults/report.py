"""What a scenario measured, and the table the suite prints."""

from __future__ import annotations

from dataclasses import dataclass, field

from devtools.faults.checks import Difference


@dataclass
class Outcome:
    scenario: str
    events_sent: int = 0
    ledger_rows: int = 0
    recovery_seconds: float | None = None
    ledger: Difference = field(default_factory=Difference)
    boards: Difference = field(default_factory=Difference)
    cards: Difference = field(default_factory=Difference)
    notes: list[str] = field(default_factory=list)
    skipped: str | None = None
    error: str | None = None  # the scenario itself could not run
    exited: str | None = None  # a service ended when it should have kept running
    stayed_ready: list[str] = field(default_factory=list)  # said ready with its database down

    @property
    def lost(self) -> int:
        return self.ledger.lost + self.boards.lost + self.cards.lost

    @property
    def doubled(self) -> int:
        return self.ledger.doubled + self.boards.doubled + self.cards.doubled

    @property
    def failed(self) -> bool:
        return self.skipped is None and (
            self.error is not None
            or self.exited is not None
            or bool(self.stayed_ready)
            or self.lost > 0
            or self.doubled > 0
        )

    def verdict(self) -> str:
        if self.skipped is not None:
            return "skipped"
        if self.error is not None:
            return "error"
        return "FAIL" if self.failed else "ok"


HEADERS = ("scenario", "events sent", "ledger rows", "lost", "doubled", "recovery s", "result")


def table(outcomes: list[Outcome]) -> str:
    rows = [HEADERS]
    for o in outcomes:
        recovery = "-" if o.recovery_seconds is None else f"{o.recovery_seconds:.1f}"
        rows.append(
            (
                o.scenario,
                f"{o.events_sent:,}",
                f"{o.ledger_rows:,}",
                str(o.lost),
                str(o.doubled),
                recovery,
                o.verdict(),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS))]
    lines = []
    for number, row in enumerate(rows):
        cells = [
            cell.ljust(width) if column in (0, 6) else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells))
        if number == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def details(outcomes: list[Outcome]) -> str:
    """Why a scenario was skipped or failed, what it noticed, and examples of differences."""
    lines: list[str] = []
    for o in outcomes:
        said: list[str] = []
        if o.skipped:
            said.append(f"skipped: {o.skipped}")
        if o.error:
            said.append(f"error: {o.error}")
        if o.exited:
            said.append(f"service exited: {o.exited}")
        if o.stayed_ready:
            said.append(f"ready while its database was down: {', '.join(o.stayed_ready)}")
        for name, diff in (("ledger", o.ledger), ("boards", o.boards), ("cards", o.cards)):
            if not diff.clean:
                said.append(f"{name}: lost {diff.lost}, doubled {diff.doubled}")
                said += [f"  {example}" for example in diff.examples]
        said += o.notes
        if said:
            lines.append(f"{o.scenario}:")
            lines += [f"  {line}" for line in said]
    return "\n".join(lines)
